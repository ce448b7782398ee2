"""Reddit's OAuth API as far as the connector uses it (reddit.com/dev/api).

POST /api/v1/access_token (HTTP Basic client id/secret; password or client_credentials grant),
GET /search (sort=new, after/before fullnames, Listing/t3 things), GET /message/mentions
(t1 things), GET /api/v1/me, POST /api/comment (api_type=json). Every answer carries
x-ratelimit-used/remaining/reset (reset = seconds to the end of the window).
"""

from __future__ import annotations

import base64
import itertools
import re
from typing import Any

from social_crm.engine.platform_fakes.server import FakePlatform, RecordedRequest, Reply, SeedPost, matches


def base36(number: int) -> str:
	digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	out = ""
	while number:
		number, rest = divmod(number, 36)
		out = digits[rest] + out
	return out or "0"


class FakeReddit(FakePlatform):
	platform_key = "reddit"
	default_page_size = 25

	def __init__(
		self,
		posts: list[SeedPost] | None = None,
		client_id: str = "reddit-client",
		client_secret: str = "reddit-secret",
		username: str = "acme_support",
		password: str = "reddit-password",
	) -> None:
		self.client_id, self.client_secret = client_id, client_secret
		self.username, self.password = username, password
		self._tokens = itertools.count(1)
		self.tokens: set[str] = set()
		self.comments_posted: list[dict[str, str]] = []
		super().__init__(posts)

	def make_id(self, post: SeedPost) -> str:
		prefix = "t1" if post.kind == "comment" or post.own_mention else "t3"
		return f"{prefix}_{base36(1_000_000_000 + post.seq)}"

	def expire_tokens(self) -> None:
		self.tokens.clear()

	def thing(self, post: SeedPost) -> dict[str, Any]:
		kind, _, short = post.id.partition("_")
		common = {
			"id": short,
			"name": post.id,
			"author": post.author,
			"author_fullname": f"t2_{base36(abs(hash(post.author)) % 10**8)}",
			"subreddit": "acme",
			"subreddit_name_prefixed": "r/acme",
			"created_utc": float(int(post.created_at.timestamp())),
			"score": post.likes,
			"ups": post.likes,
		}
		if kind == "t1":
			parent = self.by_id(post.reply_to) if post.reply_to else None
			common.update(
				body=post.text,
				body_html=f'&lt;div class="md"&gt;&lt;p&gt;{post.text}&lt;/p&gt;&lt;/div&gt;',
				parent_id=post.reply_to or "t3_" + base36(1_000_000_000),
				link_id=(
					parent.id if parent and parent.id.startswith("t3") else "t3_" + base36(1_000_000_000)
				),
				context=f"/r/acme/comments/{base36(1_000_000_000)}/thread/{short}/?context=3",
				link_title=parent.title if parent else "Acme Cloud thread",
				was_comment=True,
				type="username_mention",
				new=True,
			)
		else:
			common.update(
				title=post.title or post.text[:60],
				selftext=post.text,
				selftext_html=None,
				permalink=f"/r/acme/comments/{short}/{(post.title or 'post').lower().replace(' ', '_')[:30]}/",
				url=post.link or f"https://www.reddit.com/r/acme/comments/{short}/",
				num_comments=post.replies,
				over_18=False,
				is_self=True,
			)
		return {"kind": kind, "data": common}

	def limits(self) -> dict[str, str]:
		return {"x-ratelimit-used": "3", "x-ratelimit-remaining": "597.0", "x-ratelimit-reset": "412"}

	def handle(self, request: RecordedRequest, empty: bool) -> Reply:
		if request.method == "POST" and request.path == "/api/v1/access_token":
			return self.token(request)
		token = request.headers.get("authorization", "").removeprefix("bearer ").removeprefix("Bearer ")
		if token not in self.tokens:
			return Reply(
				401,
				{"message": "Unauthorized", "error": 401},
				{"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'},
			)
		if request.path == "/search":
			query = request.param("q", "")
			posts = (
				[]
				if empty
				else [
					p
					for p in self.newest_first()
					if p.id.startswith("t3") and matches(query, f"{p.title} {p.text}")
				]
			)
			return self.listing(request, posts)
		if request.path == "/message/mentions":
			posts = [] if empty else [p for p in self.newest_first() if p.own_mention]
			return self.listing(request, posts)
		if request.path == "/api/v1/me":
			return Reply(200, {"name": self.username, "id": "acme1"}, self.limits())
		if request.method == "POST" and request.path == "/api/comment":
			return self.comment(request)
		return Reply(404, {"message": "Not Found", "error": 404})

	def token(self, request: RecordedRequest) -> Reply:
		expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
		if request.headers.get("authorization") != f"Basic {expected}":
			return Reply(401, {"message": "Unauthorized", "error": 401})
		form = request.form()
		grant = form.get("grant_type")
		if grant == "password" and (form.get("username"), form.get("password")) != (
			self.username,
			self.password,
		):
			return Reply(200, {"error": "invalid_grant"})
		if grant not in ("password", "client_credentials"):
			return Reply(400, {"error": "unsupported_grant_type"})
		token = f"reddit-access-{next(self._tokens)}"
		self.tokens.add(token)
		return Reply(200, {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"})

	cursor_params = ("after",)

	def rejected_cursor_reply(self, request: RecordedRequest) -> Reply:
		return Reply(400, {"message": "Bad Request", "error": 400})

	def listing(self, request: RecordedRequest, posts: list[SeedPost]) -> Reply:
		limit = min(int(request.param("limit") or self.default_page_size), 100)
		after = request.param("after")
		start = 0
		if after and not re.fullmatch(r"t[1-6]_[0-9a-z]+", after):
			return self.rejected_cursor_reply(request)
		if after:
			ids = [p.id for p in posts]
			order = {pid: i for i, pid in enumerate(ids)}
			if after in order:
				start = order[after] + 1
			else:  # an `after` that is gone: Reddit answers from the position by id
				start = next(
					(i for i, p in enumerate(posts) if int(p.id[3:], 36) < int(after[3:], 36)), len(posts)
				)
		begin = max(0, start - self.overlap) if after else 0
		chunk = posts[begin : start + limit]
		more = start + limit < len(posts)
		data = {
			"after": chunk[-1].id if chunk and more else None,
			"before": None,
			"dist": len(self.render(chunk, self.thing)),
			"modhash": "",
			"geo_filter": "",
			"children": self.render(chunk, self.thing),
		}
		return Reply(200, {"kind": "Listing", "data": data}, self.limits())

	def comment(self, request: RecordedRequest) -> Reply:
		form = request.form()
		self.comments_posted.append(form)
		if not self.by_id(form.get("thing_id", "")):
			return Reply(
				200, {"json": {"errors": [["DELETED_COMMENT", "that comment has been deleted", "parent"]]}}
			)
		post = self.add_post(
			SeedPost(text=form["text"], author=self.username, kind="comment", reply_to=form["thing_id"])
		)
		thing = self.thing(post)
		thing["data"]["permalink"] = f"/r/acme/comments/{base36(1_000_000_000)}/thread/{thing['data']['id']}/"
		return Reply(200, {"json": {"errors": [], "data": {"things": [thing]}}}, self.limits())
