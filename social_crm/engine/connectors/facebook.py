"""Facebook Page: visitor posts, posts tagging the Page, and comments and replies on its posts.

Endpoints (Graph API, developers.facebook.com/docs/graph-api/reference; version a setting):
* GET /{page-id}/feed     the Page's posts and visitor posts, newest first, with `updated_time`
  (created, edited or last commented). One page of it per poll is the listing of recent posts;
  visitor posts (author is not the Page) are mentions themselves.
* GET /{object-id}/comments?filter=stream&order=reverse_chronological   every comment and reply
  of a post, newest first; read only for posts whose `updated_time` moved.
* GET /{page-id}/tagged   posts by others that tag the Page.
* GET /{page-id}/ratings   recommendations and reviews, where the token has
  pages_read_user_content; without it the stream is skipped with a warning.
* POST /{comment-id}/comments   reply (form field `message`).
* GET /{page-id}?fields=id,name   test_connection.
Paging: `paging.cursors.after` while `paging.next` is present. Limit 100 per page.
Facebook has no handles: the author key is the app-scoped user id, the name is display only.
A comment Graph reports `is_hidden` is not a new mention; it marks a stored one (moderation).
Credentials: `access_token` (Page token with pages_read_engagement, pages_read_user_content,
pages_manage_engagement for replies), `api_version`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from social_crm.engine.connectors.base import (
	AuthFailed,
	Mark,
	Page,
	ReplyResult,
	Stream,
	StreamResult,
	register,
)
from social_crm.engine.connectors.graph import (
	GraphConnector,
	ModerationEvent,
	graph_time,
	resume_after,
	with_resume,
)
from social_crm.engine.mention import Author, Mention, Platform

POST_FIELDS = "id,message,story,created_time,updated_time,from{id,name},permalink_url,is_hidden"
RATING_FIELDS = "created_time,recommendation_type,review_text,reviewer{id,name},open_graph_story{id}"
COMMENT_FIELDS = (
	"id,message,created_time,from{id,name},permalink_url,parent{id},like_count,comment_count,is_hidden"
)


@register
class FacebookConnector(GraphConnector):
	platform = Platform.FACEBOOK

	# -- streams --

	def streams(self, queries: Sequence[str]) -> list[Stream]:
		"""Comment threads of the posts that moved first (most of what a Page is told), then the
		feed, tagged posts and ratings: a poll a failure stops keeps the comments it read, and
		one that fails on its first comment page raises with the cursor untouched."""
		comments: list[Stream] = []
		pages: list[Stream] = []
		for page_id in self.object_ids(queries):
			posts, after = self.edge_page(
				f"{page_id}/feed", {"fields": POST_FIELDS}, None, limit=self.recent_objects
			)
			self._listing[page_id] = {"posts": posts, "after": after}
			pages.append(Stream(f"feed:{page_id}", "feed", page_id))
			pages.append(Stream(f"tagged:{page_id}", "tagged", page_id))
			pages.append(Stream(f"ratings:{page_id}", "ratings", page_id))
			with self.reading("Page feed"):
				for post in posts:
					marker = str(post.get("updated_time") or post["created_time"])
					if marker == str(post["created_time"]):
						continue  # never commented on (nor edited): nothing to read
					comments.append(Stream(f"comments:{post['id']}", "comments", f"{post['id']}|{marker}"))
		return comments + pages

	def fetch_page(
		self, stream: Stream, newer_than: Mark | None, older_than: Mark | None, token: str | None
	) -> Page:
		token = token or resume_after(older_than)
		if stream.kind == "feed" and token is None and stream.value in self._listing:
			listing = self._listing[stream.value]
			items, after = listing["posts"], listing["after"]
		elif stream.kind == "ratings":
			return self.ratings_page(stream.value, token)
		elif stream.kind in ("feed", "tagged"):
			edge = "feed" if stream.kind == "feed" else "tagged"
			items, after = self.edge_page(f"{stream.value}/{edge}", {"fields": POST_FIELDS}, token)
		else:
			object_id = stream.value.partition("|")[0]
			params = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "reverse_chronological"}
			items, after = self.edge_page(f"{object_id}/comments", params, token)

		def entry(item: Any) -> tuple[Mark, Mention] | None:
			if stream.kind == "comments":
				mention = self.comment_mention(item, stream.value.partition("|")[0])
			else:
				mention = self.post_mention(item, stream.value, own_posts=stream.kind == "feed")
			return (self.mark(item, "created_time"), mention) if mention is not None else None

		# an item without its documented fields is skipped and logged, the rest of the page kept
		entries = self.each(items, "Facebook object", entry)
		return Page(with_resume(entries, after), next_token=after, exhausted=after is None)

	def ratings_page(self, page_id: str, token: str | None) -> Page:
		try:
			items, after = self.edge_page(f"{page_id}/ratings", {"fields": RATING_FIELDS}, token)
		except AuthFailed as error:
			if "Graph error 190" in str(error):
				raise
			self.warnings.append(
				f"{self.account.label}: ratings skipped, the token may not read them ({error})"
			)
			return Page([], None, True)

		def entry(rating: Any) -> tuple[Mark, Mention] | None:
			story = (rating.get("open_graph_story") or {}).get("id")
			if not story:
				return None  # a star rating without text has no object to point at
			mark = {"id": str(story), "t": graph_time(rating["created_time"]).timestamp()}
			return (mark, self.rating_mention(rating, str(story)))

		entries = self.each(items, "Page rating", entry)
		return Page(with_resume(entries, after), next_token=after, exhausted=after is None)

	def marker_reached(self, marker: str, previous: str | None, result: StreamResult) -> bool:
		if result.state.get("gap"):
			return False
		newest = result.state.get("newest")
		try:
			moved_at = graph_time(marker).timestamp()
		except ValueError:
			return True
		return newest is not None and float(newest.get("t", 0)) >= moved_at - 1

	# -- mapping --

	def post_mention(self, post: Mapping[str, Any], page_id: str, *, own_posts: bool) -> Mention | None:
		"""A visitor post or a post tagging the Page; the Page's own posts are not mentions."""
		author = post.get("from") or {}
		if own_posts and str(author.get("id") or "") == page_id:
			return None
		if post.get("is_hidden"):
			self.moderation.append(ModerationEvent(self.platform.value, str(post["id"]), "Hidden"))
			return None
		return Mention(
			platform=self.platform,
			external_id=str(post["id"]),
			url=post.get("permalink_url") or f"https://www.facebook.com/{post['id']}",
			author=facebook_author(author, str(post["id"])),
			text=str(post.get("message") or post.get("story") or ""),
			posted_at=graph_time(post["created_time"]),
			conversation_id=str(post["id"]),
			raw=dict(post),
		)

	def rating_mention(self, rating: Mapping[str, Any], story_id: str) -> Mention:
		"""A recommendation ("positive"/"negative" in raw) with its review text."""
		return Mention(
			platform=self.platform,
			external_id=story_id,
			url=f"https://www.facebook.com/{story_id}",
			author=facebook_author(rating.get("reviewer") or {}, story_id),
			text=str(rating.get("review_text") or ""),
			posted_at=graph_time(rating["created_time"]),
			conversation_id=story_id,
			raw=dict(rating),
		)

	def comment_mention(self, comment: Mapping[str, Any], post_id: str) -> Mention | None:
		if comment.get("is_hidden"):
			self.moderation.append(ModerationEvent(self.platform.value, str(comment["id"]), "Hidden"))
			return None
		parent = (comment.get("parent") or {}).get("id")
		return Mention(
			platform=self.platform,
			external_id=str(comment["id"]),
			url=comment.get("permalink_url") or f"https://www.facebook.com/{comment['id']}",
			author=facebook_author(comment.get("from") or {}, str(comment["id"])),
			text=str(comment.get("message") or ""),
			posted_at=graph_time(comment["created_time"]),
			in_reply_to=str(parent or post_id),
			# The comment thread, not the post: every comment under a busy post is no one ticket.
			conversation_id=str(parent or comment["id"]),
			likes=int(comment.get("like_count") or 0),
			replies=int(comment.get("comment_count") or 0),
			raw=dict(comment),
		)

	# -- account --

	def test_connection(self) -> str:
		page_id = (self.object_ids([]) or ["me"])[0]
		if not self.has_token:
			raise AuthFailed(f"{self.account.label}: no Page access token configured")
		page = self.graph_get(page_id, {"fields": "id,name"})
		with self.reading("Page"):
			return f"{page['name']} (Page {page['id']})"

	def reply(self, mention: Mention, text: str, idempotency_key: str) -> ReplyResult:
		"""POST /{comment-id}/comments; on a visitor post the reply is a comment on the post."""
		if not self.has_token:
			raise AuthFailed(f"{self.account.label}: replying needs a Page access token")
		response = self.request("POST", self.url(f"{mention.external_id}/comments"), data={"message": text})
		payload = self.parse_json(response)
		with self.reading("posted comment"):
			comment_id = str(payload["id"])
		return ReplyResult(external_id=comment_id, url=f"https://www.facebook.com/{comment_id}")


def facebook_author(author: Mapping[str, Any], object_id: str) -> Author:
	"""Key: the app-scoped id. Graph leaves `from` out for people who did not allow the app;
	those become one profile per comment instead of one shared "unknown" profile."""
	user_id = str(author.get("id") or "")
	return Author(
		handle=user_id or f"unknown:{object_id}",
		name=str(author.get("name") or ""),
		profile_url=f"https://www.facebook.com/{user_id}" if user_id else "",
	)
