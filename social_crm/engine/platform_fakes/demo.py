"""Start every platform fake seeded with the bundled sample posts, for `social-crm demo`.

The demo runs the production connectors against these servers, so what it shows is what a
real poll does. Accounts come back as AccountConfigs already pointing at 127.0.0.1.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from social_crm.engine.connectors.base import AccountConfig
from social_crm.engine.mention import PLATFORM_SLUGS, Platform
from social_crm.engine.platform_fakes.bluesky import FakeBluesky
from social_crm.engine.platform_fakes.facebook import FakeFacebook
from social_crm.engine.platform_fakes.hackernews import FakeHackerNews
from social_crm.engine.platform_fakes.instagram import FakeInstagram
from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.platform_fakes.reddit import FakeReddit
from social_crm.engine.platform_fakes.rss import FakeFeeds
from social_crm.engine.platform_fakes.server import SEED_EPOCH, FakePlatform, SeedPost
from social_crm.engine.platform_fakes.x import FakeX
from social_crm.engine.platform_fakes.youtube import CHANNEL, FakeYouTube

DEMO_QUERIES = ["Acme", "#AcmeCloud"]
DEMO_PAGE = "1000001"
DEMO_IG_USER = "17841400000000001"
_SEED_FIELDS = {
	"author",
	"author_name",
	"lang",
	"title",
	"likes",
	"replies",
	"reposts",
	"followers",
	"own_mention",
	"kind",
	"link",
}


@dataclass
class DemoPlatforms:
	"""Running fakes and the accounts (with demo credentials) that poll them."""

	accounts: list[AccountConfig]
	queries: list[str]
	fakes: dict[Platform, FakePlatform] = field(default_factory=dict)


def load_sample_posts(path: Path | None = None) -> list[dict[str, Any]]:
	if path is None:
		text = (
			resources.files("social_crm.engine.platform_fakes")
			.joinpath("sample_posts.json")
			.read_text("utf-8")
		)
	else:
		text = path.read_text("utf-8")
	return json.loads(text)["posts"]


@contextmanager
def running_demo_platforms(path: Path | None = None) -> Iterator[DemoPlatforms]:
	"""Start all fakes seeded with the sample posts; stop them when the block ends."""
	fakes: dict[Platform, FakePlatform] = {
		Platform.MASTODON: FakeMastodon(token="demo-mastodon-token"),
		Platform.BLUESKY: FakeBluesky(app_password="demo-app-password"),
		Platform.REDDIT: FakeReddit(client_secret="demo-reddit-secret", password="demo-reddit-password"),
		Platform.X: FakeX(bearer_token="demo-x-bearer", user_token="demo-x-user"),
		Platform.HACKER_NEWS: FakeHackerNews(),
		Platform.RSS: FakeFeeds(),
		Platform.FACEBOOK: FakeFacebook(token="demo-page-token", page_id=DEMO_PAGE),
		Platform.INSTAGRAM: FakeInstagram(token="demo-instagram-token", user_id=DEMO_IG_USER),
		Platform.YOUTUBE: FakeYouTube(api_key="demo-youtube-key"),
	}
	ids: dict[str, str] = {}
	for item in sorted(load_sample_posts(path), key=lambda p: p["minutes"]):
		fake = fakes[PLATFORM_SLUGS[item["platform"]]]
		seed = SeedPost(text=item["text"], created_at=SEED_EPOCH + timedelta(minutes=item["minutes"]))
		for name in _SEED_FIELDS & item.keys():
			setattr(seed, name, item[name])
		if item.get("reply_to"):
			seed.reply_to = ids[item["reply_to"]]
		ids[item["ref"]] = fake.add_post(seed).id
	with ExitStack() as stack:
		for fake in fakes.values():
			stack.enter_context(fake)
		accounts = [
			AccountConfig(
				Platform.MASTODON,
				fakes[Platform.MASTODON].base_url,
				"acme",
				{"access_token": "demo-mastodon-token"},
				name="Demo Mastodon",
			),
			AccountConfig(
				Platform.BLUESKY,
				fakes[Platform.BLUESKY].base_url,
				"acme.bsky.social",
				{"app_password": "demo-app-password"},
				name="Demo Bluesky",
			),
			AccountConfig(
				Platform.REDDIT,
				fakes[Platform.REDDIT].base_url,
				"acme_support",
				{
					"client_id": "reddit-client",
					"client_secret": "demo-reddit-secret",
					"username": "acme_support",
					"password": "demo-reddit-password",
				},
				auth_url=fakes[Platform.REDDIT].base_url,
				name="Demo Reddit",
			),
			AccountConfig(
				Platform.X,
				fakes[Platform.X].base_url,
				"acme",
				{"bearer_token": "demo-x-bearer", "user_access_token": "demo-x-user"},
				name="Demo X",
			),
			AccountConfig(
				Platform.HACKER_NEWS, fakes[Platform.HACKER_NEWS].base_url, name="Demo Hacker News"
			),
			AccountConfig(Platform.RSS, fakes[Platform.RSS].base_url + "/feed.xml", name="Demo feed"),
			AccountConfig(
				Platform.FACEBOOK,
				fakes[Platform.FACEBOOK].base_url,
				DEMO_PAGE,
				{"access_token": "demo-page-token"},
				name="Demo Facebook Page",
			),
			AccountConfig(
				Platform.INSTAGRAM,
				fakes[Platform.INSTAGRAM].base_url,
				DEMO_IG_USER,
				{"access_token": "demo-instagram-token"},
				name="Demo Instagram",
			),
			AccountConfig(
				Platform.YOUTUBE,
				fakes[Platform.YOUTUBE].base_url,
				CHANNEL,
				{"api_key": "demo-youtube-key"},
				name="Demo YouTube channel",
			),
		]
		yield DemoPlatforms(accounts=accounts, queries=list(DEMO_QUERIES), fakes=fakes)
