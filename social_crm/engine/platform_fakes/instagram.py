"""An Instagram professional account as the Instagram Graph API shows it.

Seeds (`SeedPost.kind`): "media" (the account's own post), "tagged_media" (someone else's
post tagging the account), "mentioned_media" (a caption elsewhere that @mentions it),
"mention" (a comment on someone else's media that @mentions it: only reachable through
`mentioned_comment`, as in the real API), "hidden" (a comment the account hid), anything else a
comment: a reply to the comment given as `reply_to`, else on that media, else on the launch
media. `/comments` lists top-level comments newest first with `replies{...}` nested;
timestamps use Graph's `+0000` offsets; comments have no permalink, media do.
"""

from __future__ import annotations

import re
import zlib
from datetime import timedelta
from typing import Any

from social_crm.engine.platform_fakes.graph import FakeGraph, graph_error, graph_time_text
from social_crm.engine.platform_fakes.server import SEED_EPOCH, RecordedRequest, Reply, SeedPost

MEDIA_KINDS = ("media", "tagged_media", "mentioned_media")
_LOOKUP = re.compile(r"^(mentioned_comment\.comment_id|mentioned_media\.media_id)\((\d+)\)")


class FakeInstagram(FakeGraph):
	platform_key = "instagram"

	def __init__(
		self,
		posts=None,
		token: str = "instagram-token",
		user_id: str = "17841400000000001",
		username: str = "acme",
		first_comment: bool = False,
	) -> None:
		self.username = username
		super().__init__(None, token=token, owner_id=user_id)
		self.seed(
			SeedPost(
				text="Neu: Acme Cloud 2.0 #acmecloud",
				kind="media",
				author=username,
				created_at=SEED_EPOCH - timedelta(days=1),
			),
			posts,
			first_comment,
		)

	def make_id(self, post: SeedPost) -> str:
		return str(
			(17_900_000_000_000_000 if post.kind in MEDIA_KINDS else 17_850_000_000_000_000) + post.seq
		)

	def media_of(self, comment: SeedPost) -> SeedPost:
		target = self.by_id(comment.reply_to) if comment.reply_to else None
		while target is not None and target.kind not in MEDIA_KINDS:
			target = self.by_id(target.reply_to) if target.reply_to else None
		return target or self.launch

	def top_level(self, comment: SeedPost) -> bool:
		parent = self.by_id(comment.reply_to) if comment.reply_to else None
		return parent is None or parent.kind in MEDIA_KINDS

	def visible(self, post: SeedPost) -> bool:
		return post.id not in self.deleted

	def comments(self) -> list[SeedPost]:
		return [
			p for p in self.posts if p.kind not in MEDIA_KINDS and p.kind != "mention" and self.visible(p)
		]

	# -- rendering --

	def render_media(self, media: SeedPost) -> dict[str, Any]:
		owner = self.username if media.kind == "media" else media.author
		return {
			"id": media.id,
			"caption": media.text,
			"media_type": "IMAGE",
			"permalink": f"https://www.instagram.com/p/C{zlib.crc32(media.id.encode()):x}/",
			"timestamp": graph_time_text(media.created_at),
			"username": owner,
			"comments_count": len([c for c in self.comments() if self.media_of(c).id == media.id]),
		}

	def render_comment(self, comment: SeedPost, nested: bool = True) -> dict[str, Any]:
		data: dict[str, Any] = {
			"id": comment.id,
			"text": comment.text,
			"timestamp": graph_time_text(comment.created_at),
			"username": comment.author,
			"from": {
				"id": str(17_841_000_000_000_000 + zlib.crc32(comment.author.encode())),
				"username": comment.author,
			},
			"like_count": comment.likes,
			"hidden": comment.kind == "hidden",
		}
		if not self.top_level(comment):
			data["parent_id"] = comment.reply_to
		elif nested:
			replies = [c for c in self.comments() if c.reply_to == comment.id]
			data["replies"] = {
				"data": [self.render_comment(r, nested=False) for r in self.newest_first(replies)]
			}
		return data

	def with_media(self, comment: SeedPost) -> dict[str, Any]:
		media = self.media_of(comment)
		return {
			**self.render_comment(comment, nested=False),
			"media": {"id": media.id, "permalink": self.render_media(media)["permalink"]},
		}

	# -- routes --

	def route(self, request: RecordedRequest, parts: list[str], empty: bool) -> Reply:
		if len(parts) == 1 and request.method == "GET":
			return self.node(request, parts[0])
		if len(parts) != 2:
			return self.not_found("/".join(parts))
		object_id, edge = parts
		if request.method == "GET" and object_id == self.owner_id and edge in ("media", "tags"):
			kinds = ("media",) if edge == "media" else ("tagged_media",)
			media = [] if empty else [p for p in self.newest_first() if p.kind in kinds and self.visible(p)]
			return self.edge(request, media, self.render_media)
		target = self.by_id(object_id)
		if target is None or not self.visible(target):
			return self.not_found(object_id)
		if request.method == "GET" and edge == "comments" and target.kind in MEDIA_KINDS:
			comments = [
				c
				for c in self.newest_first(self.comments())
				if self.top_level(c) and self.media_of(c).id == object_id
			]
			return self.edge(request, [] if empty else comments, self.render_comment)
		if request.method == "GET" and edge == "replies":
			replies = [c for c in self.comments() if c.reply_to == object_id]
			return self.edge(
				request, [] if empty else replies, lambda c: self.render_comment(c, nested=False)
			)
		if request.method == "POST" and edge == "replies":
			if not self.top_level(target):
				return Reply(400, graph_error(100, "(#100) Replies can only be made to top-level comments"))
			message = request.form().get("message", "")
			if not message.strip():
				return Reply(400, graph_error(100, "(#100) The parameter message is required"))
			reply = self.add_post(SeedPost(text=message, author=self.username, reply_to=object_id))
			self.replies_posted.append({"id": reply.id, "to": object_id, "message": message})
			return Reply(200, {"id": reply.id})
		return self.not_found(object_id)

	def node(self, request: RecordedRequest, object_id: str) -> Reply:
		fields = request.param("fields", "") or ""
		if object_id == self.owner_id:
			lookup = _LOOKUP.match(fields)
			if lookup is None:
				return Reply(200, {"id": self.owner_id, "username": self.username})
			wanted = self.by_id(lookup.group(2))
			if lookup.group(1).startswith("mentioned_comment"):
				if wanted is None or wanted.kind != "mention":
					return self.not_found(lookup.group(2))
				return Reply(200, {"mentioned_comment": self.with_media(wanted), "id": self.owner_id})
			if wanted is None or wanted.kind != "mentioned_media":
				return self.not_found(lookup.group(2))
			return Reply(200, {"mentioned_media": self.render_media(wanted), "id": self.owner_id})
		item = self.by_id(object_id)
		if item is None or not self.visible(item) or item.kind == "mention":
			return self.not_found(object_id)
		return Reply(200, self.render_media(item) if item.kind in MEDIA_KINDS else self.with_media(item))

	def delete(self, object_id: str) -> None:
		self.deleted.add(object_id)
