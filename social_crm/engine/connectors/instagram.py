"""Instagram (Business or Creator account through the Graph API): comments on the account's media.

Endpoints (developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference):
* GET /{ig-user-id}/media?fields=...,comments_count   the account's recent media, newest first;
  one page per poll is the listing. `comments_count` is the activity marker: a media whose
  count did not move costs nothing.
* GET /{ig-media-id}/comments?fields=...,replies{...}   top-level comments newest first, each
  with its replies (`/{ig-comment-id}/replies` is the same list on its own).
* GET /{ig-user-id}/tags   media others published that tag the account.
* @mentions are announced only by webhook; `mentioned_comment.comment_id(...)` and
  `mentioned_media.media_id(...)` on the IG user read the comment or media named in it.
* POST /{ig-comment-id}/replies   reply (field `message`; only top-level comments take replies,
  so a reply to a reply goes to its top-level comment).
A comment's URL is its media's permalink (comments have none of their own). Authors are keyed
by username (`fields=username`). A `hidden` comment marks a stored mention, never creates one.
Credentials: `access_token` (instagram_basic, instagram_manage_comments), `api_version`.
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

MEDIA_FIELDS = "id,caption,permalink,timestamp,username,comments_count,media_type"
COMMENT_FIELDS = "id,text,timestamp,username,from{id,username},like_count,hidden,parent_id"
LOOKUP_FIELDS = f"{COMMENT_FIELDS},media{{id,permalink}}"


@register
class InstagramConnector(GraphConnector):
	platform = Platform.INSTAGRAM
	max_page_size = 50

	def __init__(self, account, session=None) -> None:
		super().__init__(account, session=session)
		self.permalinks: dict[str, str] = {}

	# -- streams --

	def streams(self, queries: Sequence[str]) -> list[Stream]:
		result: list[Stream] = []
		for user_id in self.object_ids(queries):
			media, _ = self.edge_page(
				f"{user_id}/media", {"fields": MEDIA_FIELDS}, None, limit=self.recent_objects
			)
			with self.reading("media list"):
				for item in media:
					self.permalinks[str(item["id"])] = str(item.get("permalink") or "")
					count = int(item.get("comments_count") or 0)
					if count:
						result.append(Stream(f"comments:{item['id']}", "comments", f"{item['id']}|{count}"))
			# after the comments, as on Facebook: a failure there keeps what the comments gave
			result.append(Stream(f"tags:{user_id}", "tags", user_id))
		return result

	def fetch_page(
		self, stream: Stream, newer_than: Mark | None, older_than: Mark | None, token: str | None
	) -> Page:
		token = token or resume_after(older_than)
		if stream.kind == "tags":
			items, after = self.edge_page(f"{stream.value}/tags", {"fields": MEDIA_FIELDS}, token)
			entries = self.each(
				items, "tagged media", lambda item: (self.mark(item, "timestamp"), self.media_mention(item))
			)
			return Page(with_resume(entries, after), next_token=after, exhausted=after is None)
		media_id = stream.value.partition("|")[0]
		fields = f"{COMMENT_FIELDS},replies{{{COMMENT_FIELDS}}}"
		items, after = self.edge_page(f"{media_id}/comments", {"fields": fields}, token)

		def thread(comment: Any) -> list[tuple[Mark, Mention]]:
			found = []
			replies = (comment.get("replies") or {}).get("data") or []
			for item in [comment, *replies]:
				mention = self.comment_mention(item, media_id, self.permalinks.get(media_id, ""))
				if mention is not None:
					found.append((self.mark(item, "timestamp"), mention))
			return found

		# a comment without its documented fields is skipped and logged, the rest of the page kept
		entries = [entry for found in self.each(items, "comment", thread) for entry in found]
		return Page(with_resume(entries, after), next_token=after, exhausted=after is None)

	def marker_reached(self, marker: str, previous: str | None, result: StreamResult) -> bool:
		if result.state.get("gap"):
			return False
		try:
			grew = int(marker) > int(previous or 0)
		except ValueError:
			return True
		return bool(result.mentions) or not grew

	# -- mapping --

	def comment_mention(self, comment: Mapping[str, Any], media_id: str, permalink: str) -> Mention | None:
		if comment.get("hidden"):
			self.moderation.append(ModerationEvent(self.platform.value, str(comment["id"]), "Hidden"))
			return None
		author = comment.get("from") or {}
		username = str(comment.get("username") or author.get("username") or "")
		parent = comment.get("parent_id")
		return Mention(
			platform=self.platform,
			external_id=str(comment["id"]),
			url=permalink or f"https://www.instagram.com/p/{media_id}/",
			author=Author(handle=username or f"unknown:{comment['id']}", profile_url=profile_url(username)),
			text=str(comment.get("text") or ""),
			posted_at=graph_time(comment["timestamp"]),
			in_reply_to=str(parent or media_id),
			conversation_id=str(parent or comment["id"]),  # the comment thread, not the whole media
			likes=int(comment.get("like_count") or 0),
			raw=dict(comment),
		)

	def media_mention(self, media: Mapping[str, Any]) -> Mention:
		username = str(media.get("username") or "")
		return Mention(
			platform=self.platform,
			external_id=str(media["id"]),
			url=str(media.get("permalink") or ""),
			author=Author(handle=username or f"unknown:{media['id']}", profile_url=profile_url(username)),
			text=str(media.get("caption") or ""),
			posted_at=graph_time(media["timestamp"]),
			conversation_id=str(media["id"]),
			replies=int(media.get("comments_count") or 0),
			raw=dict(media),
		)

	# -- look-ups for webhook deliveries --

	def user_id(self) -> str:
		ids = self.object_ids([])
		if not ids:
			raise AuthFailed(f"{self.account.label}: the Instagram user id is not configured")
		return ids[0]

	def comment(self, comment_id: str) -> Mention | None:
		"""A comment on the account's own media, by id (a `comments` webhook names only the id)."""
		payload = self.graph_get(comment_id, {"fields": LOOKUP_FIELDS})
		with self.reading("comment"):
			media = payload.get("media") or {}
			return self.comment_mention(
				payload, str(media.get("id") or ""), str(media.get("permalink") or "")
			)

	def mentioned_comment(self, comment_id: str) -> Mention | None:
		"""A comment elsewhere that @mentions the account (`mentions` webhook with comment_id)."""
		fields = f"mentioned_comment.comment_id({comment_id}){{id,text,timestamp,like_count,username,media{{id,permalink}}}}"
		payload = self.graph_get(self.user_id(), {"fields": fields})
		with self.reading("mentioned comment"):
			item = payload["mentioned_comment"]
			media = item.get("media") or {}
			return self.comment_mention(item, str(media.get("id") or ""), str(media.get("permalink") or ""))

	def mentioned_media(self, media_id: str) -> Mention:
		"""A caption elsewhere that @mentions the account (`mentions` webhook without comment_id)."""
		fields = (
			f"mentioned_media.media_id({media_id}){{id,caption,timestamp,permalink,username,comments_count}}"
		)
		payload = self.graph_get(self.user_id(), {"fields": fields})
		with self.reading("mentioned media"):
			return self.media_mention(payload["mentioned_media"])

	# -- account --

	def test_connection(self) -> str:
		if not self.has_token:
			raise AuthFailed(f"{self.account.label}: no Instagram access token configured")
		payload = self.graph_get(self.user_id(), {"fields": "id,username"})
		with self.reading("Instagram user"):
			return f"@{payload['username']} (Instagram account {payload['id']})"

	def reply(self, mention: Mention, text: str, idempotency_key: str) -> ReplyResult:
		if not self.has_token:
			raise AuthFailed(
				f"{self.account.label}: replying needs an access token with instagram_manage_comments"
			)
		# Only top-level comments take replies; a comment's conversation is its top-level comment.
		target = str(mention.raw.get("parent_id") or mention.conversation_id or mention.external_id)
		response = self.request("POST", self.url(f"{target}/replies"), data={"message": text})
		payload = self.parse_json(response)
		with self.reading("posted reply"):
			return ReplyResult(external_id=str(payload["id"]), url=mention.url)


def profile_url(username: str) -> str:
	return f"https://www.instagram.com/{username}/" if username else ""
