"""Sentiment of a post: label, score, language and which analyser decided.

The pipeline and the Frappe shell call `analyze` / `analyze_many`; nothing else decides
sentiment (no thresholds in controllers). Each language gets the analyser that measured best
for it on posts from corpora it was not trained on (`bench/sentiment_eval.py`):

- English (and posts of undetermined language): "social-en/6", a calibrated linear model over
  hashed words, character n-grams, VADER lexicon scores, negation, emoji and punctuation,
  trained on the SemEval 2013-2016 Twitter sentiment tweets (`bench/train_sentiment.py`).
- German: "social-de/5", the same model trained on SB-10k tweets and GermEval 2017 customer
  feedback, with the German Polarity Lexicon and the app's complaint lexicon as features.

Their score is P(positive) - P(negative) of calibrated probabilities: near 0 for posts that say
nothing evaluative, so the Settings threshold keeps its meaning. Other analysers stay
available by name for comparison and for sites that prefer them ("vader", "textblob",
"rules-de"). A site model learned from agents' corrections on top of the shipped model
(`model.train`) replaces them once `model.should_use` says it is better.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from social_crm.engine.analysed import Analysed
from social_crm.engine.language import UNDETERMINED, detect_language
from social_crm.engine.sentiment.features import features
from social_crm.engine.sentiment.lexicon import vader_score
from social_crm.engine.sentiment.lexicon_de import german_score
from social_crm.engine.sentiment.model import SiteModel, shipped_model

LEXICON_CUTOFF = 0.05  # VADER's documented neutral band, used for every lexicon score


@dataclass(frozen=True, slots=True)
class Sentiment:
	"""`score` in [-1, 1]; its sign agrees with `label` (negative < 0 < positive).
	`language` is ISO 639-1 or "und"; `analyzer` is "name/version" of what decided."""

	label: str
	score: float
	language: str
	analyzer: str


class UnknownAnalyzer(KeyError):
	"""An analyser name that is not registered (a typo in a site's settings)."""


def _label(score: float, cutoff: float = LEXICON_CUTOFF) -> str:
	return "negative" if score <= -cutoff else "positive" if score >= cutoff else "neutral"


def _vader(post: Analysed, language: str) -> tuple[str, float]:
	compound = vader_score(post.text).compound
	return _label(compound), compound


@lru_cache(maxsize=1)
def _textblob_analyzer() -> Callable[[str], float]:
	from textblob import TextBlob

	return lambda text: TextBlob(text).sentiment.polarity


def _textblob(post: Analysed, language: str) -> tuple[str, float]:
	polarity = float(_textblob_analyzer()(post.text))
	return _label(polarity, 1e-9), polarity


def _rules_de(post: Analysed, language: str) -> tuple[str, float]:
	compound = german_score(post.text).compound
	return _label(compound), compound


def _social_en(post: Analysed, language: str) -> tuple[str, float]:
	return shipped_model("en").predict(features(post.tokens, "en"))


def _social_de(post: Analysed, language: str) -> tuple[str, float]:
	return shipped_model("de").predict(features(post.tokens, "de"))


# name -> (version tag, function(post, language) -> (label, score))
_ANALYZERS: dict[str, tuple[str, Callable[[Analysed, str], tuple[str, float]]]] = {
	"social-en": ("social-en/6", _social_en),
	"social-de": ("social-de/5", _social_de),
	"rules-de": ("rules-de/1", _rules_de),
	"vader": ("vader/3.3", _vader),
	"textblob": ("textblob/0.17+", _textblob),
}
DEFAULT_BY_LANGUAGE = {"de": "social-de"}
DEFAULT_OTHERWISE = "social-en"


def available_analyzers() -> tuple[str, ...]:
	"""Names accepted by `analyze(..., analyzer=...)`; "default" picks per language."""
	return ("default", *_ANALYZERS)


@dataclass(frozen=True)
class Analyzer:
	"""What the shell configures per site: an analyser name, an optional site model (used only
	when the shell decided so with `should_use`) and the languages the site expects, which
	narrows detection (None = every language the detector knows)."""

	analyzer: str = "default"
	model: SiteModel | None = None
	languages: tuple[str, ...] | None = ("en", "de")

	def __post_init__(self) -> None:
		if self.analyzer not in available_analyzers():
			raise UnknownAnalyzer(self.analyzer)

	def analyze(self, text: str | Analysed, language: str | None = None) -> Sentiment:
		"""`text` may be an `Analysed` post the caller already tokenised (the pipeline's)."""
		post = Analysed.of(text)
		lang = language or detect_language(post, candidates=self.languages)
		if not post.has_content:
			return Sentiment("neutral", 0.0, lang, "empty/1")
		if self.model is not None and self.model.learned_on_shipped(lang):
			label, score = self.model.predict(post, lang)
			return Sentiment(label, _clamp(score), lang, f"site/{self.model.corrections}")
		name = self.analyzer
		if name == "default":
			name = DEFAULT_BY_LANGUAGE.get(lang, DEFAULT_OTHERWISE)
		version, decide = _ANALYZERS[name]
		label, score = decide(post, lang)
		return Sentiment(label, _clamp(score), lang, version)

	def analyze_many(self, texts: Sequence[str | Analysed], language: str | None = None) -> list[Sentiment]:
		return [self.analyze(text, language) for text in texts]

	def label(self, text: str, language: str) -> str:
		"""Just the label: the `default` argument `model.should_use` expects."""
		return self.analyze(text, language).label


def _clamp(score: float) -> float:
	return max(-1.0, min(1.0, float(score)))


_DEFAULT = Analyzer()


def analyze(
	text: str | Analysed,
	language: str | None = None,
	*,
	analyzer: str = "default",
	model: SiteModel | None = None,
) -> Sentiment:
	"""Sentiment of one post; `language` (ISO 639-1) skips detection when the platform knows it."""
	if analyzer == "default" and model is None:
		return _DEFAULT.analyze(text, language)
	return Analyzer(analyzer, model).analyze(text, language)


def analyze_many(
	texts: Sequence[str],
	language: str | None = None,
	*,
	analyzer: str = "default",
	model: SiteModel | None = None,
) -> list[Sentiment]:
	"""`analyze` for each text, with one analyser set-up for the batch."""
	return Analyzer(analyzer, model).analyze_many(texts, language)


__all__ = [
	"UNDETERMINED",
	"Analyzer",
	"Sentiment",
	"UnknownAnalyzer",
	"analyze",
	"analyze_many",
	"available_analyzers",
]
