"""Negative-class precision/recall/F1 and macro F1 of every sentiment analyser, per language.

Sets (the split is printed with each row):
- en tweets-B: the half of the VADER 2014 tweets held out from training and from every choice
  made in bench/train_sentiment_en.py (crc32(id) % 2 == 1). Caveat: VADER's lexicon was tuned on
  these tweets, so "vader" (and anything using it) is flattered here.
- de self-written: social_crm/tests/data/sentiment/de_brand_posts.tsv, written and labelled by the
  author of the German rules: indicative only.
- en amazon / movies / nyt: the other VADER 2014 sets, for the lexicon analysers only (the default
  English model was trained on them; its out-of-domain figures are the leave-one-domain-out ones
  printed by bench/train_sentiment_en.py). This is the comparison the English default was chosen by.
The project's acceptance figures are measured on other held-out sets that are not in this repo.

"default" runs the full path (language detected, per-language analyser); the others are given
the gold language. Run: python bench/sentiment_eval.py [--data DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_sentiment_en import is_held_out_tweet, load

from social_crm.engine.sentiment import analyze, available_analyzers
from social_crm.engine.sentiment.model import macro_f1

ROOT = Path(__file__).resolve().parent.parent
DE_FILE = ROOT / "social_crm/tests/data/sentiment/de_brand_posts.tsv"
REVIEW_DOMAINS = ("amazon", "movies", "nyt")


def negative_prf(gold: list[str], pred: list[str]) -> tuple[float, float, float]:
	tp = sum(g == p == "negative" for g, p in zip(gold, pred, strict=True))
	fp = sum(p == "negative" != g for g, p in zip(gold, pred, strict=True))
	fn = sum(g == "negative" != p for g, p in zip(gold, pred, strict=True))
	precision = tp / (tp + fp) if tp + fp else 0.0
	recall = tp / (tp + fn) if tp + fn else 0.0
	f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
	return precision, recall, f1


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--data", type=Path, default=Path("/work/shared/data/sentiment-en-vader2014"))
	args = parser.parse_args()
	sets = {
		("en", "tweets-B (held out)"): [
			(text, label) for tid, text, label in load(args.data, "tweets") if is_held_out_tweet(tid)
		],
		("de", "self-written brand posts"): [
			(text, label)
			for label, text in (
				line.split("\t", 1) for line in DE_FILE.read_text(encoding="utf-8").splitlines() if line
			)
		],
	}
	print(
		f"{'lang':4} {'set':26} {'n':>5} {'neg%':>5}  {'analyser':10} {'P(neg)':>6} {'R(neg)':>6} {'F1(neg)':>7} {'macroF1':>7}"
	)
	for (lang, name), rows in sets.items():
		gold = [label for _, label in rows]
		share = sum(g == "negative" for g in gold) / len(gold)
		for analyzer in available_analyzers():
			if analyzer == "default":
				pred = [analyze(text).label for text, _ in rows]
			else:
				pred = [analyze(text, lang, analyzer=analyzer).label for text, _ in rows]
			p, r, f = negative_prf(gold, pred)
			print(
				f"{lang:4} {name:26} {len(rows):5} {share:5.2f}  {analyzer:10} {p:6.3f} {r:6.3f} {f:7.3f} {macro_f1(gold, pred):7.3f}"
			)
		p, r, f = negative_prf(gold, ["negative"] * len(gold))
		print(
			f"{lang:4} {name:26} {len(rows):5} {share:5.2f}  {'all-neg':10} {p:6.3f} {r:6.3f} {f:7.3f} {'':>7}"
		)
	for domain in REVIEW_DOMAINS:
		rows = [(text, label) for _tid, text, label in load(args.data, domain)]
		gold = [label for _, label in rows]
		share = sum(g == "negative" for g in gold) / len(gold)
		for analyzer in ("vader", "textblob"):
			pred = [analyze(text, "en", analyzer=analyzer).label for text, _ in rows]
			p, r, f = negative_prf(gold, pred)
			print(
				f"{'en':4} {domain + ' (lexicons only)':26} {len(rows):5} {share:5.2f}  {analyzer:10} {p:6.3f} {r:6.3f} {f:7.3f} {macro_f1(gold, pred):7.3f}"
			)


if __name__ == "__main__":
	main()
