"""Sparse features of a post for the linear models: lexicon scores, words, bigrams, emoji.

Both lexicons (VADER for English, the German rules) give a `LexiconScore`; this module is the
one place that picks the lexicon by language, so neither lexicon module imports the other.
"""

from __future__ import annotations

from social_crm.engine.sentiment.emoji import emoji_valence
from social_crm.engine.sentiment.lexicon import LexiconScore, vader_score
from social_crm.engine.sentiment.lexicon_de import german_score
from social_crm.engine.social_tokens import Kind, hashtag_words, tokenize

_NEGATORS = frozenset(
	"not no never nothing none nobody cannot without nor neither nowhere "
	"nicht kein keine keinen keinem keiner keines nie niemals nichts nix ohne weder kaum".split()
)


def lexicon_score(text: str, language: str) -> LexiconScore:
	"""German posts get the German lexicon; everything else VADER (emoji and English loanwords
	make it the better guess for an undetermined language too)."""
	if language == "de":
		return german_score(text)
	return vader_score(text)


def features(text: str, language: str, lexicon: LexiconScore | None = None) -> dict[str, float]:
	"""Sparse features of a post: lexicon scores, words marked inside a negation scope
	("not good" -> NOT_good), bigrams, emoji, "!"/"?" and the language as a bias."""
	lex = lexicon if lexicon is not None else lexicon_score(text, language)
	feats: dict[str, float] = {
		"bias": 1.0,
		f"lang:{language}": 1.0,
		"lex:c": lex.compound,
		"lex:cneg": min(lex.compound, 0.0),
		"lex:cpos": max(lex.compound, 0.0),
		"lex:neg": lex.negative,
		"lex:pos": lex.positive,
		"lex:zero": 1.0 if lex.compound == 0.0 else 0.0,
	}
	negated = False
	previous = "<s>"
	emoji_sum = 0.0
	for token in tokenize(text):
		kind = token.kind
		if kind is Kind.WORD or kind is Kind.HASHTAG:
			words = hashtag_words(token.text) if kind is Kind.HASHTAG else [token.lower]
			for word in words:
				feats["w:NOT_" + word if negated else "w:" + word] = 1.0
				feats["b:" + previous + "_" + word] = 1.0
				previous = word
				if word in _NEGATORS or word.endswith("n't"):
					negated = True
		elif kind is Kind.EMOJI or kind is Kind.EMOTICON:
			feats["e:" + token.text] = 1.0
			emoji_sum += emoji_valence(token.text)
		elif kind is Kind.PUNCT:
			if token.text[0] in "!?":
				feats["p:" + token.text[0]] = 1.0
			negated = False
			previous = "<s>"
		elif kind is Kind.URL:
			feats["url"] = 1.0
	if emoji_sum:
		feats["emoji:sum"] = max(-1.0, min(1.0, emoji_sum / 4.0))
	return feats
