"""Connector figures: requests per idle poll, backlog throughput, normalisation speed.

Run: .venv/bin/python bench/connectors_bench.py [--backlog 10000]
Everything runs against the local platform servers (real HTTP on 127.0.0.1), so the backlog
figure includes the fake server's own work (filtering, JSON encoding) as well as the client's.
"""

from __future__ import annotations

import argparse
import time

from social_crm.engine.connectors.base import AccountConfig, get_connector
from social_crm.engine.platform_fakes.bluesky import FakeBluesky
from social_crm.engine.platform_fakes.facebook import FakeFacebook
from social_crm.engine.platform_fakes.hackernews import FakeHackerNews
from social_crm.engine.platform_fakes.instagram import FakeInstagram
from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.platform_fakes.reddit import FakeReddit
from social_crm.engine.platform_fakes.rss import FakeFeeds
from social_crm.engine.platform_fakes.x import FakeX
from social_crm.engine.platform_fakes.youtube import CHANNEL, FakeYouTube

QUERIES = ["Acme", "Cloud"]


def setups():
	yield "Mastodon", FakeMastodon(token="t"), {"access_token": "t"}, {}
	yield "Bluesky", FakeBluesky(app_password="p"), {"app_password": "p"}, {"own_handle": "acme.bsky.social"}
	yield (
		"Reddit",
		FakeReddit(client_secret="s", password="p"),
		{"client_id": "reddit-client", "client_secret": "s", "username": "acme_support", "password": "p"},
		{"auth": True},
	)
	yield "X", FakeX(bearer_token="b"), {"bearer_token": "b"}, {}
	yield "Hacker News", FakeHackerNews(), {}, {}
	yield "RSS/Atom", FakeFeeds(), {}, {"path": "/feed.xml"}
	# Company pages: the seeded posts are comments on the page's pinned post / media / video.
	yield "Facebook", FakeFacebook(token="t"), {"access_token": "t"}, {"own_handle": "1000001"}
	yield "Instagram", FakeInstagram(token="t"), {"access_token": "t"}, {"own_handle": "17841400000000001"}
	yield "YouTube", FakeYouTube(api_key="k"), {"api_key": "k"}, {"own_handle": CHANNEL}


def account(platform, fake, credentials, extra, **overrides):
	return AccountConfig(
		platform=platform,
		base_url=fake.base_url + extra.get("path", ""),
		auth_url=fake.base_url if extra.get("auth") else "",
		own_handle=extra.get("own_handle", ""),
		credentials=credentials,
		**overrides,
	)


def idle_polls() -> None:
	print(f"== requests per poll with nothing new (queries: {QUERIES}) ==")
	for platform, fake, credentials, extra in setups():
		with fake:
			fake.add_many(60, text="Acme Cloud post {n}")
			connector = get_connector(account(platform, fake, credentials, extra))
			first = connector.fetch(QUERIES, {})
			again = connector.fetch(QUERIES, first.cursor)
			streams = len(first.cursor)
			print(
				f"{platform:12s} streams={streams}  first poll: {first.requests:3d} requests, {len(first.mentions):3d} mentions | idle poll: {again.requests} requests ({again.requests / streams:.1f} per stream), {len(again.mentions)} mentions"
			)


def backlog(count: int) -> None:
	print(f"\n== {count:,}-post backlog served over HTTP, drained in one poll (page_limit unbounded) ==")
	for platform, fake, credentials, extra in setups():
		if platform in ("RSS/Atom", "Facebook", "Instagram", "YouTube"):
			continue  # company-page fakes look comments up by scanning: not built for 10,000
		with fake:
			fake.add_many(count, text="Acme Cloud Beitrag {n} mit Umlauten äöü 🎉")
			connector = get_connector(account(platform, fake, credentials, extra, page_limit=100_000))
			start = time.perf_counter()
			result = connector.fetch(["Acme"], {})
			elapsed = time.perf_counter() - start
			print(
				f"{platform:12s} {len(result.mentions):6d} mentions, {result.requests:4d} requests ({connector.page_size}/page), {elapsed:6.2f} s, {len(result.mentions) / elapsed:8.0f} mentions/s"
			)


def normalisation(count: int) -> None:
	print(f"\n== normalisation alone (platform JSON -> Mention), {count:,} items, no HTTP ==")
	cases = []
	mastodon = FakeMastodon()
	mastodon.add_many(
		count, text='<p>Acme Cloud <a href="https://x.example">Link</a> Grüße &amp; 🎉<br>zweite Zeile</p>'
	)
	connector = get_connector(AccountConfig("Mastodon", "http://127.0.0.1:9"))
	cases.append(("Mastodon", [mastodon.status(p) for p in mastodon.posts], connector.to_mention))
	bluesky = FakeBluesky()
	bluesky.add_many(count, text="Acme Cloud Grüße 🎉")
	connector = get_connector(AccountConfig("Bluesky", "http://127.0.0.1:9"))
	cases.append(("Bluesky", [bluesky.post_view(p) for p in bluesky.posts], connector.to_mention))
	x = FakeX()
	x.add_many(count, text="Acme Cloud & Grüße 🎉")
	connector = get_connector(AccountConfig("X", "http://127.0.0.1:9"))
	users = {p.author: x.user(p.author) for p in x.posts[:1]}
	user = next(iter(users.values()))
	cases.append(("X", [x.tweet(p) for p in x.posts], lambda t, c=connector, u=user: c.to_mention(t, u)))
	hn = FakeHackerNews()
	hn.add_many(count, text="<p>Acme Cloud&#x27;s <i>pricing</i> Grüße", kind="comment")
	connector = get_connector(AccountConfig("Hacker News", "http://127.0.0.1:9"))
	cases.append(("Hacker News", [hn.hit(p) for p in hn.posts], connector.to_mention))
	reddit = FakeReddit()
	reddit.add_many(count, text="Acme Cloud Grüße 🎉", title="Acme Cloud?")
	connector = get_connector(AccountConfig("Reddit", "http://127.0.0.1:9"))
	cases.append(("Reddit", [reddit.thing(p) for p in reddit.posts], connector.to_mention))
	for name, items, convert in cases:
		start = time.perf_counter()
		for item in items:
			convert(item)
		elapsed = time.perf_counter() - start
		print(
			f"{name:12s} {len(items) / elapsed:9.0f} mentions/s ({elapsed * 1e6 / len(items):5.1f} µs each)"
		)


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--backlog", type=int, default=10_000)
	args = parser.parse_args()
	idle_polls()
	backlog(args.backlog)
	normalisation(args.backlog)


if __name__ == "__main__":
	main()
