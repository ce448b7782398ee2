"""X API v2 as far as the connector uses it (developer.x.com/en/docs/x-api).

GET /2/tweets/search/recent (query, since_id, until_id, next_token, max_results 10..100,
expansions=author_id -> includes.users, meta.next_token), GET /2/users/by/username/:name,
POST /2/tweets (reply.in_reply_to_tweet_id). Rate limits: x-rate-limit-limit/-remaining/
-reset (epoch seconds). Tweet text arrives with &amp; &lt; &gt; escaped, as X sends it.
"""

from __future__ import annotations

import html
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


class FakeX(FakePlatform):
	platform_key = "x"
	default_page_size = 10

	def __init__(
		self,
		posts: list[SeedPost] | None = None,
		bearer_token: str = "x-bearer",
		user_token: str = "x-user-token",
	) -> None:
		self.bearer_token, self.user_token = bearer_token, user_token
		self.tweets_posted: list[dict[str, Any]] = []
		super().__init__(posts)

	def make_id(self, post: SeedPost) -> str:
		return str(1_760_000_000_000_000_000 + post.seq * 4096)

	def user(self, handle: str, name: str = "", followers: int = 0) -> dict[str, Any]:
		return {
			"id": str(abs(hash(handle)) % 10**12),
			"username": handle,
			"name": name or handle.title(),
			"profile_image_url": f"https://pbs.twimg.com/profile_images/{handle}_normal.jpg",
			"verified": handle.startswith("acme"),
			"public_metrics": {
				"followers_count": followers,
				"following_count": 5,
				"tweet_count": 99,
				"listed_count": 0,
			},
		}

	def tweet(self, post: SeedPost) -> dict[str, Any]:
		parent = self.by_id(post.reply_to) if post.reply_to else None
		root = parent
		while root and root.reply_to and self.by_id(root.reply_to):
			root = self.by_id(root.reply_to)
		tweet: dict[str, Any] = {
			"id": post.id,
			"text": html.escape(post.text, quote=False),
			"author_id": self.user(post.author)["id"],
			"created_at": iso_z(post.created_at),
			"lang": post.lang or "und",
			"conversation_id": root.id if root else post.id,
			"edit_history_tweet_ids": [post.id],
			"public_metrics": {
				"retweet_count": post.reposts,
				"reply_count": post.replies,
				"like_count": post.likes,
				"quote_count": 0,
				"bookmark_count": 0,
				"impression_count": 100,
			},
		}
		if parent:
			tweet["in_reply_to_user_id"] = self.user(parent.author)["id"]
			tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent.id}]
		return tweet

	def rate_limit_reply(self, failure: Failure) -> Reply:
		return Reply(
			429,
			{
				"title": "Too Many Requests",
				"detail": "Too Many Requests",
				"type": "about:blank",
				"status": 429,
			},
			failure.headers,
		)

	cursor_params = ("next_token",)

	def rejected_cursor_reply(self, request: RecordedRequest) -> Reply:
		value = request.param("next_token") or ""
		return Reply(
			400,
			{
				"errors": [
					{
						"parameters": {"next_token": [value]},
						"message": f"The `next_token` query parameter value [{value}] is not valid",
					}
				],
				"title": "Invalid Request",
				"detail": "One or more parameters to your request was invalid.",
				"type": "https://api.twitter.com/2/problems/invalid-request",
			},
		)

	def unauthorised(self) -> Reply:
		return Reply(
			401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
		)

	def handle(self, request: RecordedRequest, empty: bool) -> Reply:
		token = request.headers.get("authorization", "").removeprefix("Bearer ")
		limits = {
			"x-rate-limit-limit": "450",
			"x-rate-limit-remaining": "449",
			"x-rate-limit-reset": "1893456000",
		}
		if request.method == "POST" and request.path == "/2/tweets":
			if token != self.user_token:
				return Reply(
					403,
					{
						"title": "Forbidden",
						"type": "about:blank",
						"status": 403,
						"detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.",
					},
				)
			body = request.json()
			self.tweets_posted.append(body)
			post = self.add_post(
				SeedPost(
					text=body["text"],
					author="acme",
					reply_to=(body.get("reply") or {}).get("in_reply_to_tweet_id"),
				)
			)
			return Reply(
				201, {"data": {"id": post.id, "text": body["text"], "edit_history_tweet_ids": [post.id]}}
			)
		if token not in (self.bearer_token, self.user_token):
			return self.unauthorised()
		if request.path.startswith("/2/users/by/username/"):
			return Reply(
				200,
				{
					"data": {
						k: v
						for k, v in self.user(request.path.rsplit("/", 1)[1]).items()
						if k in ("id", "name", "username")
					}
				},
				limits,
			)
		if request.path == "/2/tweets/search/recent":
			query = request.param("query", "")
			if query.startswith("@"):  # the account's mentions
				posts = [] if empty else [p for p in self.newest_first() if p.own_mention]
			else:
				posts = [] if empty else [p for p in self.newest_first() if matches(query, p.text)]
			since, until = request.param("since_id"), request.param("until_id")
			if since:
				posts = [p for p in posts if int(p.id) > int(since)]
			if until:
				posts = [p for p in posts if int(p.id) < int(until)]
			size = int(request.param("max_results") or self.default_page_size)
			if not 10 <= size <= 100:
				return Reply(
					400,
					{
						"errors": [
							{
								"parameters": {"max_results": [str(size)]},
								"message": "The `max_results` query parameter value is not between 10 and 100",
							}
						],
						"title": "Invalid Request",
						"detail": "One or more parameters to your request was invalid.",
						"type": "https://api.twitter.com/2/problems/invalid-request",
					},
				)
			token = request.param("next_token") or "0"
			if not token.isdigit():
				return self.rejected_cursor_reply(request)
			chunk, following = self.page_slice(posts, int(token), size)
			shown = [p for p in chunk if not p.hidden]
			meta: dict[str, Any] = {"result_count": len(shown)}
			if shown:
				meta.update(newest_id=shown[0].id, oldest_id=shown[-1].id)
			if following is not None and chunk:
				meta["next_token"] = str(following)
			if not shown:  # X leaves out "data" and "includes" when a page has no tweets
				return Reply(200, {"meta": meta}, limits)
			users = {p.author: self.user(p.author, p.author_name, p.followers) for p in shown}
			return Reply(
				200,
				{
					"data": self.render(chunk, self.tweet),
					"includes": {"users": list(users.values())},
					"meta": meta,
				},
				limits,
			)
		return Reply(
			404,
			{
				"title": "Not Found Error",
				"type": "https://api.twitter.com/2/problems/resource-not-found",
				"status": 404,
				"detail": "Not found",
			},
		)
