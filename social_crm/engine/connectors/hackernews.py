"""Hacker News through the Algolia search API (read only, no account needed).

Endpoint (hn.algolia.com/api): GET /api/v1/search_by_date with query, tags=(story,comment),
numericFilters=created_at_i>=N[,created_at_i<=M], hitsPerPage <= 1000, page. Newest first;
objectID is the HN item id (grows over time), created_at_i the epoch second.
Items link to https://news.ycombinator.com/item?id=<objectID>. Replying is not possible
through any HN API, so reply() raises ReplyNotSupported.
Limit: 10,000 requests per hour per IP.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from social_crm.engine.connectors.base import (
	Connector,
	Mark,
	Page,
	ReplyNotSupported,
	ReplyResult,
	Stream,
	parse_time,
	register,
)
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.text import html_to_text

ITEM_URL = "https://news.ycombinator.com/item?id={}"


@register
class HackerNewsConnector(Connector):
	platform = Platform.HACKER_NEWS
	default_base_url = "https://hn.algolia.com"
	max_page_size = 200
	supports_reply = False

	def streams(self, queries: Sequence[str]) -> list[Stream]:
		return [Stream(f"search:{q}", "search", q) for q in queries]

	def order(self, mark: Mark) -> tuple[Any, ...]:
		return (int(mark["ts"]), int(mark["id"]))

	def fetch_page(
		self, stream: Stream, newer_than: Mark | None, older_than: Mark | None, token: str | None
	) -> Page:
		filters = []
		if newer_than:
			filters.append(f"created_at_i>={int(newer_than['ts'])}")  # same second: the id decides
		if older_than:
			filters.append(f"created_at_i<={int(older_than['ts'])}")
		page = int(token) if token and token.isdigit() else 0
		params: dict[str, Any] = {
			"query": stream.value.strip('"'),
			"tags": "(story,comment)",
			"hitsPerPage": self.page_size,
			"page": page,
		}
		if filters:
			params["numericFilters"] = ",".join(filters)
		payload = self.get_json(f"{self.base_url}/api/v1/search_by_date", params=params)
		hits = self.items(payload, "hits", "search result")
		entries = self.each(hits, "hit", lambda h: (self.mark(h), self.to_mention(h)))
		with self.reading("search result"):
			pages = int(payload.get("nbPages") or 0)  # pages are numbered 0 .. nbPages-1
		more = page + 1 < pages
		return Page(entries, next_token=str(page + 1) if more else None)

	@staticmethod
	def mark(hit: dict[str, Any]) -> Mark:
		object_id = hit["objectID"]
		if not str(object_id).isdigit():
			raise ValueError("an HN objectID is a number")
		return {"id": str(object_id), "ts": int(hit["created_at_i"])}

	def to_mention(self, hit: dict[str, Any]) -> Mention:
		if hit.get("comment_text") is not None:
			text = html_to_text(hit["comment_text"])
		else:
			text = "\n\n".join(
				filter(None, (html_to_text(hit.get("title")), html_to_text(hit.get("story_text"))))
			)
			if hit.get("url") and not hit.get("story_text"):
				text = f"{text}\n\n{hit['url']}"
		author = hit.get("author") or ""
		parent, story = hit.get("parent_id"), hit.get("story_id")
		return Mention(
			platform=self.platform,
			external_id=str(hit["objectID"]),
			url=ITEM_URL.format(hit["objectID"]),
			author=Author(
				handle=author, name=author, profile_url=f"https://news.ycombinator.com/user?id={author}"
			),
			text=text,
			posted_at=parse_time(int(hit["created_at_i"])),
			in_reply_to=str(parent) if parent else None,
			conversation_id=str(story) if story else str(hit["objectID"]),
			likes=int(hit.get("points") or 0),
			replies=int(hit.get("num_comments") or 0),
			raw=hit,
		)

	def test_connection(self) -> str:
		self.get_json(f"{self.base_url}/api/v1/search_by_date", params={"query": "", "hitsPerPage": 1})
		return "(public search, no login)"

	def reply(self, mention: Mention, text: str, idempotency_key: str) -> ReplyResult:
		raise ReplyNotSupported(
			"Hacker News has no API for posting; reply on news.ycombinator.com yourself: " + mention.url
		)
