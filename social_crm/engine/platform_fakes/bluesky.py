"""A Bluesky PDS/AppView as far as the connector uses it (XRPC, docs.bsky.app).

createSession/refreshSession/getSession, app.bsky.feed.searchPosts (sort=latest, since/until,
opaque cursor), app.bsky.notification.listNotifications, app.bsky.feed.getPosts and
com.atproto.repo.createRecord. Expired access tokens answer 400 {"error": "ExpiredToken"}
as the PDS does; rate limits send ratelimit-* headers with an epoch reset.
"""

from __future__ import annotations

import itertools
from typing import Any

from social_crm.engine.platform_fakes.server import (
	Failure,
	FakePlatform,
	RecordedRequest,
	Reply,
	SeedPost,
	iso_z,
	matches,
)

_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def tid(number: int) -> str:
	"""A sortable 13-character record key in the TID alphabet."""
	chars = []
	for _ in range(13):
		number, rest = divmod(number, 32)
		chars.append(_ALPHABET[rest])
	return "".join(reversed(chars))


class FakeBluesky(FakePlatform):
	platform_key = "bluesky"
	default_page_size = 25

	def __init__(
		self,
		posts: list[SeedPost] | None = None,
		handle: str = "acme.bsky.social",
		app_password: str = "abcd-efgh-ijkl-mnop",
	) -> None:
		self.account_handle = handle
		self.did = "did:plc:acmeacmeacmeacme"
		self.app_password = app_password
		self._tokens = itertools.count(1)
		self.access_tokens: set[str] = set()
		self.refresh_tokens: set[str] = set()
		self.created_records: list[dict[str, Any]] = []
		super().__init__(posts)

	def make_id(self, post: SeedPost) -> str:
		return (
			f"at://did:plc:{post.author.split('.')[0]}/app.bsky.feed.post/{tid(1_700_000_000_000 + post.seq)}"
		)

	def expire_tokens(self) -> None:
		self.access_tokens.clear()

	# -- views --

	def profile(self, handle: str, name: str = "") -> dict[str, Any]:
		return {
			"did": f"did:plc:{handle.split('.')[0]}",
			"handle": handle,
			"displayName": name or handle.split(".")[0].title(),
			"avatar": f"https://cdn.bsky.app/img/avatar/plain/{handle}.jpg",
			"labels": [],
			"createdAt": "2023-05-01T00:00:00.000Z",
		}

	def record(self, post: SeedPost) -> dict[str, Any]:
		record: dict[str, Any] = {
			"$type": "app.bsky.feed.post",
			"text": post.text,
			"createdAt": iso_z(post.created_at),
		}
		if post.lang:
			record["langs"] = [post.lang]
		parent = self.by_id(post.reply_to) if post.reply_to else None
		if parent:
			root = parent
			while root.reply_to and self.by_id(root.reply_to):
				root = self.by_id(root.reply_to)
			record["reply"] = {
				"root": {"uri": root.id, "cid": self.cid(root)},
				"parent": {"uri": parent.id, "cid": self.cid(parent)},
			}
		return record

	def cid(self, post: SeedPost) -> str:
		return f"bafyreig{post.seq:052d}"

	def post_view(self, post: SeedPost) -> dict[str, Any]:
		return {
			"uri": post.id,
			"cid": self.cid(post),
			"author": self.profile(post.author, post.author_name),
			"record": self.record(post),
			"replyCount": post.replies,
			"repostCount": post.reposts,
			"likeCount": post.likes,
			"quoteCount": 0,
			"indexedAt": iso_z(post.created_at),
			"labels": [],
		}

	def notification(self, post: SeedPost) -> dict[str, Any]:
		return {
			"uri": post.id,
			"cid": self.cid(post),
			"author": self.profile(post.author, post.author_name),
			"reason": "reply" if post.reply_to else "mention",
			"record": self.record(post),
			"isRead": False,
			"indexedAt": iso_z(post.created_at),
			"labels": [],
		}

	# -- routes --

	def error(self, status: int, name: str, message: str) -> Reply:
		return Reply(status, {"error": name, "message": message})

	def rejected_cursor_reply(self, request: RecordedRequest) -> Reply:
		return self.error(400, "InvalidRequest", "Error: cursor is not valid")

	def rate_limit_reply(self, failure: Failure) -> Reply:
		return Reply(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, failure.headers)

	def session(self) -> dict[str, Any]:
		access, refresh = f"access-{next(self._tokens)}", f"refresh-{next(self._tokens)}"
		self.access_tokens.add(access)
		self.refresh_tokens.add(refresh)
		return {
			"accessJwt": access,
			"refreshJwt": refresh,
			"handle": self.account_handle,
			"did": self.did,
			"active": True,
		}

	def bearer(self, request: RecordedRequest) -> str:
		return request.headers.get("authorization", "").removeprefix("Bearer ")

	def check_access(self, request: RecordedRequest) -> Reply | None:
		token = self.bearer(request)
		if not token:
			return self.error(401, "AuthenticationRequired", "Authentication Required")
		if token not in self.access_tokens:
			if token.startswith("access-"):
				return self.error(400, "ExpiredToken", "Token has expired")
			return self.error(401, "InvalidToken", "Token could not be verified")
		return None

	def handle(self, request: RecordedRequest, empty: bool) -> Reply:
		method = request.path.removeprefix("/xrpc/")
		if method == "com.atproto.server.createSession":
			body = request.json() or {}
			if (
				body.get("identifier") not in (self.account_handle, self.did)
				or body.get("password") != self.app_password
			):
				return self.error(401, "AuthenticationRequired", "Invalid identifier or password")
			return Reply(200, self.session())
		if method == "com.atproto.server.refreshSession":
			token = self.bearer(request)
			if token not in self.refresh_tokens:
				return self.error(400, "ExpiredToken", "Token has expired")
			self.refresh_tokens.discard(token)
			return Reply(200, self.session())
		denied = self.check_access(request)
		if denied:
			return denied
		if method == "com.atproto.server.getSession":
			return Reply(200, {"handle": self.account_handle, "did": self.did, "active": True})
		if method == "app.bsky.feed.searchPosts":
			query = request.param("q", "")
			since, until = request.param("since"), request.param("until")
			posts = [] if empty else [p for p in self.newest_first() if matches(query, p.text)]
			if since:
				posts = [p for p in posts if iso_z(p.created_at) >= since]
			if until:
				posts = [p for p in posts if iso_z(p.created_at) < until]
			return self.cursor_page(request, posts, self.post_view, "posts")
		if method == "app.bsky.notification.listNotifications":
			reasons = request.query.get("reasons", [])
			posts = [] if empty else [p for p in self.newest_first() if p.own_mention]
			items = self.cursor_page(request, posts, self.notification, "notifications")
			if reasons:
				items.body["notifications"] = [
					n for n in items.body["notifications"] if n["reason"] in reasons
				]
			return items
		if method == "app.bsky.feed.getPosts":
			uris = request.query.get("uris", [])
			return Reply(200, {"posts": [self.post_view(p) for p in self.posts if p.id in uris]})
		if method == "com.atproto.repo.createRecord":
			body = request.json()
			self.created_records.append(body)
			record = body["record"]
			parent_uri = record.get("reply", {}).get("parent", {}).get("uri")
			post = self.add_post(
				SeedPost(text=record["text"], author=self.account_handle, reply_to=parent_uri)
			)
			return Reply(200, {"uri": post.id, "cid": self.cid(post), "validationStatus": "valid"})
		return self.error(501, "MethodNotImplemented", f"Method Not Implemented: {method}")

	def cursor_page(self, request: RecordedRequest, posts: list[SeedPost], render: Any, key: str) -> Reply:
		limit = min(int(request.param("limit") or self.default_page_size), 100)
		cursor = request.param("cursor") or "0"
		if not cursor.isdigit():
			return self.rejected_cursor_reply(request)
		start = int(cursor)
		chunk, following = self.page_slice(posts, start, limit)
		body: dict[str, Any] = {key: self.render(chunk, render)}
		if following is not None:
			body["cursor"] = str(following)
		return Reply(200, body)
