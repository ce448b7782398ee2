"""Replays a synthetic stream through the spike detector and prints what it raised.

Background: 8 weeks of negative mentions of one keyword, Poisson per hour with a daily cycle
(quiet nights, busy lunchtimes); the first 4 weeks seed the baseline. On top, in the last 4
weeks, five bursts of different sizes and lengths. Prints incidents opened, how many bursts
they caught, false alarms on the background alone, how long each incident stayed open, and the
detector's time per observation. Synthetic data: a check of the rules' behaviour, not of a
real platform's traffic.

    python bench/incidents_bench.py [--seed 7] [--scale 1.0]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from datetime import datetime, timedelta, timezone

from social_crm.engine.incidents import Detector, Observation, SpikeSettings, Subject

KEYWORD = Subject.keyword("Acme Cloud")
START = datetime(2026, 10, 1, tzinfo=timezone.utc)
# mean negative mentions per hour at each hour of day (UTC)
DAILY = [
	0.1,
	0.05,
	0.05,
	0.05,
	0.1,
	0.2,
	0.4,
	0.8,
	1.2,
	1.5,
	1.6,
	1.8,
	2.2,
	2.0,
	1.7,
	1.5,
	1.4,
	1.3,
	1.1,
	0.9,
	0.7,
	0.5,
	0.3,
	0.2,
]
# (day, hour, minutes long, mentions)
BURSTS = [(30, 9, 40, 12), (35, 3, 90, 8), (41, 12, 60, 25), (48, 18, 180, 40), (53, 14, 20, 6)]


def poisson(rng: random.Random, mean: float) -> int:
	limit, k, p = math.exp(-mean), 0, 1.0
	while True:
		p *= rng.random()
		if p <= limit:
			return k
		k += 1


def background(rng: random.Random, days: int, scale: float) -> list[datetime]:
	moments = []
	for hour in range(days * 24):
		at = START + timedelta(hours=hour)
		for _ in range(poisson(rng, DAILY[at.hour] * scale)):
			moments.append(at + timedelta(seconds=rng.randrange(3600)))
	return sorted(moments)


def bursts(rng: random.Random) -> list[tuple[datetime, datetime, list[datetime]]]:
	out = []
	for day, hour, minutes, count in BURSTS:
		begin = START + timedelta(days=day, hours=hour)
		moments = sorted(begin + timedelta(seconds=rng.randrange(minutes * 60)) for _ in range(count))
		out.append((begin, begin + timedelta(minutes=minutes), moments))
	return out


def run(seed: int, scale: float, with_bursts: bool) -> tuple[Detector, list, int, float]:
	rng = random.Random(seed)
	stream = background(rng, 56, scale)
	seed_part = [m for m in stream if m < START + timedelta(days=28)]
	live = [m for m in stream if m >= START + timedelta(days=28)]
	injected = bursts(rng) if with_bursts else []
	for _begin, _end, moments in injected:
		live += moments
	live.sort()
	detector = Detector(settings=SpikeSettings())
	detector.seed(KEYWORD, seed_part)
	clock = time.perf_counter()
	tick = live[0]
	for i, moment in enumerate(live):
		while tick + timedelta(minutes=5) <= moment:
			tick += timedelta(minutes=5)
			detector.tick(tick)
		detector.observe(Observation(at=moment, subjects=(KEYWORD,), negative=True, ref=str(i)))
	detector.tick(live[-1] + timedelta(hours=6))
	elapsed = time.perf_counter() - clock
	return detector, injected, len(live), elapsed


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--scale", type=float, default=1.0, help="multiplies the background rate")
	args = parser.parse_args()

	quiet, _none, observed, _elapsed = run(args.seed, args.scale, with_bursts=False)
	print(
		f"background only: {observed} negative mentions in 28 days -> {len(quiet.incidents)} incidents (false alarms)"
	)

	detector, injected, observed, elapsed = run(args.seed, args.scale, with_bursts=True)
	print(f"with {len(injected)} bursts: {observed} mentions -> {len(detector.incidents)} incidents")
	for (begin, end, moments), (day, hour, minutes, count) in zip(injected, BURSTS, strict=True):
		caught = [i for i in detector.incidents if begin - timedelta(hours=1) <= i.opened_at <= end]
		if caught:
			incident = caught[0]
			delay = (incident.opened_at - moments[0]).total_seconds() / 60
			open_for = ((incident.closed_at or incident.opened_at) - incident.opened_at).total_seconds() / 60
			print(
				f"  burst day {day} {hour:02d}:00, {count} posts in {minutes} min: caught by {len(caught)} incident(s),"
				f" opened {delay:.0f} min after its first post, {len(incident.refs)} mentions, open {open_for:.0f} min"
			)
		else:
			print(f"  burst day {day} {hour:02d}:00, {count} posts in {minutes} min: missed")
	print(f"detector: {elapsed / observed * 1e6:.0f} µs per observation (5-minute ticks included)")


if __name__ == "__main__":
	main()
