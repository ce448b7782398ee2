"""The Hacker News Algolia search API (hn.algolia.com/api) as far as the connector uses it.

GET /api/v1/search_by_date?query=&tags=(story,comment)&numericFilters=created_at_i>N,...
&hitsPerPage=&page=  ->  {"hits": [...], "nbHits", "page", "nbPages", "hitsPerPage", ...}.
Comment text is HTML (<p>, <i>, <a>, &#x27;) as Algolia returns it.
"""

from __future__ import annotations

import operator
import re
from typing import Any

from social_crm.engine.platform_fakes.server import (
	FakePlatform,
	RecordedRequest,
	Reply,
	SeedPost,
	iso_z,
	matches,
)

_FILTER = re.compile(r"^(created_at_i|points|num_comments)(<=|>=|<|>|=)(\d+)$")
_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq}


class FakeHackerNews(FakePlatform):
	platform_key = "hackernews"
	default_page_size = 20

	def make_id(self, post: SeedPost) -> str:
		return str(40_000_000 + post.seq)

	def hit(self, post: SeedPost) -> dict[str, Any]:
		is_comment = post.kind == "comment" or bool(post.reply_to)
		story = post
		while story.reply_to and self.by_id(story.reply_to):
			story = self.by_id(story.reply_to)
		return {
			"objectID": post.id,
			"created_at": iso_z(post.created_at),
			"created_at_i": int(post.created_at.timestamp()),
			"author": post.author,
			"title": None if is_comment else (post.title or post.text[:60]),
			"url": None if is_comment else (post.link or None),
			"story_text": None if is_comment else post.text,
			"comment_text": post.text if is_comment else None,
			"points": None if is_comment else post.likes,
			"num_comments": None if is_comment else post.replies,
			"story_id": int(story.id) if is_comment else None,
			"story_title": story.title if is_comment else None,
			"parent_id": int(post.reply_to) if post.reply_to else None,
			"_tags": ["comment" if is_comment else "story", f"author_{post.author}", f"story_{story.id}"],
		}

	cursor_params = ("page",)

	def rejected_cursor_reply(self, request: RecordedRequest) -> Reply:
		return Reply(400, {"message": 'Invalid value for "page" parameter, expected integer', "status": 400})

	def handle(self, request: RecordedRequest, empty: bool) -> Reply:
		if request.path != "/api/v1/search_by_date":
			return Reply(404, {"message": "Not Found", "status": 404})
		query = request.param("query", "")
		posts = [] if empty else [p for p in self.newest_first() if matches(query, f"{p.title} {p.text}")]
		for clause in filter(None, (request.param("numericFilters") or "").split(",")):
			found = _FILTER.match(clause.strip())
			if not found:
				return Reply(400, {"message": f"invalid numeric filter {clause}", "status": 400})
			field, op, value = found.groups()
			posts = [
				p
				for p in posts
				if self.hit(p)[field] is not None and _OPS[op](self.hit(p)[field], int(value))
			]
		size = min(int(request.param("hitsPerPage") or self.default_page_size), 1000)
		page_text = request.param("page") or "0"
		if not page_text.isdigit():
			return self.rejected_cursor_reply(request)
		page = int(page_text)
		# nbPages counts pages of hits (at least 1); a page past the end has no hits
		pages = max(1, -(-len(posts) // size))
		window, _ = self.page_slice(posts, page * size, size)
		chunk = self.render(window, self.hit)
		return Reply(
			200,
			{
				"hits": chunk,
				"nbHits": len(posts),
				"page": page,
				"nbPages": pages,
				"hitsPerPage": size,
				"exhaustiveNbHits": True,
				"query": query,
				"params": "",
				"processingTimeMS": 1,
			},
		)
