"""Throughput and memory of analyze_many on 10,000 mixed English/German posts, one core.

Texts: VADER 2014 tweets and Amazon snippets (English) and the self-written German brand
posts, cycled to 7,000 English + 3,000 German and shuffled; language is detected (the full
production path). Run: taskset -c 0 python bench/sentiment_bench.py [--data DIR]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_sentiment_en import load

from social_crm.engine.sentiment import analyze, analyze_many

ROOT = Path(__file__).resolve().parent.parent
DE_FILE = ROOT / "social_crm/tests/data/sentiment/de_brand_posts.tsv"


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--data", type=Path, default=Path("/work/shared/data/sentiment-en-vader2014"))
	parser.add_argument("--analyzer", default="default")
	args = parser.parse_args()
	english = [text for _, text, _ in load(args.data, "tweets") + load(args.data, "amazon")]
	german = [line.split("\t", 1)[1] for line in DE_FILE.read_text(encoding="utf-8").splitlines() if line]
	texts = list(islice(cycle(english), 7000)) + list(islice(cycle(german), 3000))
	random.Random(1).shuffle(texts)
	tracemalloc.start()
	start = time.perf_counter()
	analyze("warm-up: loads the lexicons and the model", analyzer=args.analyzer)
	load_seconds = time.perf_counter() - start
	_, load_peak = tracemalloc.get_traced_memory()
	tracemalloc.stop()
	start = time.perf_counter()
	results = analyze_many(texts, analyzer=args.analyzer)
	seconds = time.perf_counter() - start
	languages = {}
	for result in results:
		languages[result.language] = languages.get(result.language, 0) + 1
	print(
		f"analyser {args.analyzer}: {len(texts)} texts in {seconds:.2f}s = {len(texts) / seconds:,.0f} texts/s (one process)"
	)
	print(f"first call (loading) {load_seconds:.2f}s, Python heap after loading {load_peak / 1e6:.1f} MB")
	print(
		f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; languages seen {languages}"
	)


if __name__ == "__main__":
	main()
