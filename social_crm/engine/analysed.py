"""A post tokenised and folded once, for every step that reads its text.

Language detection, the content check, sentiment features, keyword matching and the urgency
and intent terms all look at the same post. Each used to tokenise it again; `Analysed.of`
tokenises it once (social_tokens: words, handles, hashtags, emoji, punctuation) and folds it
once (text_folding, for the query language), lazily, so a step that only needs one of the two
does not pay for the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from social_crm.engine.social_tokens import Kind, Token, hashtag_words, tokenize
from social_crm.engine.text_folding import FoldedText

_CONTENT_KINDS = frozenset({Kind.WORD, Kind.HASHTAG, Kind.EMOJI, Kind.EMOTICON})


@dataclass(slots=True)
class Analysed:
	"""`tokens` are the post's typed tokens; `words` its lower-case words (hyphenated words and
	CamelCase hashtags split), what language detection counts; `folded` the form keyword
	queries are matched on."""

	text: str
	tokens: list[Token]
	_words: list[str] | None = field(default=None, repr=False)
	_folded: FoldedText | None = field(default=None, repr=False)

	@classmethod
	def of(cls, text: str | Analysed | None) -> Analysed:
		if isinstance(text, Analysed):
			return text
		text = text or ""
		return cls(text, tokenize(text))

	@property
	def words(self) -> list[str]:
		if self._words is None:
			words: list[str] = []
			for token in self.tokens:
				if token.kind is Kind.WORD:
					lower = token.text.lower()
					if "-" in lower:
						words.extend(part for part in lower.split("-") if part)
					else:
						words.append(lower)
				elif token.kind is Kind.HASHTAG:
					words.extend(hashtag_words(token.text))
			self._words = words
		return self._words

	@property
	def folded(self) -> FoldedText:
		if self._folded is None:
			self._folded = FoldedText.of(self.text)
		return self._folded

	@property
	def has_content(self) -> bool:
		"""Whether anything in the post can carry a mood (a word, hashtag or emoji), unlike a
		bare URL or handle."""
		return any(token.kind in _CONTENT_KINDS for token in self.tokens)
