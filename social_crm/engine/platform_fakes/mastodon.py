"""A Mastodon instance as far as the connector uses it (REST API v1/v2, docs.joinmastodon.org).

Statuses, accounts and notifications use the documented entity fields; timelines and
notifications page with max_id/since_id/min_id and send the Link header (rel="next" older,
rel="prev" newer); search is /api/v2/search?type=statuses and needs a token, as on most
instances.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlencode

from social_crm.engine.platform_fakes.server import (
	Failure,
	FakePlatform,
	RecordedRequest,
	Reply,
	SeedPost,
	iso_z,
	matches,
)

HOST = "social.example"
_TAG = re.compile(r"#(\w+)", re.UNICODE)


class FakeMastodon(FakePlatform):
	platform_key = "mastodon"
	default_page_size = 20

	def __init__(
		self,
		posts: list[SeedPost] | None = None,
		token: str = "mastodon-token",
		own_handle: str = "acme",
		host: str = HOST,
	) -> None:
		self.host = host  # the instance's public name (URIs, local accounts); ids are per instance
		self.token = token
		self.own_handle = own_handle
		self.replies_posted: dict[str, dict[str, Any]] = {}
		super().__init__(posts)

	def make_id(self, post: SeedPost) -> str:
		return str(110_000_000_000_000_000 + post.seq * 1000)

	# -- entities --

	def account(self, handle: str, name: str = "", followers: int = 0, bot: bool = False) -> dict[str, Any]:
		username, _, domain = handle.partition("@")
		url_host = domain or self.host
		return {
			"id": str(abs(hash(handle)) % 10**9),
			"username": username,
			"acct": handle,
			"display_name": name or username.title(),
			"locked": False,
			"bot": bot,
			"created_at": "2022-11-01T00:00:00.000Z",
			"note": "<p>Hier schreibe ich über Cloud &amp; Co.</p>",
			"url": f"https://{url_host}/@{username}",
			"avatar": f"https://{self.host}/avatars/{username}.png",
			"avatar_static": f"https://{self.host}/avatars/{username}.png",
			"followers_count": followers,
			"following_count": 10,
			"statuses_count": 42,
		}

	def status(self, post: SeedPost) -> dict[str, Any]:
		parent = self.by_id(post.reply_to) if post.reply_to else None
		text = post.text if post.text.lstrip().startswith("<") else f"<p>{post.text}</p>"
		username = post.author.partition("@")[0]
		return {
			"id": post.id,
			"uri": f"https://{self.host}/users/{username}/statuses/{post.id}",
			"url": f"https://{self.host}/@{username}/{post.id}",
			"created_at": iso_z(post.created_at),
			"account": self.account(post.author, post.author_name, post.followers, bot=post.kind == "bot"),
			"content": text,
			"visibility": "public",
			"sensitive": False,
			"spoiler_text": "",
			"language": post.lang,
			"in_reply_to_id": post.reply_to,
			"in_reply_to_account_id": self.account(parent.author)["id"] if parent else None,
			"replies_count": post.replies,
			"reblogs_count": post.reposts,
			"favourites_count": post.likes,
			"reblog": None,
			"media_attachments": [],
			"mentions": [],
			"tags": [
				{"name": t.lower(), "url": f"https://{self.host}/tags/{t.lower()}"}
				for t in _TAG.findall(post.text)
			],
			"emojis": [],
			"card": None,
			"poll": None,
		}

	# -- routes --

	def authorised(self, request: RecordedRequest) -> bool:
		return request.headers.get("authorization") == f"Bearer {self.token}"

	def handle(self, request: RecordedRequest, empty: bool) -> Reply:
		path = request.path
		if request.method == "GET" and path.startswith("/api/v1/timelines/tag/"):
			if "authorization" in request.headers and not self.authorised(request):
				return self.unauthorised()
			tag = unquote(path.rsplit("/", 1)[1]).casefold()
			posts = (
				[]
				if empty
				else [p for p in self.posts if tag in [t.casefold() for t in _TAG.findall(p.text)]]
			)
			return self.id_page(request, posts, self.status)
		if request.method == "GET" and path == "/api/v2/search":
			if not self.authorised(request):
				return self.unauthorised()
			query = request.param("q", "")
			posts = [] if empty else [p for p in self.posts if matches(query, p.text)]
			page = self.id_page(request, posts, self.status, link=False)
			return Reply(200, {"accounts": [], "statuses": page.body, "hashtags": []}, {})
		if request.method == "GET" and path == "/api/v1/notifications":
			if not self.authorised(request):
				return self.unauthorised()
			types = request.query.get("types[]", [])
			posts = [] if empty else [p for p in self.posts if p.own_mention]
			if types and "mention" not in types:
				posts = []
			return self.id_page(request, posts, self.notification)
		if request.method == "GET" and path == "/api/v1/accounts/verify_credentials":
			if not self.authorised(request):
				return self.unauthorised()
			return Reply(200, self.account(self.own_handle, "Acme GmbH", 5000))
		if request.method == "POST" and path == "/api/v1/statuses":
			return self.post_status(request)
		return Reply(404, {"error": "Record not found"})

	def unauthorised(self) -> Reply:
		return Reply(401, {"error": "The access token is invalid"})

	cursor_params = ("max_id",)

	def rejected_cursor_reply(self, request: RecordedRequest) -> Reply:
		return Reply(422, {"error": "Validation failed: max_id is invalid"})

	def rate_limit_reply(self, failure: Failure) -> Reply:
		return Reply(429, {"error": "Too many requests"}, failure.headers)

	def notification(self, post: SeedPost) -> dict[str, Any]:
		return {
			"id": str(int(post.id) // 1000),
			"type": "mention",
			"created_at": iso_z(post.created_at),
			"account": self.account(post.author, post.author_name, post.followers),
			"status": self.status(post),
		}

	def id_page(
		self, request: RecordedRequest, posts: list[SeedPost], render: Any, link: bool = True
	) -> Reply:
		"""Mastodon's id paging: newest first, max_id/since_id exclusive, min_id = the page just above."""
		cap = 80 if render == self.notification else 40  # documented maximum of `limit`
		limit = min(int(request.param("limit") or self.default_page_size), cap)
		id_of = (lambda p: int(p.id) // 1000) if render == self.notification else (lambda p: int(p.id))
		keyed = sorted(((id_of(p), p) for p in posts), key=lambda kp: kp[0], reverse=True)
		max_id, since_id, min_id = (request.param(n) for n in ("max_id", "since_id", "min_id"))
		if since_id:
			keyed = [kp for kp in keyed if kp[0] > int(since_id)]
		repeated: list[tuple[int, SeedPost]] = []
		if max_id:
			repeated = [kp for kp in keyed if kp[0] >= int(max_id)][-self.overlap :] if self.overlap else []
			keyed = [kp for kp in keyed if kp[0] < int(max_id)]
		if min_id:
			chunk = [kp for kp in keyed if kp[0] > int(min_id)][-limit:]
		else:
			offset = int(request.param("offset") or 0)
			chunk = repeated + keyed[offset : offset + limit]
		items = self.render([p for _, p in chunk], render)
		headers: dict[str, str] = {}
		if link and chunk:  # the Link header is there whenever the page has positions
			base = f"http://{request.headers.get('host')}{request.path}"
			kept = [
				(k, v)
				for k, values in request.query.items()
				if k not in ("max_id", "min_id", "since_id")
				for v in values
			]
			next_q = urlencode([*kept, ("max_id", str(chunk[-1][0]))])
			prev_q = urlencode([*kept, ("min_id", str(chunk[0][0]))])
			headers["Link"] = f'<{base}?{next_q}>; rel="next", <{base}?{prev_q}>; rel="prev"'
		return Reply(200, items, headers)

	def post_status(self, request: RecordedRequest) -> Reply:
		if not self.authorised(request):
			return self.unauthorised()
		content_type = request.headers.get("content-type", "")
		fields = request.json() if "json" in content_type else request.form()
		key = request.headers.get("idempotency-key")
		if key and key in self.replies_posted:
			return Reply(200, self.replies_posted[key])
		if not fields.get("status"):
			return Reply(422, {"error": "Validation failed: Text can't be blank"})
		post = self.add_post(
			SeedPost(
				text=quote_html(fields["status"]),
				author=self.own_handle,
				reply_to=fields.get("in_reply_to_id"),
			)
		)
		status = self.status(post)
		if key:
			self.replies_posted[key] = status
		return Reply(200, status)


def quote_html(text: str) -> str:
	from html import escape

	return "<p>" + escape(text).replace("\n", "<br>") + "</p>"
