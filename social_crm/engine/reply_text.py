"""What a reply may be on each platform, and saved replies with placeholders.

Limits are the platforms' documented ones for a reply/post: X counts 280 characters with
every URL as 23 (t.co), Mastodon 500 characters with every URL as 23 (the default of
mastodon/mastodon's StatusLengthValidator; an instance may allow more), Bluesky 300
graphemes (app.bsky.feed.post `text` maxGraphemes), Reddit 10,000 characters for a comment.
The desk's counter counts the same way (social_inbox.js) and the server checks before sending,
so a reply the platform would reject is never posted half-way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from social_crm.engine.mention import Platform

URL = re.compile(r"https?://\S+", re.IGNORECASE)
URL_WEIGHT = 23


@dataclass(frozen=True, slots=True)
class ReplyLimit:
	"""`unit` is "characters" (code points, URLs as `url_weight`) or "graphemes"."""

	limit: int
	unit: str = "characters"
	url_weight: int | None = None


REPLY_LIMITS: dict[Platform, ReplyLimit] = {
	Platform.X: ReplyLimit(280, url_weight=URL_WEIGHT),
	Platform.MASTODON: ReplyLimit(500, url_weight=URL_WEIGHT),
	Platform.BLUESKY: ReplyLimit(300, unit="graphemes"),
	Platform.REDDIT: ReplyLimit(10_000),
}


def reply_limit(platform: Platform | str) -> ReplyLimit | None:
	"""The platform's limit, or None where replies are not limited here (or not possible)."""
	try:
		return REPLY_LIMITS.get(Platform(platform))
	except ValueError:
		return None


def reply_length(platform: Platform | str, text: str) -> int:
	"""The length of `text` as the platform counts it against its limit."""
	limit = reply_limit(platform)
	if limit is None or (limit.unit == "characters" and limit.url_weight is None):
		return len(text)
	if limit.unit == "graphemes":
		return len(regex.findall(r"\X", text))
	return len(URL.sub("", text)) + limit.url_weight * len(URL.findall(text))


def too_long(platform: Platform | str, text: str) -> bool:
	limit = reply_limit(platform)
	return limit is not None and reply_length(platform, text) > limit.limit


# --- saved replies ---------------------------------------------------------------------------

PLACEHOLDERS = ("author_name", "author_handle", "customer", "agent_name", "ticket", "platform")
_PLACEHOLDER = re.compile(r"{(" + "|".join(PLACEHOLDERS) + r")}")


def fill(template: str, values: dict[str, str]) -> str:
	"""A saved reply with its placeholders filled in.

	Only the names in PLACEHOLDERS are replaced, by plain substitution: a saved reply is text
	an admin wrote, and `str.format` would let "{0.__class__}" or a stray brace break or leak.
	A placeholder without a value (no customer yet) becomes empty; other braces stay as written.
	"""
	return _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1)) or ""), template)
