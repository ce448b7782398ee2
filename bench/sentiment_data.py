"""The labelled corpora in ../shared/data (or $SOCIAL_CRM_DATA) and the validation split.

No numpy here, so the speed benchmarks can read the posts without loading it.
"""

from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from social_crm.engine.sentiment.model import LABELS  # noqa: E402

DATA = Path(os.environ.get("SOCIAL_CRM_DATA") or ROOT.parent / "shared" / "data")


def data_dir() -> Path:
	if not DATA.is_dir():
		sys.exit(f"no data at {DATA}: set SOCIAL_CRM_DATA to the shared data folder")
	return DATA


def _tsv(path: Path) -> list[tuple[str, str]]:
	rows = []
	for line in path.read_text(encoding="utf-8").splitlines():
		label, _, text = line.partition("\t")
		if label in LABELS and text:
			rows.append((text, label))
	return rows


def vader_label(mean_rating: float) -> str:
	score = mean_rating / 4  # the paper's cut at +-0.05 of the normalised score
	return "negative" if score < -0.05 else "positive" if score > 0.05 else "neutral"


def _vader(name: str) -> list[tuple[str, str]]:
	rows = []
	path = data_dir() / "sentiment-en-vader2014" / name
	for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
		parts = line.split("\t")
		if len(parts) >= 3:
			rows.append((parts[2], vader_label(float(parts[1]))))
	return rows


def corpora() -> dict[str, list[tuple[str, str]]]:
	"""Corpus name -> (text, label) rows, in file order."""
	d = data_dir()
	return {
		"semeval": _tsv(d / "sentiment-en_semeval2013-2016_task4a/train.tsv"),
		"vader-tweets": _vader("tweets_GroundTruth.txt"),
		"vader-amazon": _vader("amazonReviewSnippets_GroundTruth.txt"),
		"sb10k": _tsv(d / "sentiment-de_sb10k/train.tsv"),
		"germeval": _tsv(d / "sentiment-de_germeval2017_dev/train.tsv"),
	}


LANGUAGE = {"semeval": "en", "vader-tweets": "en", "vader-amazon": "en", "sb10k": "de", "germeval": "de"}


def is_validation(text: str) -> bool:
	return zlib.crc32(text.encode("utf-8")) % 5 == 0


def split(rows: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
	train = [r for r in rows if not is_validation(r[0])]
	val = [r for r in rows if is_validation(r[0])]
	return train, val
