"""Throughput of the whole engine pipeline per mention, one core: analyse (tokenise and fold
once, language, sentiment, keywords, urgency and intent terms), keep or drop, triage.

10,000 posts (bench_posts.py: 7,000 English, 3,000 German), each as a Mastodon mention; 200
Monitored Keywords from bench/keywords_bench.py's templates plus "acme", and the default
urgency and intent queries. Run: taskset -c 0 python bench/pipeline_bench.py
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_posts import bench_posts
from keywords_bench import brand_universe, keyword_specs

from social_crm.engine.keywords import KeywordSpec
from social_crm.engine.mention import Author, Mention
from social_crm.engine.pipeline import Pipeline

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--keywords", type=int, default=200)
	parser.add_argument("--repeat", type=int, default=3)
	args = parser.parse_args()
	texts = bench_posts()
	rng = random.Random(2)
	mentions = [
		Mention(
			platform="Mastodon",
			external_id=str(i),
			url=f"https://social.example/@u{i}/{i}",
			author=Author(handle=f"u{rng.randrange(3000)}@social.example", name="U"),
			text=text,
			posted_at=NOW - timedelta(minutes=i % 600),
		)
		for i, text in enumerate(texts)
	]
	rng = random.Random(3)
	keywords = [KeywordSpec("Acme", "acme"), *keyword_specs(brand_universe(args.keywords, rng), rng)]
	pipeline = Pipeline(keywords)
	pipeline.analyse(mentions[0])  # loads the models
	best = best_cpu = float("inf")
	for _ in range(args.repeat):
		kept = tickets = 0
		start, cpu = time.perf_counter(), time.process_time()
		for mention in mentions:
			analysis = pipeline.analyse(mention, "acme")
			if pipeline.keeps(mention, analysis, searched=False):
				kept += 1
				decision = pipeline.decide(mention, analysis, now=NOW)
				tickets += decision.action.name == "CREATE_TICKET"
		best = min(best, time.perf_counter() - start)
		best_cpu = min(best_cpu, time.process_time() - cpu)
	print(
		f"pipeline, {len(keywords)} keywords: {len(mentions)} mentions, best of {args.repeat}: {best:.2f}s = "
		f"{len(mentions) / best:,.0f} mentions/s wall clock; {best_cpu:.2f} CPU s = "
		f"{len(mentions) / best_cpu:,.0f} mentions per CPU second (one process); kept {kept}, tickets {tickets} "
		f"({tickets / max(1, kept):.0%})"
	)
	print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
	print("load average at the end (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
	main()
