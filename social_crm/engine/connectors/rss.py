"""RSS/Atom feeds, including Google Alerts, read with feedparser.

One stream per feed: the account's base_url plus any query that is itself an http(s) URL.
Paged feeds (RFC 5005 section 3, `<link rel="next">`) are followed, bounded by the page limit.
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
from urllib.parse import parse_qs, urljoin, urlsplit

import feedparser

from social_crm.engine.connectors.base import (
	Connector,
	ConnectorError,
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
		"""The feed document, then its RFC 5005 rel="next" pages while they still hold new entries.

		Conditional GET applies to the first document only. When a later page fails, what came
		is returned but the cursor is not moved: the next poll reads the feed again (feeds cost
		nothing per request, and storage drops what it has already).
		"""
		headers = {"Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5"}
		if isinstance(state.get("etag"), str) and state["etag"]:
			headers["If-None-Match"] = state["etag"]
		if isinstance(state.get("last_modified"), str) and state["last_modified"]:
			headers["If-Modified-Since"] = state["last_modified"]
		newest = state.get("newest") if isinstance(state.get("newest"), str) else ""
		edge = {i for i in state.get("edge_ids") or [] if isinstance(i, str)}
		response = self.request("GET", stream.value, headers=headers)
		if response.status_code == 304:
			return StreamResult(mentions=[], state=state, pages=1, caught_up=True)
		first = response
		mentions: list[Mention] = []
		fresh: list[Mention] = []
		pages, url, visited = 0, stream.value, {stream.value}
		error: ConnectorError | None = None
		while True:
			pages += 1
			page, next_url = self.read_feed(response, url)
			mentions += page
			new_here = [m for m in page if self._is_new(m, newest, edge)]
			fresh += new_here
			reached_known = len(new_here) < len(page)  # newest first: older pages are known too
			if not next_url or next_url in visited or reached_known or pages >= self.account.page_limit:
				break
			visited.add(next_url)
			url = next_url
			try:
				response = self.request("GET", url, headers={"Accept": headers["Accept"]})
			except ConnectorError as exc:
				error = exc
				break
		if error is not None:
			return StreamResult(mentions=fresh, state=state, pages=pages, caught_up=False, error=error)
		top = max((m.posted_at.isoformat() for m in mentions), default=newest)
		top = max(top, newest)
		next_state = {
			"etag": first.headers.get("ETag", ""),
			"last_modified": first.headers.get("Last-Modified", ""),
			"newest": top,
			"edge_ids": sorted(
				{m.external_id for m in mentions if m.posted_at.isoformat() == top}
				| (edge if top == newest else set())
			),
		}
		return StreamResult(
			mentions=fresh, state={k: v for k, v in next_state.items() if v}, pages=pages, caught_up=True
		)

	@staticmethod
	def _is_new(mention: Mention, newest: str, edge: set[str]) -> bool:
		moment = mention.posted_at.isoformat()
		return moment > newest or (moment == newest and mention.external_id not in edge)

	def read_feed(self, response: Any, url: str) -> tuple[list[Mention], str | None]:
		"""The entries of one feed document and its rel="next" page (same host only)."""
		parsed = feedparser.parse(
			response.content,
			response_headers={"content-type": response.headers.get("Content-Type", "application/xml")},
		)
		if parsed.bozo and isinstance(parsed.get("bozo_exception"), xml.sax.SAXException):
			raise self.bad_payload(f"{self._where(url)} is not a well-formed feed")
		feed = parsed.feed
		feed_title = html_to_text(feed.get("title", "")) or self._where(url)
		feed_language = str(feed.get("language") or "").lower()
		mentions = self.each(
			parsed.entries, "feed entry", lambda entry: self.to_mention(entry, feed_title, url, feed_language)
		)
		return mentions, self.next_page(feed, url)

	def next_page(self, feed: Any, url: str) -> str | None:
		"""RFC 5005 paged feeds: <link rel="next" href="…"/> (atom:link in RSS too)."""
		for link in feed.get("links") or []:
			if not isinstance(link, dict) or link.get("rel") != "next":
				continue
			try:
				target = urljoin(url, str(link.get("href") or ""))
				same_host = urlsplit(target).netloc == urlsplit(url).netloc
			except ValueError:
				return None
			if target.startswith(("http://", "https://")) and same_host:
				return target
		return None

	def to_mention(self, entry: Any, feed_title: str, feed_url: str, feed_language: str = "") -> Mention:
		"""An entry as a Mention: its own author (author / dc:creator / atom:author) where it names
		one, the site only as a fallback; thr:in-reply-to (RFC 4685) as the parent; its own
		xml:lang as the language, none (so it is detected) when only the channel gives one."""
		link = unwrap_google_redirect(str(entry.get("link", "") or ""))
		title = html_to_text(entry.get("title", ""))
		summary = html_to_text(entry.get("summary", ""))
		external_id = entry.get("id") or link or hashlib.sha1(f"{title}{summary}".encode()).hexdigest()
		stamp = entry.get("published_parsed") or entry.get("updated_parsed")
		posted_at = (
			datetime.fromtimestamp(calendar.timegm(stamp), timezone.utc)
			if stamp
			else datetime.now(timezone.utc)
		)
		host = (urlsplit(link or feed_url).hostname or "").removeprefix("www.")
		detail = entry.get("author_detail") or {}
		person = html_to_text(detail.get("name") or entry.get("author") or "").strip()
		profile = str(detail.get("href") or "")
		if person:
			author = Author(
				handle=f"{person}@{host}" if host else person,
				name=person,
				profile_url=profile if profile.startswith(("http://", "https://")) else "",
			)
		else:
			author = Author(handle=host, name=feed_title, profile_url=f"https://{host}/" if host else "")
		parent = entry.get("thr_in-reply-to") or {}
		in_reply_to = parent.get("ref") or parent.get("href") if isinstance(parent, dict) else None
		return Mention(
			platform=self.platform,
			external_id=str(external_id),
			url=link,
			author=author,
			text=title if not summary or summary == title else f"{title}\n\n{summary}".strip(),
			posted_at=posted_at,
			language=entry_language(entry, feed_language),
			in_reply_to=str(in_reply_to) if in_reply_to else None,
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


def entry_language(entry: Any, feed_language: str) -> str | None:
	"""The entry's own xml:lang (feedparser puts it on title/summary/content), unless it is only
	the feed's language handed down: then None, so the text's language is detected."""
	details = [entry.get("title_detail"), entry.get("summary_detail"), *(entry.get("content") or [])]
	for detail in details:
		language = str((detail or {}).get("language") or "").lower() if isinstance(detail, dict) else ""
		if language and language != feed_language:
			return language.split("-")[0]
	return None
