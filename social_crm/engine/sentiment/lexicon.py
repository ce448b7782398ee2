"""Lexicon scores: the rule-based first opinion on a post, per language.

English uses VADER (Hutto & Gilbert 2014, MIT), which was built for social media: emoji,
emoticons, caps, "!!!", negation, "but" clauses. German uses the app's own brand-complaint
lexicon (`lexicon_de`), because no permissively licensed German lexicon was found
(SentiWS is CC-BY-NC-SA). Both give the same three numbers so the trained models can use either
as features.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@dataclass(frozen=True, slots=True)
class LexiconScore:
	"""`compound` in [-1, 1]; `negative`/`positive` the shares of the post's words that carry them."""

	compound: float
	negative: float
	positive: float


@lru_cache(maxsize=1)
def _vader() -> SentimentIntensityAnalyzer:
	# Loading the lexicon takes ~0.1 s; one shared instance is safe (it keeps no per-call state).
	return SentimentIntensityAnalyzer()


def vader_score(text: str) -> LexiconScore:
	scores = _vader().polarity_scores(text)
	return LexiconScore(scores["compound"], scores["neg"], scores["pos"])


@lru_cache(maxsize=1)
def vader_lexicon() -> dict[str, float]:
	"""VADER's word valences (-4..+4) as shipped in vaderSentiment (MIT), for the trained
	models' lexicon features: a dict look-up per word instead of VADER's whole rule pass."""
	from importlib import resources as _resources

	text = _resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
	table: dict[str, float] = {}
	for line in text.splitlines():
		parts = line.split("\t")
		if len(parts) >= 2 and parts[0] and not parts[0][0].isspace():
			table[parts[0].lower()] = float(parts[1])
	return table
