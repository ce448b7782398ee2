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
	Social Profile is matched on; the rest is display information that may change.
	"""

	handle: str
	name: str = ""
	profile_url: str = ""
	avatar_url: str = ""
	followers: int | None = None
	verified: bool = False
	bio: str = ""


@dataclass(slots=True)
class Mention:
	"""One post that mentions a monitored keyword or the account's own handle.

	`external_id` is the platform's id, unique per platform: (platform, external_id) is the
	key that makes re-fetching idempotent. `text` is plain text (HTML already stripped);
	`posted_at` is timezone-aware UTC. `raw` keeps the platform's payload for auditing.
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

	def __post_init__(self) -> None:
		if not self.external_id:
			raise ValueError("a Mention needs the platform's external id")
		if self.posted_at.tzinfo is None:
			raise ValueError("posted_at must be timezone-aware")
		self.platform = Platform(self.platform)
		self.posted_at = self.posted_at.astimezone(timezone.utc)

	@property
	def key(self) -> tuple[str, str]:
		"""The idempotency key: one stored mention per (platform, external id)."""
		return (self.platform.value, self.external_id)

	def to_dict(self, *, include_raw: bool = False) -> dict[str, Any]:
		"""A JSON-ready dict (ISO timestamps, platform as its desk label)."""
		data = asdict(self)
		data["platform"] = self.platform.value
		data["posted_at"] = self.posted_at.isoformat()
		if not include_raw:
			data.pop("raw")
		return data
