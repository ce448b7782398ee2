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

import json
from collections.abc import Sequence
from datetime import timezone
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
		self._token: Secret = account.credentials.secret("access_token")

	@property
	def has_user(self) -> bool:
		creds = self.account.credentials
		return "username" in creds and "password" in creds

	# -- auth --

	def auth(self) -> AuthBase | None:
		if not self._token:
			self.get_token()
		return SendTimeAuth("bearer", self._token)  # Reddit's documented spelling

	def get_token(self) -> None:
		"""OAuth2 token from `auth_url` (www.reddit.com unless the account names another)."""
		creds = self.account.credentials
		missing = f"{self.account.label}: the Reddit app's client id and client secret are needed"
		client = (creds.secret("client_id", missing), creds.secret("client_secret", missing))
		form: dict[str, str | Secret] = {"grant_type": "client_credentials"}
		if self.has_user:
			form = {"grant_type": "password", "username": creds["username"], "password": creds["password"]}
		response = self.request(
			"POST", f"{self.auth_url}/api/v1/access_token", auth=SendTimeAuth(basic=client, form=form)
		)
		token, error = _token_of(response.content)
		if token is None:
			raise AuthFailed(f"{self.account.label}: Reddit refused the login ({self.scrub(error)[:80]})")
		self._token = token
		self.credentials_update["access_token"] = token

	def is_expired_auth(self, response: requests.Response) -> bool:
		return response.status_code == 401

	def refresh_auth(self) -> bool:
		self._token = Secret("")
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
		data = payload.get("data") if isinstance(payload, dict) else None
		children = self.items(data, "children", "listing")
		entries = self.each(children, "thing", lambda c: (self.mark(c), self.to_mention(c)))
		after = data.get("after")  # None on the last page of the listing
		return Page(entries, next_token=after if isinstance(after, str) and after else None)

	@staticmethod
	def mark(thing: dict[str, Any]) -> Mark:
		name = thing["data"]["name"]
		base36 = name.partition("_")[2]
		int(base36, 36)  # a fullname is t<n>_<base 36 id>; anything else is not a thing
		return {"id": name}

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


def _token_of(content: bytes) -> tuple[Secret | None, str]:
	"""The access token of a token-endpoint answer as a Secret, else None and Reddit's error;
	never raises, so no traceback holds the decoded payload."""
	try:
		payload = json.loads(content)
	except Exception:
		return None, "the answer is not JSON"
	if isinstance(payload, dict) and isinstance(payload.get("access_token"), str) and payload["access_token"]:
		return Secret(payload["access_token"]), ""
	error = payload.get("error") if isinstance(payload, dict) else None
	return None, str(error or "no token")
