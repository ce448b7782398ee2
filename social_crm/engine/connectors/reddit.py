"""Reddit: post search and username mentions over OAuth.

Endpoints (reddit.com/dev/api, github.com/reddit-archive/reddit/wiki/OAuth2):
* POST https://www.reddit.com/api/v1/access_token   HTTP Basic client_id:client_secret;
  grant_type=password (script app; also gives /message/mentions and replies) or
  client_credentials (read-only). The token lives 24 h; a 401 gets a new one once.
* GET https://oauth.reddit.com/search?q=&sort=new&limit<=100&after=<fullname>  (t3 posts)
* GET https://oauth.reddit.com/message/mentions  (t1 comments naming the account)
* POST https://oauth.reddit.com/api/comment  thing_id + text, api_type=json.
Reddit wants a unique descriptive User-Agent; x-ratelimit-reset is SECONDS until the window
ends (600 requests / 10 min). Credentials: client_id, client_secret, optional username +
password; a cached `access_token` is returned in credentials_update.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import timezone
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
from social_crm.engine.text import html_to_text, tidy

WEB = "https://www.reddit.com"


@register
class RedditConnector(Connector):
	platform = Platform.REDDIT
	default_base_url = "https://oauth.reddit.com"
	max_page_size = 100
	supports_own_mentions = True
	supports_reply = True

	def __init__(self, account: Any, session: requests.Session | None = None) -> None:
		super().__init__(account, session)
		self.auth_url = (account.auth_url or WEB).rstrip("/")
		self._token = account.credentials.reveal("access_token", "")

	@property
	def has_user(self) -> bool:
		creds = self.account.credentials
		return "username" in creds and "password" in creds

	# -- auth --

	def auth_headers(self) -> dict[str, str]:
		if not self._token:
			self.get_token()
		return {"Authorization": f"bearer {self._token}"}

	def get_token(self) -> None:
		creds = self.account.credentials
		client = (creds.reveal("client_id"), creds.reveal("client_secret"))
		if self.has_user:
			form = {
				"grant_type": "password",
				"username": creds.reveal("username"),
				"password": creds.reveal("password"),
			}
		else:
			form = {"grant_type": "client_credentials"}
		basic = base64.b64encode(f"{client[0]}:{client[1]}".encode()).decode()
		response = self.request(
			"POST",
			f"{self.auth_url}/api/v1/access_token",
			data=form,
			headers={"Authorization": f"Basic {basic}"},
			auth=False,
		)
		payload = self.parse_json(response)
		if not isinstance(payload, dict) or not payload.get("access_token"):
			error = payload.get("error") if isinstance(payload, dict) else "no token"
			raise AuthFailed(f"{self.account.label}: Reddit refused the login ({self.scrub(str(error))})")
		self._token = payload["access_token"]
		self.credentials_update["access_token"] = Secret(self._token)

	def is_expired_auth(self, response: requests.Response) -> bool:
		return response.status_code == 401

	def refresh_auth(self) -> bool:
		self._token = ""
		self.get_token()
		return True

	# -- streams --

	def streams(self, queries: Sequence[str]) -> list[Stream]:
		result = [Stream(f"search:{q}", "search", q) for q in queries]
		if self.has_user:
			result.append(Stream("mentions", "mentions"))
		return result

	def order(self, mark: Mark) -> tuple[Any, ...]:
		"""Fullnames t3_xyz: the base-36 part grows over time."""
		return (int(mark["id"].partition("_")[2], 36),)

	def fetch_page(
		self, stream: Stream, newer_than: Mark | None, older_than: Mark | None, token: str | None
	) -> Page:
		params: dict[str, Any] = {"limit": self.page_size, "raw_json": 1}
		after = token or (older_than or {}).get("id")
		if after:
			params["after"] = after
		if stream.kind == "search":
			params.update(q=stream.value, sort="new", type="link")
			url = f"{self.base_url}/search"
		else:
			url = f"{self.base_url}/message/mentions"
		payload = self.get_json(url, params=params)
		with self.reading("listing"):
			data = payload["data"]
			entries = [({"id": c["data"]["name"]}, self.to_mention(c)) for c in data["children"]]
			return Page(entries, next_token=data.get("after"))

	# -- mapping --

	def to_mention(self, thing: dict[str, Any]) -> Mention:
		kind, data = thing["kind"], thing["data"]
		author = data.get("author") or "[deleted]"
		if kind == "t1":
			text = tidy(data.get("body") or html_to_text(data.get("body_html")))
			permalink = data.get("permalink") or data.get("context", "")
			conversation = data.get("link_id")
			in_reply_to = data.get("parent_id")
		else:
			body = tidy(data.get("selftext") or "")
			text = f"{tidy(data.get('title', ''))}\n\n{body}".strip()
			permalink = data.get("permalink", "")
			conversation = data.get("name")
			in_reply_to = None
		return Mention(
			platform=self.platform,
			external_id=data["name"],
			url=f"{WEB}{permalink}" if permalink.startswith("/") else permalink,
			author=Author(handle=author, name=author, profile_url=f"{WEB}/user/{author}"),
			text=text,
			posted_at=parse_time(float(data["created_utc"])).astimezone(timezone.utc),
			in_reply_to=in_reply_to,
			conversation_id=conversation,
			likes=int(data.get("score") or 0),
			replies=int(data.get("num_comments") or 0),
			raw=thing,
		)

	# -- account --

	def test_connection(self) -> str:
		payload = self.get_json(f"{self.base_url}/api/v1/me")
		with self.reading("account"):
			return str(payload.get("name") or "(application only)")

	def reply(self, mention: Mention, text: str, idempotency_key: str) -> ReplyResult:
		"""Comment under a post or comment; Reddit has no idempotency key, so none is sent."""
		if not self.has_user:
			raise AuthFailed(
				f"{self.account.label}: replying needs the Reddit username and password of a script app"
			)
		response = self.request(
			"POST",
			f"{self.base_url}/api/comment",
			data={"thing_id": mention.external_id, "text": text, "api_type": "json"},
		)
		payload = self.parse_json(response)
		with self.reading("comment result"):
			body = payload["json"]
			if body.get("errors"):
				reasons = "; ".join(str(e[1]) for e in body["errors"])
				raise ReplyFailed(f"{self.account.label}: Reddit refused the reply ({self.scrub(reasons)})")
			data = body["data"]["things"][0]["data"]
			permalink = data.get("permalink", "")
			return ReplyResult(external_id=data["name"], url=f"{WEB}{permalink}" if permalink else "")
