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

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import requests

from social_crm.engine.connectors.base import (
	AuthFailed,
	Connector,
	Mark,
	Page,
	ReplyFailed,
	ReplyResult,
	Secret,
	Stream,
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
		self._access = creds.reveal("access_jwt", "")
		self._refresh = creds.reveal("refresh_jwt", "")
		self._did = creds.reveal("did", "")

	def xrpc(self, method: str) -> str:
		return f"{self.base_url}/xrpc/{method}"

	# -- session --

	@property
	def identifier(self) -> str:
		return self.account.credentials.reveal("identifier", "") or self.account.own_handle.lstrip("@")

	def auth_headers(self) -> dict[str, str]:
		if not self._access:
			self.login()
		return {"Authorization": f"Bearer {self._access}"}

	def login(self) -> None:
		password = self.account.credentials.reveal("app_password")
		if not self.identifier:
			raise AuthFailed(f"{self.account.label}: no handle configured for the Bluesky login")
		response = self.request(
			"POST",
			self.xrpc("com.atproto.server.createSession"),
			json_body={"identifier": self.identifier, "password": password},
			auth=False,
		)
		self._store_session(self.parse_json(response))

	def is_expired_auth(self, response: requests.Response) -> bool:
		if response.status_code not in (400, 401):
			return False
		try:
			return response.json().get("error") in ("ExpiredToken", "InvalidToken")
		except ValueError:
			return False

	def refresh_auth(self) -> bool:
		"""Refresh the session once; when the refresh token is dead too, log in afresh."""
		if self._refresh:
			response = self._send(
				"POST",
				self.xrpc("com.atproto.server.refreshSession"),
				params=None,
				json_body=None,
				data=None,
				headers={"Authorization": f"Bearer {self._refresh}"},
			)
			if response.status_code == 200:
				self._store_session(self.parse_json(response))
				return True
			if not self.is_expired_auth(response):
				self.raise_for_status(response)
		self._access = self._refresh = ""
		self.login()
		return True

	def _store_session(self, payload: Any) -> None:
		with self.reading("session"):
			self._access, self._refresh = payload["accessJwt"], payload["refreshJwt"]
			self._did = payload.get("did", self._did)
		self.credentials_update.update(
			access_jwt=Secret(self._access), refresh_jwt=Secret(self._refresh), did=Secret(self._did)
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
			with self.reading("search result"):
				entries = [
					(self.mark(p["record"]["createdAt"], p["indexedAt"], p["uri"]), self.to_mention(p))
					for p in payload["posts"]
				]
		else:
			params += [("reasons", reason) for reason in MENTION_REASONS]
			payload = self.get_json(self.xrpc("app.bsky.notification.listNotifications"), params=params)
			with self.reading("notifications"):
				entries = [
					(self.mark(n["indexedAt"], n["indexedAt"], n["uri"]), self.to_mention(n))
					for n in payload["notifications"]
					if n.get("reason") in MENTION_REASONS
					and n.get("record", {}).get("$type", "app.bsky.feed.post") == "app.bsky.feed.post"
				]
		return Page(entries, next_token=payload.get("cursor"))

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


def post_url(handle: str, uri: str) -> str:
	"""https://bsky.app/profile/<handle>/post/<rkey> for at://<did>/app.bsky.feed.post/<rkey>."""
	return f"https://bsky.app/profile/{handle}/post/{uri.rstrip('/').rsplit('/', 1)[-1]}"
