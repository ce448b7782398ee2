"""Tokens of short social posts, shared by language detection and sentiment.

Posts mix words with URLs, @handles, #hashtags, emoji and emoticons; each of these means
something different to the steps after (a URL says nothing about mood, an emoji says a lot,
a hashtag is usually a word), so the tokeniser keeps them apart instead of letting a generic
word splitter shred them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
	WORD = "word"
	HASHTAG = "hashtag"
	MENTION = "mention"
	URL = "url"
	EMOJI = "emoji"
	EMOTICON = "emoticon"
	NUMBER = "number"
	PUNCT = "punct"


@dataclass(frozen=True, slots=True, init=False)
class Token:
	"""One token, immutable. A post has a few dozen and every post is tokenised, so `__init__`
	fills the two slots directly: a frozen dataclass's generated one goes through
	`object.__setattr__` per field, at more than twice the cost."""

	text: str
	kind: Kind

	def __init__(self, text: str, kind: Kind) -> None:
		_set_text(self, text)
		_set_kind(self, kind)

	@property
	def lower(self) -> str:
		return self.text.lower()


_set_text = Token.__dict__["text"].__set__
_set_kind = Token.__dict__["kind"].__set__
_KINDS: dict[str, Kind] = {kind.value: kind for kind in Kind}


_EMOTICONS = (
	r"(?:[<>]?[:;=8xX][\-o\*']?[\)\]\(\[dDpP/\\:\}\{@\|3]+)"  # :) ;-) :D :( :/ =] xD :-|
	r"|(?:[\)\]\(\[dDpP/\\\}\{@\|][\-o\*']?[:;=8][<>]?)(?=\s|$)"  # (: reversed
	r"|(?:<3+|</3+)"
	r"|(?:\^_*\^|-_+-|o_O|O_o|T_T|;_;)"
)
# Emoji: pictographs, dingbats, symbols, flags; keycaps and ZWJ sequences are kept whole.
_EMOJI = (
	r"(?:[\U0001F1E6-\U0001F1FF]{2})"
	r"|(?:[\U0001F300-\U0001FAFF\u2600-\u27BF\u2300-\u23FF\u2B00-\u2BFF\u2190-\u21FF\u3030\u303D\u3297\u3299]"
	r"[\uFE0F\U0001F3FB-\U0001F3FF]*(?:\u200D[\U0001F300-\U0001FAFF\u2600-\u27BF\u2640\u2642\u2695][\uFE0F]?)*)"
)
_TOKEN_RE = re.compile(
	r"(?P<url>(?:https?://|www\.)\S+)"
	r"|(?P<mention>@\w+(?:@[\w.\-]+)?)"
	r"|(?P<hashtag>#\w+)"
	rf"|(?P<emoticon>(?<![\w])(?:{_EMOTICONS})(?![\w]))"
	rf"|(?P<emoji>{_EMOJI})"
	r"|(?P<number>\d+(?:[.,:]\d+)*%?)"
	r"|(?P<word>[^\W\d_]+(?:['’\-][^\W\d_]+)*)"
	r"|(?P<punct>[!?]+|\.{2,}|[.,;:()\"“”„])"
)


def tokenize(text: str) -> list[Token]:
	"""Split a post into typed tokens; anything unrecognised (stray symbols) is dropped."""
	kinds = _KINDS  # a dict look-up, not Kind(name): the enum's call costs a microsecond
	return [Token(match.group(), kinds[match.lastgroup]) for match in _TOKEN_RE.finditer(text)]  # type: ignore[index]


_CAMEL_RE = re.compile(r"[A-ZÄÖÜ]?[a-zäöüß]+|[A-ZÄÖÜ]+(?![a-zäöüß])|\d+")


def hashtag_words(tag: str) -> list[str]:
	"""The words inside a hashtag ("#EpicFail" -> ["epic", "fail"]); a one-case tag is one word."""
	body = tag.lstrip("#")
	parts = _CAMEL_RE.findall(body)
	if len(parts) <= 1:
		return [body.lower()] if body else []
	return [part.lower() for part in parts if not part.isdigit()]
