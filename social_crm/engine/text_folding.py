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
_TAG_RE = re.compile(rf"{_HANDLE_RE}|{_HASHTAG_RE}")


def fold(text: str) -> str:
	"""Case- and accent-insensitive form of `text` with German transliteration.

	>>> fold("KÜNDIGEN Straße Café")
	'kuendigen strasse cafe'
	"""
	if text.isascii():
		return text.lower()
	text = unicodedata.normalize("NFC", text).casefold().translate(_TRANSLITERATION)
	decomposed = unicodedata.normalize("NFKD", text)
	if not decomposed.isascii():
		decomposed = decomposed.translate(_DROP_COMBINING)
	return decomposed.casefold()


class _CombiningMarks(dict[int, int | None]):
	"""A `str.translate` table that drops combining marks (the accents NFKD split off) and
	keeps every other character, filled as characters are first seen: one C-level look-up
	per character instead of a Python call. At most one entry per distinct character."""

	def __missing__(self, code: int) -> int | None:
		kept = None if unicodedata.combining(chr(code)) else code
		self[code] = kept
		return kept


_DROP_COMBINING = _CombiningMarks()


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
	_unique: dict[str, None] = field(init=False, repr=False, compare=False)
	_positions: dict[str, list[int]] | None = field(default=None, init=False, repr=False, compare=False)

	def __post_init__(self) -> None:
		self._unique = dict.fromkeys(self.words)

	@property
	def positions(self) -> dict[str, list[int]]:
		"""word -> where it stands in `words`; built on first use (phrases need it, single
		words are looked up in `word_set`)."""
		if self._positions is None:
			positions: dict[str, list[int]] = {}
			for index, word in enumerate(self.words):
				if word in positions:
					positions[word].append(index)
				else:
					positions[word] = [index]
			self._positions = positions
		return self._positions

	@classmethod
	def of(cls, text: str) -> FoldedText:
		folded = fold(text)
		# A handle or hashtag ends where a word ends and holds whole words, so the word
		# sequence is the words of the folded text however the handles and hashtags fall;
		# only a text with "@" or "#" needs the tokeniser that tells them apart.
		words = tuple(WORD_RE.findall(folded))
		if "@" not in folded and "#" not in folded:
			return cls(words, _NOTHING, _NOTHING)
		hashtags: set[str] = set()
		handles: set[str] = set()
		for match in _TAG_RE.finditer(folded):
			if match.lastgroup == "hashtag":
				hashtags.add(match.group("hashtag"))
			else:
				handle = match.group("handle")
				handles.add(handle)
				handles.add(handle.split("@", 1)[0])
		return cls(words, frozenset(hashtags), frozenset(handles))

	@property
	def word_set(self) -> KeysView[str]:
		"""The distinct words, in the order they first occur."""
		return self._unique.keys()


_NOTHING: frozenset[str] = frozenset()
