"""Folding and tokenising text, shared by keyword queries and customer matching.

Users type "kündigen", posts say "Kuendigen", "KÜNDIGEN" or "kündigen" in decomposed Unicode
(as macOS sends it); all of them must meet. Both sides are therefore folded the same way
before any comparison: Unicode NFC, case folding, the German transliteration (ä→ae, ö→oe,
ü→ue, ß→ss) and then every other accent dropped (é→e, ç→c). Transliterating *before*
dropping accents matters: dropping first would turn "ä" into "a" and "Müller" would no longer
meet "Mueller".

Keeping this in one module means a query and the text it is matched against can never be
folded differently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import KeysView
from dataclasses import dataclass, field

# Letters whose usual ASCII spelling is not "the letter without its accent".
_TRANSLITERATION = str.maketrans(
	{
		"ä": "ae",
		"ö": "oe",
		"ü": "ue",
		"ß": "ss",
		"æ": "ae",
		"œ": "oe",
		"ø": "o",
		"ł": "l",
		"đ": "d",
		"ð": "d",
		"þ": "th",
		"ı": "i",
	}
)

WORD_RE = re.compile(r"[^\W_]+")
"""A word of folded text: letters and digits; punctuation, `_` and spaces separate words."""

# A handle: "@anna", "@anna_b", "@acme.de" (Bluesky), "@anna@mastodon.social" (Mastodon).
# Not inside an e-mail address ("info@acme.de"), hence the look-behind.
_HANDLE_RE = r"(?<![\w@#])@(?P<handle>\w(?:[\w.-]*\w)?(?:@\w(?:[\w.-]*\w)?)?)"
_HASHTAG_RE = r"(?<![\w#@&])\#(?P<hashtag>\w+)"
_TOKEN_RE = re.compile(rf"{_HANDLE_RE}|{_HASHTAG_RE}|(?P<word>[^\W_]+)")


def fold(text: str) -> str:
	"""Case- and accent-insensitive form of `text` with German transliteration.

	>>> fold("KÜNDIGEN Straße Café")
	'kuendigen strasse cafe'
	"""
	if text.isascii():
		return text.lower()
	text = unicodedata.normalize("NFC", text).casefold().translate(_TRANSLITERATION)
	decomposed = unicodedata.normalize("NFKD", text)
	return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def fold_words(text: str) -> list[str]:
	"""The folded words of `text`, punctuation dropped ("Kunden-Service!" -> kunden, service)."""
	return WORD_RE.findall(fold(text))


@dataclass(slots=True)
class FoldedText:
	"""A text folded and tokenised once, so any number of queries can be checked against it.

	`words` is the word sequence phrases are matched on. The words inside hashtags and
	handles are part of it (a plain term matches "#acme" and "@acme" too); `hashtags` and
	`handles` additionally hold those forms for queries that ask for them specifically.
	A Mastodon handle "anna@mastodon.social" is held in full and as its local part "anna".
	"""

	words: tuple[str, ...]
	hashtags: frozenset[str]
	handles: frozenset[str]
	positions: dict[str, list[int]] = field(init=False, repr=False)

	def __post_init__(self) -> None:
		positions: dict[str, list[int]] = {}
		for index, word in enumerate(self.words):
			positions.setdefault(word, []).append(index)
		self.positions = positions

	@classmethod
	def of(cls, text: str) -> FoldedText:
		words: list[str] = []
		hashtags: set[str] = set()
		handles: set[str] = set()
		for match in _TOKEN_RE.finditer(fold(text)):
			kind = match.lastgroup
			value = match.group(kind)
			if kind == "word":
				words.append(value)
				continue
			if kind == "hashtag":
				hashtags.add(value)
			else:
				handles.add(value)
				handles.add(value.split("@", 1)[0])
			words.extend(WORD_RE.findall(value))
		return cls(tuple(words), frozenset(hashtags), frozenset(handles))

	@property
	def word_set(self) -> KeysView[str]:
		return self.positions.keys()
