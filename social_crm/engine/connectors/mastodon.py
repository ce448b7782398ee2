"""Mastodon (any instance): hashtags, full-text search, and mentions of the account.

Endpoints (docs.joinmastodon.org/methods):
* GET /api/v1/timelines/tag/:hashtag   public; `#tag` queries. Pages by the Link header
  (rel="next" = older, read with requests' `Response.links`); since_id bounds it below. A page
  may be shorter than `limit` (the server filters and caps it), so its length says nothing
  about the end: only a missing rel="next" does.
* GET /api/v2/search?type=statuses     other queries. Needs a user token on most instances
  (without one they are skipped with a warning); no Link header, pages by max_id and ends
  with an empty page.
* GET /api/v1/notifications?types[]=mention   the account's own mentions (token).
* POST /api/v1/statuses                reply, with in_reply_to_id and Idempotency-Key.
* GET /api/v1/accounts/verify_credentials   test_connection.
Limits: `limit` at most 40 (notifications 80); 300 requests / 5 min per token
(X-RateLimit-Reset is an ISO time).
Credentials: `access_token` (optional for hashtags only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import requests
from requests.auth import AuthBase

from social_crm.engine.connectors.base import (
	AuthFailed,
	Connector,
	Mark,
	Page,
	ReplyFailed,
	ReplyResult,
	Stream,
	bearer,
	parse_time,
	register,
)
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.text import html_to_text


@register
class MastodonConnector(Connector):
	platform = Platform.MASTODON
	default_base_url = "https://mastodon.social"
	max_page_size = 40
	supports_own_mentions = True
	supports_reply = True

	@property
	def token(self) -> str:
		return self.account.credentials.reveal("access_token", "")

	def auth(self) -> AuthBase | None:
		return bearer(self.account.credentials.secret("access_token"))

	# -- streams --

	def streams(self, queries: Sequence[str]) -> list[Stream]:
		result: list[Stream] = []
		for query in queries:
			if query.startswith("#") and len(query) > 1 and " " not in query:
				tag = query[1:]
				result.append(Stream(f"tag:{tag.casefold()}", "tag", tag))
			elif self.token:
				result.append(Stream(f"search:{query}", "search", query))
			else:
				self.warn(
					f"'{query}' needs an access token for full-text search; only #hashtags are followed without one"
				)
		if self.token:
			result.append(Stream("notifications", "notifications"))
		return result

	def warn(self, text: str) -> None:
		self.warnings.append(f"{self.account.label}: {text}")

	def fetch_page(
		self, stream: Stream, newer_than: Mark | None, older_than: Mark | None, token: str | None
	) -> Page:
		params: list[tuple[str, Any]] = [("limit", self.page_size)]
		max_id = token or (older_than or {}).get("id")
		if max_id:
			params.append(("max_id", max_id))
		if stream.kind == "search":
			params += [("q", stream.value), ("type", "statuses"), ("resolve", "false")]
			response = self.request("GET", f"{self.base_url}/api/v2/search", params=params)
			statuses = self.items(self.parse_json(response), "statuses", "search result")
			entries = self.each(statuses, "status", lambda s: (self.mark(s), self.to_mention(s)))
			# no Link header on search: go on below the last id until a page comes back empty
			last_id = statuses[-1].get("id") if statuses and isinstance(statuses[-1], dict) else None
			return Page(entries, next_token=str(last_id) if last_id else None)
		if newer_than:
			params.append(("since_id", newer_than["id"]))
		if stream.kind == "tag":
			url = f"{self.base_url}/api/v1/timelines/tag/{quote(stream.value, safe='')}"
			response = self.request("GET", url, params=params)
			statuses = self.parse_json(response)
			if not isinstance(statuses, list):
				raise self.bad_payload("unexpected hashtag timeline from the platform (not a list)")
			entries = self.each(statuses, "status", lambda s: (self.mark(s), self.to_mention(s)))
		else:
			params.append(("types[]", "mention"))
			response = self.request("GET", f"{self.base_url}/api/v1/notifications", params=params)
			notifications = self.parse_json(response)
			if not isinstance(notifications, list):
				raise self.bad_payload("unexpected notifications from the platform (not a list)")
			entries = self.each(notifications, "notification", self._notification_entry)
		return Page(entries, next_token=next_max_id(response))

	@staticmethod
	def mark(item: dict[str, Any]) -> Mark:
		value = item["id"]
		if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).isdigit():
			raise ValueError("a Mastodon id is a string of digits")
		return {"id": str(value)}

	def _notification_entry(self, notification: dict[str, Any]) -> tuple[Mark, Mention] | None:
		if notification.get("type") != "mention" or not notification.get("status"):
			return None
		return self.mark(notification), self.to_mention(notification["status"])

	# -- mapping --

	def to_mention(self, status: dict[str, Any]) -> Mention:
		"""A Mastodon Status entity as a Mention (a boost is read as the boosted status)."""
		if status.get("reblog"):
			status = status["reblog"]
		account = status["account"]
		acct = account["acct"]
		if "@" not in acct:
			acct = f"{acct}@{urlsplit(account.get('url') or self.base_url).hostname}"
		text = html_to_text(status.get("content"))
		if status.get("spoiler_text"):
			text = f"{status['spoiler_text']}\n\n{text}"
		pleroma = status.get("pleroma") or {}
		conversation = status.get("conversation_id") or pleroma.get("conversation_id")
		return Mention(
			platform=self.platform,
			external_id=str(status["id"]),
			uid=str(status.get("uri") or ""),  # ids are per server; the URI is the same everywhere
			url=status.get("url") or status.get("uri") or "",
			author=Author(
				handle=acct,
				name=account.get("display_name") or account.get("username", ""),
				profile_url=account.get("url", ""),
				avatar_url=account.get("avatar", ""),
				followers=account.get("followers_count"),
				bio=html_to_text(account.get("note")),
			),
			text=text,
			posted_at=parse_time(status["created_at"]),
			language=status.get("language"),
			in_reply_to=status.get("in_reply_to_id"),
			conversation_id=str(conversation) if conversation else None,
			likes=int(status.get("favourites_count") or 0),
			replies=int(status.get("replies_count") or 0),
			reposts=int(status.get("reblogs_count") or 0),
			raw=status,
		)

	# -- account --

	def test_connection(self) -> str:
		if not self.token:
			raise AuthFailed(f"{self.account.label}: no access token configured")
		payload = self.get_json(f"{self.base_url}/api/v1/accounts/verify_credentials")
		with self.reading("account"):
			return str(payload["acct"])

	def reply(self, mention: Mention, text: str, idempotency_key: str) -> ReplyResult:
		if not self.token:
			raise AuthFailed(f"{self.account.label}: replying needs an access token with write:statuses")
		author = mention.author.handle.split("@")[0]
		body = text if f"@{author}" in text else f"@{mention.author.handle} {text}"
		try:
			response = self.request(
				"POST",
				f"{self.base_url}/api/v1/statuses",
				json_body={"status": body, "in_reply_to_id": mention.external_id, "visibility": "public"},
				headers={"Idempotency-Key": idempotency_key},
			)
		except requests.RequestException:
			raise ReplyFailed(f"{self.account.label}: the reply could not be sent") from None
		status = self.parse_json(response)
		with self.reading("posted status"):
			return ReplyResult(
				external_id=str(status["id"]), url=status.get("url") or status.get("uri") or ""
			)


def next_max_id(response: requests.Response) -> str | None:
	"""max_id of the Link header's rel="next" (older page); None when there is no next page."""
	try:
		url = (response.links.get("next") or {}).get("url") or ""
		values = parse_qs(urlsplit(url).query).get("max_id")
	except ValueError:
		return None
	return values[0] if values else None
