"""The mapping between the engine's Mention and a stored Social Mention document.

Frappe keeps naive datetimes in the system time zone, the engine aware UTC ones; the
conversion happens here and nowhere else. Text is the plain text the connector made of the
post (never HTML), HTML-escaped once when it is stored (escaping.py says why Frappe's own
filter is no guard); `stored_text` gives back what the author wrote, for analysis, replies
and anything that escapes it again.

A mention is unique on `mention_key`, a hash of the platform and the post's platform-wide id
(`Mention.key`: the status URI on Mastodon, where ids are per server), so the comparison is
exact whatever the database's collation and the key fits an index whatever the id's length.
The raw payload is kept only when Settings ask for it (it is never printed or shown in reports).
"""

import hashlib
import html
import json
from datetime import datetime, timezone

from pytz import timezone as pytz_timezone

import frappe
from frappe.utils import get_datetime, get_system_timezone

from social_crm.engine.mention import Author, Mention
from social_crm.escaping import LONG_DATA_LENGTH, escape_once

SENTIMENT_LABELS = {"negative": "Negative", "neutral": "Neutral", "positive": "Positive"}
ENGINE_LABELS = {label: key for key, label in SENTIMENT_LABELS.items()}
# The score an agent's reclassification gives: clearly on its side of every threshold.
CORRECTED_SCORES = {"Positive": 0.6, "Neutral": 0.0, "Negative": -0.6}
MAX_RAW_PAYLOAD = 64_000


def to_system_time(moment: datetime | None) -> datetime | None:
	"""An aware datetime as the naive system-time value Frappe stores."""
	if moment is None:
		return None
	return moment.astimezone(pytz_timezone(get_system_timezone())).replace(tzinfo=None)


def to_utc(value) -> datetime | None:
	"""A stored (naive, system time) datetime as aware UTC for the engine."""
	if not value:
		return None
	return pytz_timezone(get_system_timezone()).localize(get_datetime(value)).astimezone(timezone.utc)


def stored_text(value: str | None) -> str:
	"""The post as its author wrote it, undoing Frappe's XSS filter (escape it again to show it)."""
	return html.unescape(value or "")


def mention_key(platform: str, uid: str) -> str:
	"""The unique key of a stored mention: sha256 of platform and platform-wide id, in hex."""
	return hashlib.sha256(f"{platform}\n{uid}".encode()).hexdigest()


def key_of(mention: Mention) -> str:
	return mention_key(*mention.key)


def is_stored(mention: Mention) -> bool:
	return bool(frappe.db.exists("Social Mention", {"mention_key": key_of(mention)}))


def keeps_raw_payload() -> bool:
	return bool(frappe.get_cached_doc("Social CRM Settings").keep_raw_payload)


def mention_values(mention: Mention) -> dict:
	"""The Social Mention fields of an engine Mention (analysis and links are set elsewhere).

	Strings are escaped once here; the engine has already normalised and capped them (and
	dropped every URL that is not a safe http(s) URL), so a long post is stored shortened.
	"""
	raw = json.dumps(mention.raw, ensure_ascii=False, default=str) if keeps_raw_payload() else ""
	return {
		"platform": mention.platform.value,
		"external_id": mention.external_id,
		"mention_key": key_of(mention),
		"url": mention.url,
		"author_handle": escape_once(mention.author.handle, LONG_DATA_LENGTH),
		"author_name": escape_once(mention.author.name, LONG_DATA_LENGTH),
		"text": escape_once(mention.text),
		"language": mention.language or "",
		"posted_at": to_system_time(mention.posted_at),
		"in_reply_to": mention.in_reply_to or "",
		"conversation_id": mention.conversation_id or "",
		"likes": mention.likes,
		"replies": mention.replies,
		"reposts": mention.reposts,
		"raw_payload": (raw if len(raw) <= MAX_RAW_PAYLOAD else json.dumps({"truncated": True})) if raw else None,
	}


def engine_mention(doc) -> Mention:
	"""A stored Social Mention as the engine's Mention (for replies, re-analysis, triage)."""
	profile = frappe.db.get_value(
		"Social Profile",
		doc.social_profile,
		["display_name", "profile_url", "avatar_url", "followers", "verified", "bio"],
		as_dict=True,
	) if doc.social_profile else None
	author = Author(
		handle=stored_text(doc.author_handle),
		name=stored_text(doc.author_name),
		profile_url=(profile or {}).get("profile_url") or "",
		avatar_url=(profile or {}).get("avatar_url") or "",
		followers=(profile or {}).get("followers"),
		verified=bool((profile or {}).get("verified")),
		bio=stored_text((profile or {}).get("bio")),
	)
	return Mention(
		platform=doc.platform,
		external_id=doc.external_id,
		url=doc.url or "",
		author=author,
		text=stored_text(doc.text),
		posted_at=to_utc(doc.posted_at) or datetime.now(timezone.utc),
		language=doc.language or None,
		in_reply_to=doc.in_reply_to or None,
		conversation_id=doc.conversation_id or None,
		likes=doc.likes or 0,
		replies=doc.replies or 0,
		reposts=doc.reposts or 0,
		raw=json.loads(doc.raw_payload) if isinstance(doc.raw_payload, str) and doc.raw_payload else (doc.raw_payload or {}),
	)
