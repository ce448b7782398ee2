"""X (Twitter) API v2: recent search (last 7 days) and replies.

Endpoints (developer.x.com/en/docs/x-api):
* GET /2/tweets/search/recent   query, since_id/until_id, max_results 10..100, next_token,
  expansions=author_id with user.fields and tweet.fields; users come in includes.users.
  The account's own mentions are the search "@handle".
* GET /2/users/by/username/:username   test_connection (works with an app-only token).
* POST /2/tweets   {"text", "reply": {"in_reply_to_tweet_id"}}; needs a USER-context token.
Rate limits: 429 with x-rate-limit-reset in epoch seconds. Credentials: `bearer_token`
(app-only, for search) and optional `user_access_token` (OAuth 2.0 user context, to reply).
X has no idempotency header; a reply is sent once and never retried.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from requests.auth import AuthBase

from social_crm.engine.connectors.base import (
	AuthFailed,
	Connector,
	Mark,
	Page,
	ReplyResult,
	Stream,
	bearer,
	parse_time,
	register,
)
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.text import tidy

TWEET_FIELDS = (
	"created_at,lang,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics,author_id"
)
USER_FIELDS = "username,name,profile_image_url,public_metrics,verified,description"


@register
class XConnector(Connector):
	platform = Platform.X
	default_base_url = "https://api.x.com"
	max_page_size = 100
	supports_own_mentions = True
	supports_reply = True

	def auth(self) -> AuthBase | None:
		"""The app's Bearer Token (search); a user access token also may search."""
		creds = self.account.credentials
		if "bearer_token" in creds:
			return bearer(creds["bearer_token"])
		return bearer(
			creds.secret(
				"user_access_token",
				missing=f"{self.account.label}: search on X needs the app's bearer token (none configured)",
			)
		)

	@property
	def page_size(self) -> int:
		return max(10, super().page_size)

	def streams(self, queries: Sequence[str]) -> list[Stream]:
		result = [Stream(f"search:{q}", "search", q) for q in queries]
		handle = self.account.own_handle.lstrip("@")
		if handle and f"@{handle}".casefold() not in {q.casefold() for q in queries}:
			result.append(Stream("mentions", "search", f"@{handle}"))
		return result

	def fetch_page(
		self, stream: Stream, newer_than: Mark | None, older_than: Mark | None, token: str | None
	) -> Page:
		params: dict[str, Any] = {
			"query": stream.value,
			"max_results": self.page_size,
			"expansions": "author_id",
			"tweet.fields": TWEET_FIELDS,
			"user.fields": USER_FIELDS,
		}
		if newer_than:
			params["since_id"] = newer_than["id"]
		if older_than:
			params["until_id"] = older_than["id"]
		if token:
			params["next_token"] = token
		payload = self.get_json(f"{self.base_url}/2/tweets/search/recent", params=params)
		if not isinstance(payload, dict):
			raise self.bad_payload("unexpected search result from the platform (not an object)")
		includes = payload.get("includes") if isinstance(payload.get("includes"), dict) else {}
		users: dict[str, dict[str, Any]] = {}
		for user in includes.get("users") or []:
			if isinstance(user, dict) and isinstance(user.get("id"), str):
				users[user["id"]] = user
		tweets = payload.get("data") or []  # no "data" at all when nothing matched
		if not isinstance(tweets, list):
			raise self.bad_payload("unexpected search result from the platform (data is not a list)")
		entries = self.each(
			tweets, "tweet", lambda t: (self.mark(t), self.to_mention(t, users.get(t.get("author_id"), {})))
		)
		meta = payload.get("meta") if isinstance(payload.get("meta"), dict) else {}
		token = meta.get("next_token")  # absent on the last page
		return Page(entries, next_token=token if isinstance(token, str) and token else None)

	@staticmethod
	def mark(tweet: dict[str, Any]) -> Mark:
		value = tweet["id"]
		if not isinstance(value, str) or not value.isdigit():
			raise ValueError("a tweet id is a string of digits")
		return {"id": value}

	def to_mention(self, tweet: dict[str, Any], user: dict[str, Any]) -> Mention:
		username = user.get("username") or tweet.get("author_id", "")
		replied_to = next(
			(r["id"] for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"), None
		)
		metrics = tweet.get("public_metrics") or {}
		lang = tweet.get("lang")
		return Mention(
			platform=self.platform,
			external_id=tweet["id"],
			url=f"https://x.com/{username}/status/{tweet['id']}",
			author=Author(
				handle=username,
				name=user.get("name", username),
				profile_url=f"https://x.com/{username}",
				avatar_url=user.get("profile_image_url", ""),
				followers=(user.get("public_metrics") or {}).get("followers_count"),
				verified=bool(user.get("verified")),
				bio=user.get("description", ""),
			),
			text=tidy(html.unescape(tweet["text"])),
			posted_at=parse_time(tweet["created_at"]),
			language=None if lang in (None, "und", "zxx") else lang,
			in_reply_to=replied_to,
			conversation_id=tweet.get("conversation_id"),
			likes=int(metrics.get("like_count") or 0),
			replies=int(metrics.get("reply_count") or 0),
			reposts=int(metrics.get("retweet_count") or 0) + int(metrics.get("quote_count") or 0),
			raw={"tweet": tweet, "user": user},
		)

	def test_connection(self) -> str:
		handle = self.account.own_handle.lstrip("@")
		if not handle:
			raise AuthFailed(f"{self.account.label}: set the account's handle to test the connection")
		payload = self.get_json(f"{self.base_url}/2/users/by/username/{handle}")
		with self.reading("user"):
			return str(payload["data"]["username"])

	def reply(self, mention: Mention, text: str, idempotency_key: str) -> ReplyResult:
		if "user_access_token" not in self.account.credentials:
			raise AuthFailed(
				f"{self.account.label}: replying on X needs a user access token (OAuth 2.0 user context)"
			)
		response = self.request(
			"POST",
			f"{self.base_url}/2/tweets",
			json_body={"text": text, "reply": {"in_reply_to_tweet_id": mention.external_id}},
			auth=bearer(self.account.credentials["user_access_token"]),
		)
		payload = self.parse_json(response)
		with self.reading("posted tweet"):
			tweet_id = payload["data"]["id"]
		handle = self.account.own_handle.lstrip("@") or "i/web"
		return ReplyResult(external_id=tweet_id, url=f"https://x.com/{handle}/status/{tweet_id}")
