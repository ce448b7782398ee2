"""Push deliveries from Meta (Facebook Page, Instagram) and YouTube, checked and read.

Plain functions, no I/O: the Frappe endpoint hands them the raw request and stores what they
return, so everything that decides whether a delivery is genuine and what it means is tested
here.

Meta (developers.facebook.com/docs/graph-api/webhooks/getting-started):
* Verification: GET with `hub.mode=subscribe`, `hub.verify_token` (the token the admin typed
  into the App Dashboard) and `hub.challenge`, which is echoed only when the token matches.
* Deliveries: POST with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body keyed
  with the app secret>`, body `{"object": "page"|"instagram", "entry": [{"id", "time",
  "changes": [{"field", "value"}]}]}`. Meta retries a delivery that is not answered 200 fast.
* Page `feed` changes: `{"item": "comment"|"post"|"status"|..., "verb": "add"|"edited"|
  "remove"|"hide"|"unhide", "comment_id", "post_id", "parent_id", "from": {"id", "name"},
  "message", "created_time"}`.
* Instagram `comments`: `{"id", "text", "from": {"id", "username"}, "media": {"id"},
  "parent_id"}`; `mentions`: `{"media_id", "comment_id"}`: only ids, read back through the API.

YouTube (developers.google.com/youtube/v3/guides/push_notifications): PubSubHubbub posts an
Atom entry per new or changed video (`yt:videoId`, `yt:channelId`); it is only a hint to poll
that video's comments through the API, so a forged one can cost quota but never plants text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import feedparser

from social_crm.engine.connectors.base import Secret
from social_crm.engine.connectors.facebook import facebook_author
from social_crm.engine.connectors.graph import ModerationEvent, graph_time
from social_crm.engine.connectors.instagram import profile_url
from social_crm.engine.mention import Author, Mention, Platform

_SIGNATURE = re.compile(r"sha256=([0-9a-fA-F]{64})")
_CHALLENGE = re.compile(r"[A-Za-z0-9_.~-]{1,256}")  # Meta sends digits; text/plain either way
MAX_BODY = 1_000_000  # Meta batches up to 1000 changes; a megabyte is far above that
FEED_MODERATION = {"remove": "Deleted", "hide": "Hidden", "unhide": ""}


class BadDelivery(ValueError):
	"""The body is not a delivery we understand (after its signature was accepted)."""


# --- authenticity --------------------------------------------------------------------------


def _plain(value: str | Secret) -> str:
	return value.reveal() if isinstance(value, Secret) else str(value or "")


def signature_valid(raw_body: bytes, header: str | None, app_secret: str | Secret) -> bool:
	"""X-Hub-Signature-256 against the raw body; constant-time; a missing part is a no.
	The app secret may come as a Secret (the shell's), revealed only for the HMAC."""
	if not header or not app_secret or not isinstance(raw_body, bytes | bytearray):
		return False
	match = _SIGNATURE.fullmatch(header.strip())
	if match is None:
		return False
	expected = hmac.new(_plain(app_secret).encode(), bytes(raw_body), hashlib.sha256).hexdigest()
	return hmac.compare_digest(expected, match.group(1).lower())


def sign(raw_body: bytes, app_secret: str) -> str:
	"""The header value Meta would send (for tests and the demo)."""
	return "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def verification_answer(params: Mapping[str, Any], verify_tokens: Iterable[str | Secret]) -> str | None:
	"""The challenge to echo for a genuine subscription handshake, else None (answer 403)."""
	if params.get("hub.mode") != "subscribe":
		return None
	given = params.get("hub.verify_token")
	challenge = params.get("hub.challenge")
	if not isinstance(given, str) or not given or not isinstance(challenge, str):
		return None
	if not _CHALLENGE.fullmatch(challenge):
		return None
	matched = False
	for token in verify_tokens:
		if token and hmac.compare_digest(_plain(token).encode(), given.encode()):
			matched = True  # no early exit: every configured token is compared
	return challenge if matched else None


def delivery_key(raw_body: bytes) -> str:
	"""Meta re-sends the same bytes when it retries: the hash names one delivery."""
	return hashlib.sha256(raw_body).hexdigest()


# --- Meta deliveries -----------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookEvent:
	"""One change for one Page / IG account (`account_id`), as the shell should apply it.

	Exactly one of: `mention` (store it), `moderation` (mark a stored mention), `lookup`
	(("comment" | "mentioned_comment" | "mentioned_media", id): read it through the API first;
	`mention` may then hold what the delivery itself said, as a fallback).
	"""

	platform: Platform
	account_id: str
	mention: Mention | None = None
	moderation: ModerationEvent | None = None
	lookup: tuple[str, str] | None = None


def load_delivery(raw_body: bytes) -> dict[str, Any]:
	if len(raw_body) > MAX_BODY:
		raise BadDelivery("delivery too large")
	try:
		payload = json.loads(raw_body.decode("utf-8"))
	except (UnicodeDecodeError, ValueError):
		raise BadDelivery("delivery is not JSON") from None
	if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
		raise BadDelivery("delivery has no entry list")
	return payload


def parse_meta_delivery(raw_body: bytes) -> list[WebhookEvent]:
	"""Every event of a Facebook Page or Instagram delivery; unknown fields are skipped."""
	payload = load_delivery(raw_body)
	kind = payload.get("object")
	events: list[WebhookEvent] = []
	for entry in payload["entry"]:
		if not isinstance(entry, dict) or not entry.get("id"):
			continue
		account_id = str(entry["id"])
		sent_at = _entry_time(entry.get("time"))
		for change in entry.get("changes") or []:
			if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
				continue
			try:
				if kind == "page" and change.get("field") == "feed":
					event = page_feed_event(account_id, change["value"], sent_at)
				elif kind == "instagram":
					event = instagram_event(account_id, change.get("field"), change["value"], sent_at)
				else:
					event = None
			except (KeyError, TypeError, ValueError):
				event = None  # one odd change never costs the others
			if event is not None:
				events.append(event)
	return events


def page_feed_event(page_id: str, value: Mapping[str, Any], sent_at: datetime) -> WebhookEvent | None:
	item, verb = value.get("item"), value.get("verb")
	object_id = str(value.get("comment_id") or value.get("post_id") or "")
	if not object_id or item in ("reaction", "like", "share"):
		return None
	if verb in FEED_MODERATION:
		return WebhookEvent(
			Platform.FACEBOOK,
			page_id,
			moderation=ModerationEvent("Facebook", object_id, FEED_MODERATION[verb]),
		)
	if verb != "add":
		return None  # edits keep the first stored text; polling is the safety net
	author = value.get("from") or {}
	if str(author.get("id") or "") == page_id:
		return None  # the Page itself (our own replies)
	post_id = str(value.get("post_id") or "")
	created = value.get("created_time")
	posted_at = graph_time(created) if created is not None else sent_at
	if item == "comment":
		parent = str(value.get("parent_id") or post_id)
		mention = Mention(
			platform=Platform.FACEBOOK,
			external_id=object_id,
			url=f"https://www.facebook.com/{post_id}?comment_id={object_id.split('_')[-1]}"
			if post_id
			else f"https://www.facebook.com/{object_id}",
			author=facebook_author(author, object_id),
			text=str(value.get("message") or ""),
			posted_at=posted_at,
			in_reply_to=parent,
			conversation_id=parent if parent != post_id else object_id,
			raw=dict(value),
		)
	elif item in ("post", "status", "photo", "video"):
		mention = Mention(
			platform=Platform.FACEBOOK,
			external_id=post_id or object_id,
			url=f"https://www.facebook.com/{post_id or object_id}",
			author=facebook_author(author, object_id),
			text=str(value.get("message") or ""),
			posted_at=posted_at,
			conversation_id=post_id or object_id,
			raw=dict(value),
		)
	else:
		return None
	return WebhookEvent(Platform.FACEBOOK, page_id, mention=mention)


def instagram_event(
	user_id: str, field: Any, value: Mapping[str, Any], sent_at: datetime
) -> WebhookEvent | None:
	if field == "mentions":
		if value.get("comment_id"):
			return WebhookEvent(
				Platform.INSTAGRAM, user_id, lookup=("mentioned_comment", str(value["comment_id"]))
			)
		if value.get("media_id"):
			return WebhookEvent(
				Platform.INSTAGRAM, user_id, lookup=("mentioned_media", str(value["media_id"]))
			)
		return None
	if field not in ("comments", "live_comments") or not value.get("id"):
		return None
	author = value.get("from") or {}
	if str(author.get("id") or "") == user_id or author.get("self_ig_scoped_id"):
		return None
	username = str(author.get("username") or "")
	media_id = str((value.get("media") or {}).get("id") or "")
	comment_id = str(value["id"])
	fallback = Mention(
		platform=Platform.INSTAGRAM,
		external_id=comment_id,
		url="",  # the media's permalink comes with the look-up
		author=Author(handle=username or f"unknown:{comment_id}", profile_url=profile_url(username)),
		text=str(value.get("text") or ""),
		posted_at=sent_at,
		in_reply_to=str(value.get("parent_id") or media_id) or None,
		conversation_id=str(value.get("parent_id") or comment_id),
		raw=dict(value),
	)
	return WebhookEvent(Platform.INSTAGRAM, user_id, mention=fallback, lookup=("comment", comment_id))


def _entry_time(value: Any) -> datetime:
	try:
		return graph_time(value)
	except (TypeError, ValueError, OverflowError, OSError):
		return datetime.now(timezone.utc)


# --- YouTube PubSubHubbub ------------------------------------------------------------------


@dataclass(frozen=True)
class VideoNotice:
	channel_id: str
	video_id: str


def parse_youtube_push(raw_body: bytes) -> list[VideoNotice]:
	"""The videos an Atom push names (deleted-entry notices name none)."""
	if len(raw_body) > MAX_BODY:
		raise BadDelivery("delivery too large")
	feed = feedparser.parse(raw_body)
	notices = []
	for entry in feed.entries:
		video_id = str(entry.get("yt_videoid") or "")
		channel_id = str(entry.get("yt_channelid") or "")
		if re.fullmatch(r"[A-Za-z0-9_-]{11}", video_id) and re.fullmatch(r"UC[A-Za-z0-9_-]{22}", channel_id):
			notices.append(VideoNotice(channel_id, video_id))
	return notices


def youtube_verification_answer(params: Mapping[str, Any], channel_ids: Iterable[str]) -> str | None:
	"""PubSubHubbub intent check: echo the challenge for a topic that is one of our channels."""
	if params.get("hub.mode") not in ("subscribe", "unsubscribe"):
		return None
	topic, challenge = params.get("hub.topic"), params.get("hub.challenge")
	if not isinstance(topic, str) or not isinstance(challenge, str) or not _CHALLENGE.fullmatch(challenge):
		return None
	match = re.search(r"[?&]channel_id=(UC[A-Za-z0-9_-]{22})$", topic)
	return challenge if match and match.group(1) in set(channel_ids) else None
