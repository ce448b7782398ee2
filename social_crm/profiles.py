"""Authors become Social Profiles; the engine decides the key and the counters.

A new author gets a profile without a customer, so their history accumulates until an agent
links it; a linked profile gives every new mention its customer.

Profiles are found by `handle_key`, a hash of the platform and the engine's normalised handle
(`matching.profile_key`: user@instance on Mastodon), never by comparing `handle` with "=":
the database collation is case- and accent-insensitive, so "mallóry@evil.example" would be
the profile of "mallory@evil.example". Display values are escaped once (escaping.py).
"""

import hashlib
import html
from urllib.parse import urlsplit

import frappe

from social_crm.engine.matching import ProfileStats, add_mention, profile_key
from social_crm.engine.mention import Mention, Platform
from social_crm.escaping import LONG_DATA_LENGTH, escape_once
from social_crm.stored_mention import to_system_time, to_utc

BIO_LENGTH = 30_000


def handle_key(platform: str, handle: str) -> str:
	"""The unique key of a profile: sha256 of platform and normalised handle, in hex."""
	return hashlib.sha256(f"{platform}\n{handle}".encode()).hexdigest()


def key_of_stored(platform: str, stored_handle: str) -> str:
	"""The key of a profile as stored (the handle escaped once, maybe typed in by hand)."""
	handle = html.unescape(stored_handle or "").strip()
	try:
		platform, handle = profile_key(platform, handle)
	except ValueError:
		handle = handle.lstrip("@")
	return handle_key(platform, handle)


def instance_of(account) -> str | None:
	"""The Mastodon server of the account, which local handles (without @server) belong to."""
	if account is None or account.platform != Platform.MASTODON.value or not account.base_url:
		return None
	return urlsplit(account.base_url).hostname


def profile_for(mention: Mention, account=None):
	"""The author's Social Profile, created on first sight and refreshed with what the platform says."""
	platform, handle = profile_key(mention.platform, mention.author.handle, instance_of(account))
	key = handle_key(platform, handle)
	name = frappe.db.get_value("Social Profile", {"handle_key": key})
	author = mention.author
	values = {
		"display_name": escape_once(author.name, LONG_DATA_LENGTH) or None,
		"profile_url": author.profile_url or None,
		"avatar_url": author.avatar_url or None,
		"followers": author.followers,
		"bio": escape_once(author.bio, BIO_LENGTH) or None,
	}
	values = {key: value for key, value in values.items() if value is not None}
	if name:
		profile = frappe.get_doc("Social Profile", name)
		profile.update(values)
		if author.verified:
			profile.verified = 1
		return profile
	profile = frappe.get_doc(
		{
			"doctype": "Social Profile",
			"platform": platform,
			"handle": escape_once(handle, LONG_DATA_LENGTH),
			"handle_key": key,
			"verified": int(author.verified),
			"first_seen": to_system_time(mention.posted_at),
			**values,
		}
	)
	profile.insert(ignore_permissions=True)
	return profile


def record_mention(profile, sentiment_score: float | None, posted_at) -> None:
	"""Counts one newly stored mention on the profile (only call it for new rows)."""
	stats = ProfileStats(
		mention_count=profile.mention_count or 0,
		last_mention_at=to_utc(profile.last_mention_at),
		average_sentiment=profile.average_sentiment if profile.mention_count else None,
	)
	stats = add_mention(stats, sentiment_score, posted_at)
	profile.mention_count = stats.mention_count
	profile.last_mention_at = to_system_time(stats.last_mention_at)
	profile.average_sentiment = stats.average_sentiment
	profile.save(ignore_permissions=True)
