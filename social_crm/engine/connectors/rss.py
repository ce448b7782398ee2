"""RSS/Atom feeds, including Google Alerts, read with feedparser.

One stream per feed: the account's base_url plus any query that is itself an http(s) URL.
Other queries are not sent anywhere: a feed is already a search result (Google Alerts) or a
source to be matched downstream by engine.keywords.
Polling uses conditional GET (If-None-Match / If-Modified-Since from the cursor), so an
unchanged feed costs one request and returns 304. Google Alerts links are google.com/url
redirects; the target URL is unwrapped. Feeds cannot be replied to.
"""

from __future__ import annotations

import calendar
import hashlib
import xml.sax
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser

from social_crm.engine.connectors.base import (
	Connector,
	ReplyNotSupported,
	ReplyResult,
	Stream,
	StreamResult,
	register,
)
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.text import html_to_text


@register
class FeedConnector(Connector):
	platform = Platform.RSS
	supports_search = False
	supports_reply = False

	def streams(self, queries: Sequence[str]) -> list[Stream]:
		urls = [self.base_url] if self.base_url else []
		urls += [q for q in queries if q.startswith(("http://", "https://")) and q.rstrip("/") not in urls]
		return [Stream(f"feed:{url}", "feed", url) for url in urls]

	def poll_stream(self, stream: Stream, state: dict[str, Any]) -> StreamResult:
		headers = {"Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"}
		if state.get("etag"):
			headers["If-None-Match"] = state["etag"]
		if state.get("last_modified"):
			headers["If-Modified-Since"] = state["last_modified"]
		response = self.request("GET", stream.value, headers=headers)
		if response.status_code == 304:
			return StreamResult(mentions=[], state=state, pages=1, caught_up=True)
		parsed = feedparser.parse(
			response.content,
			response_headers={"content-type": response.headers.get("Content-Type", "application/xml")},
		)
		if parsed.bozo and isinstance(parsed.get("bozo_exception"), xml.sax.SAXException):
			raise self.bad_payload(f"{self._where(stream.value)} is not a well-formed feed")
		feed_title = parsed.feed.get("title", "") or self._where(stream.value)
		with self.reading("feed entry"):
			language = (parsed.feed.get("language") or "").split("-")[0].lower()
			mentions = [
				self.to_mention(entry, feed_title, stream.value, language) for entry in parsed.entries
			]
		newest = state.get("newest", "")
		edge = set(state.get("edge_ids", []))
		fresh = [
			m
			for m in mentions
			if m.posted_at.isoformat() > newest
			or (m.posted_at.isoformat() == newest and m.external_id not in edge)
		]
		top = max((m.posted_at.isoformat() for m in mentions), default=newest)
		top = max(top, newest)
		next_state = {
			"etag": response.headers.get("ETag", ""),
			"last_modified": response.headers.get("Last-Modified", ""),
			"newest": top,
			"edge_ids": sorted(
				{m.external_id for m in mentions if m.posted_at.isoformat() == top}
				| (edge if top == newest else set())
			),
		}
		return StreamResult(
			mentions=fresh, state={k: v for k, v in next_state.items() if v}, pages=1, caught_up=True
		)

	def to_mention(self, entry: Any, feed_title: str, feed_url: str, language: str = "") -> Mention:
		link = unwrap_google_redirect(entry.get("link", ""))
		title = html_to_text(entry.get("title", ""))
		summary = html_to_text(entry.get("summary", ""))
		external_id = entry.get("id") or link or hashlib.sha1(f"{title}{summary}".encode()).hexdigest()
		stamp = entry.get("published_parsed") or entry.get("updated_parsed")
		posted_at = (
			datetime.fromtimestamp(calendar.timegm(stamp), timezone.utc)
			if stamp
			else datetime.now(timezone.utc)
		)
		host = urlsplit(link or feed_url).hostname or ""
		author_name = entry.get("author", "") or feed_title
		return Mention(
			platform=self.platform,
			external_id=external_id,
			url=link,
			author=Author(
				handle=host.removeprefix("www."),
				name=author_name,
				profile_url=f"https://{host}/" if host else "",
			),
			text=title if not summary or summary == title else f"{title}\n\n{summary}".strip(),
			posted_at=posted_at,
			language=entry.get("language") or language or None,
			raw={
				k: dict.get(entry, k)
				for k in ("id", "link", "title", "summary", "published", "updated", "author")
			},
		)

	def test_connection(self) -> str:
		result = self.fetch([], {})
		return f"{len(result.mentions)} entries in {', '.join(result.cursor) or 'no feed'}"

	def reply(self, mention: Mention, text: str, idempotency_key: str) -> ReplyResult:
		raise ReplyNotSupported(
			f"a feed entry cannot be replied to; open {mention.url or 'the source'} to respond"
		)


def unwrap_google_redirect(url: str) -> str:
	"""https://www.google.com/url?...&url=<target>&... -> <target>; anything else unchanged."""
	parts = urlsplit(url)
	if parts.hostname and parts.hostname.endswith("google.com") and parts.path == "/url":
		target = parse_qs(parts.query).get("url") or parse_qs(parts.query).get("q")
		if target and target[0].startswith(("http://", "https://")):
			return target[0]
	return url
