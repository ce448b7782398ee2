"""Platform HTML to plain text, in one place.

Mastodon statuses, Hacker News comments and feed summaries arrive as HTML; everything after
the connector (sentiment, keyword matching, the desk) wants plain text. The stdlib parser only
tokenises: nothing is fetched, evaluated or executed, and script/style bodies are dropped.
Block elements and <br> keep their line breaks so a reader still sees paragraphs.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset(
	{"p", "div", "li", "ul", "ol", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}
)
_DROPPED_TAGS = frozenset({"script", "style", "template", "head", "title", "noscript"})
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")


class _TextCollector(HTMLParser):
	def __init__(self) -> None:
		super().__init__(convert_charrefs=True)
		self.parts: list[str] = []
		self._dropping = 0

	def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
		if tag in _DROPPED_TAGS:
			self._dropping += 1
		elif tag == "br":
			self.parts.append("\n")
		elif tag in _BLOCK_TAGS:
			self.parts.append("\n\n")

	def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
		if tag == "br":
			self.parts.append("\n")

	def handle_endtag(self, tag: str) -> None:
		if tag in _DROPPED_TAGS:
			self._dropping = max(0, self._dropping - 1)
		elif tag in _BLOCK_TAGS:
			self.parts.append("\n\n")

	def handle_data(self, data: str) -> None:
		if not self._dropping:
			# Source newlines inside HTML are layout, not content.
			self.parts.append(data.replace("\r", " ").replace("\n", " "))


def html_to_text(markup: str | None) -> str:
	"""Plain text of an HTML fragment: tags dropped, entities decoded, paragraphs kept."""
	if not markup:
		return ""
	if "<" not in markup:
		return tidy(html.unescape(markup))
	collector = _TextCollector()
	collector.feed(markup)
	collector.close()
	return tidy("".join(collector.parts))


def tidy(text: str) -> str:
	"""Collapse runs of spaces, trim every line, keep at most one blank line between paragraphs."""
	lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
	return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()
