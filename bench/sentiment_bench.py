"""Throughput and memory of language detection + sentiment, one core.

10,000 posts (bench_posts.py: 7,000 English SemEval tweets, 3,000 German SB-10k / GermEval
posts, shuffled); the language is detected, as in production. Prints posts/s, the time and
Python heap to load the models, and the process's peak RSS.
Run: taskset -c 0 python bench/sentiment_bench.py [--analyzer default]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_posts import bench_posts

from social_crm.engine.sentiment import analyze, analyze_many
from social_crm.engine.sentiment.model import SHIPPED_FILES


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--analyzer", default="default")
	parser.add_argument("--repeat", type=int, default=3)
	args = parser.parse_args()
	texts = bench_posts()
	start = time.perf_counter()
	analyze("warm-up: loads the English model", analyzer=args.analyzer)
	analyze("Aufwärmen: lädt das deutsche Modell", "de", analyzer=args.analyzer)
	load_seconds = time.perf_counter() - start
	rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
	best = best_cpu = float("inf")
	for _ in range(args.repeat):  # the first pass also fills the per-word caches
		start, cpu = time.perf_counter(), time.process_time()
		results = analyze_many(texts, analyzer=args.analyzer)
		best = min(best, time.perf_counter() - start)
		best_cpu = min(best_cpu, time.process_time() - cpu)
	languages: dict[str, int] = {}
	for result in results:
		languages[result.language] = languages.get(result.language, 0) + 1
	sizes = {
		name: resources.files("social_crm.engine.sentiment.data").joinpath(name).stat().st_size
		if hasattr(resources.files("social_crm.engine.sentiment.data").joinpath(name), "stat")
		else len(resources.files("social_crm.engine.sentiment.data").joinpath(name).read_bytes())
		for name in SHIPPED_FILES.values()
	}
	print(
		f"analyser {args.analyzer}: {len(texts)} posts, language detection + sentiment, best of {args.repeat}: "
		f"{best:.2f}s = {len(texts) / best:,.0f} posts/s wall clock; {best_cpu:.2f} CPU s = "
		f"{len(texts) / best_cpu:,.0f} posts per CPU second (one process)"
	)
	print(f"loading both models {load_seconds:.2f}s; peak RSS after loading {rss_loaded:.0f} MB")
	print("load average at the end (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
	print(
		f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; languages {languages}"
	)
	print("shipped model files: " + ", ".join(f"{n} {s / 1e6:.2f} MB" for n, s in sizes.items()))


if __name__ == "__main__":
	main()
