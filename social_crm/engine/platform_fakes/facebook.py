"""A Facebook Page as the Graph API shows it to a Page access token.

Seeds (`SeedPost.kind`): "page_post" (the Page's own post), "visitor_post" (someone else's post
on the Page), "tagged" (a post elsewhere that tags the Page), "rating" (a recommendation: `title` "positive" or
"negative", `text` the review; `/ratings` needs pages_read_user_content, see
`ratings_allowed`), anything else a comment: on the
post given as `reply_to` (or a reply to the comment given there), else on the Page's pinned
launch post. Comments are returned by `/{post-id}/comments` (`filter=stream` flat with replies,
`order=reverse_chronological` newest first, as documented), hidden ones with `is_hidden`.
Authors are app-scoped ids; names are display only.
"""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

from social_crm.engine.platform_fakes.graph import FakeGraph, graph_error, graph_time_text
from social_crm.engine.platform_fakes.server import SEED_EPOCH, RecordedRequest, Reply, SeedPost

POST_KINDS = ("page_post", "visitor_post", "tagged", "rating")


class FakeFacebook(FakeGraph):
	platform_key = "facebook"

	def __init__(
		self,
		posts=None,
		token: str = "facebook-page-token",
		page_id: str = "1000001",
		page_name: str = "Acme GmbH",
		first_comment: bool = False,
	) -> None:
		self.page_name = page_name
		self.ratings_allowed = True
		super().__init__(None, token=token, owner_id=page_id)
		self.seed(
			SeedPost(
				text="Acme Cloud 2.0 ist da! / Acme Cloud 2.0 is here!",
				kind="page_post",
				author=page_id,
				author_name=page_name,
				created_at=SEED_EPOCH - timedelta(days=1),
			),
			posts,
			first_comment,
		)

	def make_id(self, post: SeedPost) -> str:
		if post.kind in POST_KINDS:
			owner = self.owner_id if post.kind != "tagged" else "2000002"
			return f"{owner}_{900000 + post.seq}"
		return f"{self.root_of(post).split('_')[-1]}_{500000 + post.seq}"

	def root_of(self, post: SeedPost) -> str:
		"""The post a comment belongs to (through replies)."""
		target = self.by_id(post.reply_to) if post.reply_to else None
		while target is not None and target.kind not in POST_KINDS:
			target = self.by_id(target.reply_to) if target.reply_to else None
		return target.id if target is not None else self.launch.id

	def author_of(self, post: SeedPost) -> dict[str, str]:
		user_id = post.author if post.author.isdigit() else str(10**14 + zlib.crc32(post.author.encode()))
		return {"id": user_id, "name": post.author_name or post.author.title()}

	def visible(self, post: SeedPost) -> bool:
		return post.id not in self.deleted

	# -- rendering --

	def render_post(self, post: SeedPost) -> dict[str, Any]:
		comments = [c for c in self.comments_of(post.id)]
		updated = max([post.created_at] + [c.created_at for c in comments])
		return {
			"id": post.id,
			"message": post.text,
			"created_time": graph_time_text(post.created_at),
			"updated_time": graph_time_text(updated),
			"from": self.author_of(post)
			if post.kind != "page_post"
			else {"id": self.owner_id, "name": self.page_name},
			"permalink_url": f"https://www.facebook.com/{self.owner_id}/posts/{post.id.split('_')[1]}",
			"is_hidden": post.kind == "hidden",
		}

	def render_rating(self, rating: SeedPost) -> dict[str, Any]:
		return {
			"created_time": graph_time_text(rating.created_at),
			"recommendation_type": rating.title or "positive",
			"review_text": rating.text,
			"reviewer": self.author_of(rating),
			"has_rating": False,
			"has_review": bool(rating.text),
			"open_graph_story": {"id": rating.id},
		}

	def render_comment(self, comment: SeedPost) -> dict[str, Any]:
		parent = self.by_id(comment.reply_to) if comment.reply_to else None
		data = {
			"id": comment.id,
			"message": comment.text,
			"created_time": graph_time_text(comment.created_at),
			"from": self.author_of(comment)
			if comment.author != self.owner_id
			else {"id": self.owner_id, "name": self.page_name},
			"permalink_url": f"https://www.facebook.com/{self.root_of(comment)}?comment_id={comment.id.split('_')[1]}",
			"like_count": comment.likes,
			"comment_count": len([c for c in self.posts if c.reply_to == comment.id]),
			"is_hidden": comment.kind == "hidden",
		}
		if parent is not None and parent.kind not in POST_KINDS:
			data["parent"] = {"id": parent.id}
		return data

	def comments_of(self, post_id: str) -> list[SeedPost]:
		return [
			p
			for p in self.posts
			if p.kind not in POST_KINDS and self.visible(p) and self.root_of(p) == post_id
		]

	# -- routes --

	def route(self, request: RecordedRequest, parts: list[str], empty: bool) -> Reply:
		if len(parts) == 1 and request.method == "GET":
			if parts[0] in (self.owner_id, "me"):
				return Reply(200, {"id": self.owner_id, "name": self.page_name})
			post = self.by_id(parts[0])
			if post is None or not self.visible(post):
				return self.not_found(parts[0])
			return Reply(
				200, self.render_post(post) if post.kind in POST_KINDS else self.render_comment(post)
			)
		if len(parts) != 2:
			return self.not_found("/".join(parts))
		object_id, edge = parts
		if request.method == "GET" and object_id == self.owner_id and edge in ("feed", "tagged"):
			kinds = ("page_post", "visitor_post") if edge == "feed" else ("tagged",)
			posts = [] if empty else [p for p in self.newest_first() if p.kind in kinds and self.visible(p)]
			return self.edge(request, posts, self.render_post)
		if request.method == "GET" and object_id == self.owner_id and edge == "ratings":
			if not self.ratings_allowed:
				return Reply(
					403,
					graph_error(
						200, "(#200) Requires pages_read_user_content permission to manage the object"
					),
				)
			ratings = (
				[] if empty else [p for p in self.newest_first() if p.kind == "rating" and self.visible(p)]
			)
			return self.edge(request, ratings, self.render_rating)
		if edge == "comments" and request.method == "GET":
			target = self.by_id(object_id)
			if target is None or not self.visible(target):
				return self.not_found(object_id)
			if target.kind in POST_KINDS:
				comments = self.comments_of(object_id)
				if request.param("filter", "toplevel") == "toplevel":
					comments = [c for c in comments if c.reply_to in (None, object_id)]
			else:
				comments = [p for p in self.posts if p.reply_to == object_id and self.visible(p)]
			newest_first = request.param("order", "chronological") == "reverse_chronological"
			comments = sorted(comments, key=lambda c: c.seq, reverse=newest_first)
			return self.edge(request, [] if empty else comments, self.render_comment)
		if edge == "comments" and request.method == "POST":
			target = self.by_id(object_id)
			if target is None or not self.visible(target):
				return self.not_found(object_id)
			message = request.form().get("message", "")
			if not message.strip():
				return Reply(
					400, graph_error(100, "(#100) Missing message or attachment", kind="OAuthException")
				)
			comment = self.add_post(SeedPost(text=message, author=self.owner_id, reply_to=object_id))
			self.replies_posted.append({"id": comment.id, "to": object_id, "message": message})
			return Reply(200, {"id": comment.id})
		return self.not_found(object_id)

	def delete(self, object_id: str) -> None:
		self.deleted.add(object_id)
