"""Bluesky (AT Protocol): post search and the account's mentions, via an app password.

Endpoints (docs.bsky.app, XRPC under <PDS>/xrpc/):
* com.atproto.server.createSession   handle + app password -> accessJwt/refreshJwt. Done only
  when no stored session works (createSession is limited to ~30 per 5 minutes).
* com.atproto.server.refreshSession  when a call answers ExpiredToken (HTTP 400).
* app.bsky.feed.searchPosts          q, sort=latest, since/until (inclusive/exclusive sortAt
  times), limit <= 100, opaque cursor.
* app.bsky.notification.listNotifications   reasons mention/reply/quote, cursor.
* app.bsky.feed.getPosts + com.atproto.repo.createRecord   reply with root/parent strong refs.
Rate limits: 429 with ratelimit-reset (epoch seconds). Credentials: `app_password`, optional
stored session `access_jwt`/`refresh_jwt` (returned in FetchResult.credentials_update).
The handle is AccountConfig.own_handle (or credential `identifier`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import requests
from requests.auth import AuthBase

from social_crm.engine.connectors.base import (
	AuthFailed,
	Connector,
	Mark,
	Page,
	ReplyFailed,
	ReplyResult,
	Secret,
	SendTimeAuth,
	Stream,
	bearer,
	parse_time,
	register,
)
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.text import tidy

MENTION_REASONS = ("mention", "reply", "quote")


@register
class BlueskyConnector(Connector):
	platform = Platform.BLUESKY
	default_base_url = "https://bsky.social"
	max_page_size = 100
	supports_own_mentions = True
	supports_reply = True

	def __init__(self, account: Any, session: requests.Session | None = None) -> None:
		super().__init__(account, session)
		creds = account.credentials
		self._access: Secret = creds.secret("access_jwt")
		self._refresh: Secret = creds.secret("refresh_jwt")
		self._did = creds.reveal("did", "")

	def xrpc(self, method: str) -> str:
		return f"{self.base_url}/xrpc/{method}"

	# -- session --

	@property
	def identifier(self) -> str:
		return self.account.credentials.reveal("identifier", "") or self.account.own_handle.lstrip("@")

	def auth(self) -> AuthBase | None:
		if not self._access:
			self.login()
		return bearer(self._access)

	def login(self) -> None:
		password = self.account.credentials.secret(
			"app_password", missing=f"{self.account.label}: no app password configured"
		)
		if not self.identifier:
			raise AuthFailed(f"{self.account.label}: no handle configured for the Bluesky login")
		response = self.request(
			"POST",
			self.xrpc("com.atproto.server.createSession"),
			auth=SendTimeAuth(json_body={"identifier": self.identifier, "password": password}),
		)
		self._store_session(response)

	def is_expired_auth(self, response: requests.Response) -> bool:
		if response.status_code not in (400, 401):
			return False
		try:
			payload = json.loads(response.content)
		except (ValueError, UnicodeDecodeError, RecursionError):
			return False
		return isinstance(payload, dict) and payload.get("error") in ("ExpiredToken", "InvalidToken")

	def refresh_auth(self) -> bool:
		"""Refresh the session once; when the refresh token is dead too, log in afresh."""
		if self._refresh:
			response = self._send(
				"POST", self.xrpc("com.atproto.server.refreshSession"), auth=bearer(self._refresh)
			)
			if response.status_code == 200:
				self._store_session(response)
				return True
			if not self.is_expired_auth(response):
				self.raise_for_status(response)
		self._access = self._refresh = Secret("")
		self.login()
		return True

	def _store_session(self, response: requests.Response) -> None:
		"""Keep the JWTs as Secrets; the parsed payload never outlives `_session_of`'s frame."""
		session = _session_of(response.content)
		if session is None:
			raise self.bad_payload("unexpected session from the platform (no accessJwt/refreshJwt)")
		self._access, self._refresh = session["access_jwt"], session["refresh_jwt"]
		self._did = session["did"].reveal() or self._did
		self.credentials_update.update(
			access_jwt=self._access, refresh_jwt=self._refresh, did=Secret(self._did)
		)

	# -- streams --

	def streams(self, queries: Sequence[str]) -> list[Stream]:
		result = [Stream(f"search:{q}", "search", q) for q in queries]
		if self.identifier:
			result.append(Stream("notifications", "notifications"))
		return result

	def order(self, mark: Mark) -> tuple[Any, ...]:
		return (mark["ts"], mark["uri"])

	def fetch_page(
		self, stream: Stream, newer_than: Mark | None, older_than: Mark | None, token: str | None
	) -> Page:
		params: list[tuple[str, Any]] = [("limit", self.page_size)]
		if token:
			params.append(("cursor", token))
		if stream.kind == "search":
			params += [("q", stream.value), ("sort", "latest")]
			if newer_than:
				params.append(("since", newer_than["ts"]))
			if older_than:
				params.append(("until", older_than["ts"]))
			payload = self.get_json(self.xrpc("app.bsky.feed.searchPosts"), params=params)
			entries = self.each(
				self.items(payload, "posts", "search result"),
				"post",
				lambda p: (self.mark(p["record"]["createdAt"], p["indexedAt"], p["uri"]), self.to_mention(p)),
			)
		else:
			params += [("reasons", reason) for reason in MENTION_REASONS]
			payload = self.get_json(self.xrpc("app.bsky.notification.listNotifications"), params=params)
			entries = self.each(
				self.items(payload, "notifications", "notifications"),
				"notification",
				self._notification_entry,
			)
		cursor = payload.get("cursor")
		return Page(entries, next_token=cursor if isinstance(cursor, str) and cursor else None)

	def _notification_entry(self, n: dict[str, Any]) -> tuple[Mark, Mention] | None:
		if n.get("reason") not in MENTION_REASONS:
			return None
		if n.get("record", {}).get("$type", "app.bsky.feed.post") != "app.bsky.feed.post":
			return None
		return self.mark(n["indexedAt"], n["indexedAt"], n["uri"]), self.to_mention(n)

	@staticmethod
	def mark(created_at: str, indexed_at: str, uri: str) -> Mark:
		"""Search orders and filters by sortAt = the earlier of createdAt and indexedAt."""
		moment = min(parse_time(created_at), parse_time(indexed_at))
		return {
			"ts": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
			"uri": uri,
		}

	# -- mapping --

	def to_mention(self, view: dict[str, Any]) -> Mention:
		"""A PostView (search) or Notification (mentions): both carry uri, author, record."""
		author, record = view["author"], view["record"]
		handle = author["handle"]
		reply = record.get("reply") or {}
		langs = record.get("langs") or []
		return Mention(
			platform=self.platform,
			external_id=view["uri"],
			url=post_url(handle, view["uri"]),
			author=Author(
				handle=handle,
				name=author.get("displayName") or handle,
				profile_url=f"https://bsky.app/profile/{handle}",
				avatar_url=author.get("avatar", ""),
				followers=author.get("followersCount"),
				bio=author.get("description", ""),
			),
			text=tidy(record.get("text", "")),
			posted_at=parse_time(record.get("createdAt") or view["indexedAt"]),
			language=langs[0] if langs else None,
			in_reply_to=(reply.get("parent") or {}).get("uri"),
			conversation_id=(reply.get("root") or {}).get("uri") or view["uri"],
			likes=int(view.get("likeCount") or 0),
			replies=int(view.get("replyCount") or 0),
			reposts=int(view.get("repostCount") or 0),
			raw=view,
		)

	# -- account --

	def test_connection(self) -> str:
		payload = self.get_json(self.xrpc("com.atproto.server.getSession"))
		with self.reading("session"):
			return str(payload["handle"])

	def reply(self, mention: Mention, text: str, idempotency_key: str) -> ReplyResult:
		"""Post a reply; Bluesky has no idempotency header, so the key is not sent."""
		payload = self.get_json(self.xrpc("app.bsky.feed.getPosts"), params={"uris": mention.external_id})
		with self.reading("post"):
			posts = payload["posts"]
			if not posts:
				raise ReplyFailed(f"{self.account.label}: the post to reply to no longer exists")
			parent = {"uri": posts[0]["uri"], "cid": posts[0]["cid"]}
			root = (posts[0]["record"].get("reply") or {}).get("root") or parent
		if not self._did:
			self.login()
		record = {
			"$type": "app.bsky.feed.post",
			"text": text,
			"createdAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
			"reply": {"root": root, "parent": parent},
		}
		if mention.language:
			record["langs"] = [mention.language]
		response = self.request(
			"POST",
			self.xrpc("com.atproto.repo.createRecord"),
			json_body={"repo": self._did, "collection": "app.bsky.feed.post", "record": record},
		)
		created = self.parse_json(response)
		with self.reading("created record"):
			return ReplyResult(external_id=created["uri"], url=post_url(self.identifier, created["uri"]))


def _session_of(content: bytes) -> dict[str, Secret] | None:
	"""The tokens of a createSession/refreshSession answer as Secrets, or None; never raises,
	so no traceback holds the decoded payload."""
	try:
		payload = json.loads(content)
		access, refresh, did = payload["accessJwt"], payload["refreshJwt"], payload.get("did") or ""
		if not (isinstance(access, str) and isinstance(refresh, str) and isinstance(did, str)):
			return None
		return {"access_jwt": Secret(access), "refresh_jwt": Secret(refresh), "did": Secret(did)}
	except Exception:
		return None


def post_url(handle: str, uri: str) -> str:
	"""https://bsky.app/profile/<handle>/post/<rkey> for at://<did>/app.bsky.feed.post/<rkey>."""
	return f"https://bsky.app/profile/{handle}/post/{uri.rstrip('/').rsplit('/', 1)[-1]}"
