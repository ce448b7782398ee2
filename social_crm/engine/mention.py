"""The normalised Mention every connector returns.

Each platform speaks its own JSON; everything after the connector (analysis, matching,
triage, storage) sees only these types, so a new platform never touches the rest of the
pipeline. Values are plain and timezone-aware so the Frappe shell can store them as-is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from social_crm.engine import untrusted


class Platform(str, Enum):
	"""The platforms an account can be on; the values are the Select options in the desk."""

	MASTODON = "Mastodon"
	BLUESKY = "Bluesky"
	REDDIT = "Reddit"
	X = "X"
	HACKER_NEWS = "Hacker News"
	RSS = "RSS/Atom"
	FACEBOOK = "Facebook"
	INSTAGRAM = "Instagram"
	YOUTUBE = "YouTube"

	def __str__(self) -> str:
		return self.value


# Short names for command lines and data files.
PLATFORM_SLUGS = {
	"mastodon": Platform.MASTODON,
	"bluesky": Platform.BLUESKY,
	"reddit": Platform.REDDIT,
	"x": Platform.X,
	"hackernews": Platform.HACKER_NEWS,
	"rss": Platform.RSS,
	"facebook": Platform.FACEBOOK,
	"instagram": Platform.INSTAGRAM,
	"youtube": Platform.YOUTUBE,
}


@dataclass(frozen=True, slots=True)
class Author:
	"""Who wrote a post, as far as the platform tells.

	`handle` is the platform's stable account name (without a leading @), the key a
	Social Profile is matched on; the rest is display information that may change. Every
	field is normalised by `untrusted` on construction (no invisible characters in handle
	and name, URLs only as safe http(s) URLs, lengths capped).
	"""

	handle: str
	name: str = ""
	profile_url: str = ""
	avatar_url: str = ""
	followers: int | None = None
	verified: bool = False
	bio: str = ""

	def __post_init__(self) -> None:
		clean = {
			"handle": untrusted.clean_handle(self.handle),
			"name": untrusted.clean_name(self.name),
			"profile_url": untrusted.clean_url(self.profile_url, untrusted.AUTHOR_URL_LENGTH),
			"avatar_url": untrusted.clean_url(self.avatar_url, untrusted.AUTHOR_URL_LENGTH),
			"followers": _count(self.followers) if self.followers is not None else None,
			"verified": bool(self.verified),
			"bio": untrusted.clean_text(self.bio, untrusted.BIO_LENGTH),
		}
		for name, value in clean.items():
			object.__setattr__(self, name, value)


@dataclass(slots=True)
class Mention:
	"""One post that mentions a monitored keyword or the account's own handle.

	`external_id` is the platform's id for the post, the one its API answers to (replies).
	`uid` is the post's platform-wide identity where `external_id` is not (Mastodon ids are
	per server; the status URI is global); `key` uses it. `text` is plain text (HTML already
	stripped); `posted_at` is timezone-aware UTC. `raw` keeps the platform's payload for
	auditing. Strings pass through `untrusted` on construction, so whatever a connector
	read, the rest of the pipeline sees normalised, capped text and safe URLs.
	"""

	platform: Platform
	external_id: str
	url: str
	author: Author
	text: str
	posted_at: datetime
	language: str | None = None
	in_reply_to: str | None = None
	conversation_id: str | None = None
	likes: int = 0
	replies: int = 0
	reposts: int = 0
	raw: dict[str, Any] = field(default_factory=dict, repr=False)
	uid: str = ""

	def __post_init__(self) -> None:
		self.external_id = untrusted.clean_id(self.external_id)
		if not self.external_id:
			raise ValueError("a Mention needs the platform's external id")
		if self.posted_at.tzinfo is None:
			raise ValueError("posted_at must be timezone-aware")
		self.platform = Platform(self.platform)
		self.posted_at = self.posted_at.astimezone(timezone.utc)
		self.url = untrusted.clean_url(self.url)
		self.text = untrusted.clean_text(self.text)
		self.language = untrusted.clean_language(self.language)
		self.in_reply_to = untrusted.clean_id(self.in_reply_to) or None
		self.conversation_id = untrusted.clean_id(self.conversation_id) or None
		self.uid = untrusted.clean_id(self.uid, untrusted.URL_LENGTH)
		self.likes, self.replies, self.reposts = (_count(n) for n in (self.likes, self.replies, self.reposts))
		if not isinstance(self.author, Author):
			raise TypeError("a Mention's author is an Author")

	@property
	def key(self) -> tuple[str, str]:
		"""The idempotency key: one stored mention per (platform, platform-wide id)."""
		return (self.platform.value, self.uid or self.external_id)

	def to_dict(self, *, include_raw: bool = False) -> dict[str, Any]:
		"""A JSON-ready dict (ISO timestamps, platform as its desk label)."""
		data = asdict(self)
		data["platform"] = self.platform.value
		data["posted_at"] = self.posted_at.isoformat()
		if not include_raw:
			data.pop("raw")
		return data


def _count(value: Any) -> int:
	"""A counter from a platform (likes, followers): a non-negative int that fits the database."""
	try:
		number = int(value or 0)
	except (TypeError, ValueError, OverflowError):
		return 0
	return min(max(number, 0), 2**31 - 1)
