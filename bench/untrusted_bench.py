"""Cost of the trust boundary and of the dearest keyword query the limits allow.

Run: .venv/bin/python bench/untrusted_bench.py
Prints the time to build a Mention (every string through engine/untrusted.py) for a short post
and for the hostile server's 80 kB post, and the matching time per mention of a query at the
wildcard limit (`NOT (25 wildcards)`, every word of the post checked against each) for both.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.platform_fakes.hostile import LONG_POST_BYTES
from social_crm.engine.query import MAX_WILDCARDS, parse
from social_crm.engine.text_folding import FoldedText

SHORT = "Acme Cloud ist seit heute Morgen kaputt, ich kündige! Unverschämt. " * 3
LONG = "acme " + " ".join(f"wört{n}" for n in range(LONG_POST_BYTES // 10))  # distinct words: the worst case


def per_call(function, repeat: int) -> float:
	start = time.perf_counter()
	for _ in range(repeat):
		function()
	return (time.perf_counter() - start) / repeat


def mention(text: str) -> Mention:
	return Mention(
		platform=Platform.MASTODON,
		external_id="110000000000000001",
		url="https://mastodon.social/@anna/110000000000000001",
		author=Author(
			handle="anna@mastodon.social", name="Anna 👩\u200d💻", profile_url="https://mastodon.social/@anna"
		),
		text=text,
		posted_at=datetime(2026, 3, 2, tzinfo=timezone.utc),
	)


def main() -> None:
	query = parse("NOT (" + " OR ".join(f"wo{n}rd*" for n in range(MAX_WILDCARDS)) + ")")
	for label, text, repeat in (("short post", SHORT, 2000), ("80 kB post", LONG, 20)):
		build = per_call(lambda text=text: mention(text), repeat)
		folded = FoldedText.of(text)
		match = per_call(lambda folded=folded: query.matches_folded(folded), repeat)
		print(
			f"{label:>11} ({len(text.encode()):>6} bytes, {len(folded.words):>5} words): "
			f"Mention {build * 1e6:8.1f} µs, NOT({MAX_WILDCARDS} wildcards) {match * 1e6:9.1f} µs per mention"
		)


if __name__ == "__main__":
	main()
