"""A feed server: RSS 2.0 at /feed.xml, a Google Alerts style Atom feed at /alerts.atom and a
forum's Atom feed at /forum.atom (entry authors, RFC 4685 thr:in-reply-to, xml:lang per entry).

With `page_size` set, feeds are paged as RFC 5005 section 3 describes: each document links the
next (older) one with <link rel="next" href="…?page=N"/> (atom:link in RSS).

Supports conditional GET (ETag / If-None-Match, Last-Modified / If-Modified-Since -> 304),
as feed readers are expected to use. Google Alerts wraps every link in a
https://www.google.com/url?...&url=<target>&... redirect, reproduced here.
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime
from urllib.parse import quote
from xml.sax.saxutils import escape

from social_crm.engine.platform_fakes.server import FakePlatform, RecordedRequest, Reply, SeedPost, iso_z


class FakeFeeds(FakePlatform):
	platform_key = "rss"

	def __init__(self, posts: list[SeedPost] | None = None, page_size: int = 0) -> None:
		self.page_size = page_size
		super().__init__(posts)

	def make_id(self, post: SeedPost) -> str:
		return f"https://blog.example/posts/{post.seq}"

	def _validators(self, kind: str) -> tuple[str, str]:
		newest = max((p.created_at for p in self.posts), default=None)
		digest = hashlib.sha1(f"{kind}:{len(self.posts)}:{newest}".encode()).hexdigest()[:16]
		return f'"{digest}"', format_datetime(
			newest, usegmt=True
		) if newest else "Mon, 02 Mar 2026 08:00:00 GMT"

	def handle(self, request: RecordedRequest, empty: bool) -> Reply:
		kinds = {"/feed.xml": "rss", "/alerts.atom": "atom", "/forum.atom": "forum"}
		if request.path not in kinds:
			return Reply(404, "not found", content_type="text/plain")
		kind = kinds[request.path]
		etag, modified = self._validators(kind)
		headers = {"ETag": etag, "Last-Modified": modified}
		if request.headers.get("if-none-match") == etag or (
			"if-none-match" not in request.headers and request.headers.get("if-modified-since") == modified
		):
			return Reply(304, None, headers)
		posts = [] if empty else [p for p in self.newest_first() if not p.hidden]
		page = int(request.param("page") or 1)
		next_href = ""
		if self.page_size:
			start = (page - 1) * self.page_size
			if start + self.page_size < len(posts):
				next_href = f"http://{request.headers.get('host')}{request.path}?page={page + 1}"
			posts = posts[start : start + self.page_size]
		body = {"rss": self.rss, "atom": self.atom, "forum": self.forum}[kind](posts, next_href)
		content_type = (
			"application/rss+xml; charset=utf-8" if kind == "rss" else "application/atom+xml; charset=utf-8"
		)
		return Reply(200, body, headers, content_type=content_type)

	def rss(self, posts: list[SeedPost], next_href: str = "") -> str:
		items = "".join(
			f"<item><title>{escape(p.title or p.text[:40])}</title><link>{escape(p.link or p.id)}</link>"
			f'<guid isPermaLink="true">{escape(p.id)}</guid><pubDate>{format_datetime(p.created_at, usegmt=True)}</pubDate>'
			f"<dc:creator>{escape(p.author_name or p.author)}</dc:creator>"
			f"<description>{escape(p.text)}</description></item>"
			for p in posts
		)
		return (
			'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
			' xmlns:atom="http://www.w3.org/2005/Atom">'
			"<channel><title>Cloud-Blog</title><link>https://blog.example/</link><description>Neuigkeiten</description>"
			+ (f'<atom:link rel="next" href="{escape(next_href)}"/>' if next_href else "")
			+ f"<language>de</language>{items}</channel></rss>"
		)

	def atom(self, posts: list[SeedPost], next_href: str = "") -> str:
		def entry(p: SeedPost) -> str:
			target = p.link or p.id
			wrapped = f"https://www.google.com/url?rct=j&sa=t&url={quote(target, safe='')}&ct=ga&cd=CAIyGjE&usg=AOvVaw0"
			return (
				f"<entry><id>tag:google.com,2013:googlealerts/feed:{p.seq:019d}</id>"
				f'<title type="html">{escape(p.title or p.text[:40])}</title>'
				f'<link href="{escape(wrapped)}"/><published>{iso_z(p.created_at, millis=False)}</published>'
				f"<updated>{iso_z(p.created_at, millis=False)}</updated>"
				f'<content type="html">{escape(p.text)}</content><author><name></name></author></entry>'
			)

		updated = iso_z(posts[0].created_at, millis=False) if posts else "2026-03-02T08:00:00Z"
		return (
			'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">'
			"<id>tag:google.com,2005:reader/user/00000000000000000000/state/com.google/alerts/1234567890</id>"
			f'<title>Google Alert - Acme Cloud</title><link href="https://www.google.com/alerts/feeds/0/1234" rel="self"/>'
			f"<updated>{updated}</updated>{''.join(entry(p) for p in posts)}</feed>"
		)

	def forum(self, posts: list[SeedPost], next_href: str = "") -> str:
		"""A forum's feed: German by default (xml:lang on the feed), each entry by its author."""

		def entry(p: SeedPost) -> str:
			lang = f' xml:lang="{p.lang}"' if p.lang and p.lang != "de" else ""
			parent = (
				f'<thr:in-reply-to ref="{escape(p.reply_to)}" href="{escape(p.reply_to)}"/>'
				if p.reply_to
				else ""
			)
			author = (
				f"<author><name>{escape(p.author_name or p.author)}</name>"
				f"<uri>https://forum.example/u/{quote(p.author)}</uri></author>"
				if p.author
				else ""
			)
			return (
				f"<entry{lang}><id>{escape(p.id)}</id><title>{escape(p.title or p.text[:40])}</title>"
				f'<link href="{escape(p.link or p.id)}"/><published>{iso_z(p.created_at, millis=False)}</published>'
				f"<updated>{iso_z(p.created_at, millis=False)}</updated>{author}{parent}"
				f'<content type="html">{escape(p.text)}</content></entry>'
			)

		updated = iso_z(posts[0].created_at, millis=False) if posts else "2026-03-02T08:00:00Z"
		nav = f'<link rel="next" href="{escape(next_href)}"/>' if next_href else ""
		return (
			'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"'
			' xmlns:thr="http://purl.org/syndication/thread/1.0" xml:lang="de">'
			"<id>https://forum.example/feed</id><title>Acme-Forum</title>"
			f'<link rel="self" href="https://forum.example/feed"/>{nav}'
			f"<updated>{updated}</updated>{''.join(entry(p) for p in posts)}</feed>"
		)
