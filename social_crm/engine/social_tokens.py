"""Tokens of short social posts, shared by language detection and sentiment.

Posts mix words with URLs, @handles, #hashtags, emoji and emoticons; each of these means
something different to the steps after (a URL says nothing about mood, an emoji says a lot,
a hashtag is usually a word), so the tokeniser keeps them apart instead of letting a generic
word splitter shred them.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import NamedTuple


class Kind(str, Enum):
	WORD = "word"
	HASHTAG = "hashtag"
	MENTION = "mention"
	URL = "url"
	EMOJI = "emoji"
	EMOTICON = "emoticon"
	NUMBER = "number"
	PUNCT = "punct"


class Token(NamedTuple):
	"""One token, immutable. A post has a few dozen and every post is tokenised, so it is a
	tuple: `tokenize` builds each with `tuple.__new__`, half the cost of the frozen
	dataclass it was (whose `__init__` set each field through a descriptor)."""

	text: str
	kind: Kind

	@property
	def lower(self) -> str:
		return self.text.lower()


_new_token = tuple.__new__
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
	return [_new_token(Token, (match.group(), kinds[match.lastgroup])) for match in _TOKEN_RE.finditer(text)]  # type: ignore[index]


_CAMEL_RE = re.compile(r"[A-ZÄÖÜ]?[a-zäöüß]+|[A-ZÄÖÜ]+(?![a-zäöüß])|\d+")


def hashtag_words(tag: str) -> list[str]:
	"""The words inside a hashtag ("#EpicFail" -> ["epic", "fail"]); a one-case tag is one word."""
	body = tag.lstrip("#")
	parts = _CAMEL_RE.findall(body)
	if len(parts) <= 1:
		return [body.lower()] if body else []
	return [part.lower() for part in parts if not part.isdigit()]
