"""Linear sentiment models in pure Python: the shipped per-language models and the site model.

A shipped model is a multinomial logistic regression over hashed features (`features.py`),
trained offline by `bench/train_sentiment.py` on human-labelled social posts. Its weights are
kept relative to the neutral class (two numbers per hash slot: negative and positive logit),
then calibrated on a validation split (a temperature and a bias per class), so the three
probabilities mean what they say and the score P(positive) - P(negative) sits near 0 for a
post that says nothing evaluative: the Settings threshold (-0.3) keeps its meaning.
"negative" is called where the score is at or below -`negative_margin` (chosen on validation
for negative-class F1), so the label and triage read the same number.

A site model (`SiteModel`) is an offset learned from agents' corrections *on top of* the
shipped model: it starts from what the shipped model says, so a few dozen corrections adjust
rather than replace it, and it is used only once it beats the shipped model on the site's own
held-back corrections (`should_use`).

No pickle, no numpy: weights load from gzip JSON into an `array` of floats.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from social_crm.engine.analysed import Analysed
from social_crm.engine.sentiment.features import BITS, Features, bucket, hashed

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
FORMAT = "social_crm.sentiment.hashed/1"
SITE_FORMAT = "social_crm.sentiment.site/2"
MIN_CORRECTIONS = 50
QUANTUM = 10_000  # weights are stored as integers of 1/QUANTUM
_WORD_SUMS_MAX = 50_000  # words a model keeps the dot-product part of, plain and negated each
SHIPPED_FILES = {"en": "sentiment_en.json.gz", "de": "sentiment_de.json.gz"}


class BadModel(ValueError):
	"""Stored model bytes that are not a model of this format (corrupt, foreign, newer)."""


def softmax3(s_neg: float, s_pos: float) -> tuple[float, float, float]:
	"""Probabilities (negative, neutral, positive) from logits relative to neutral."""
	top = max(s_neg, 0.0, s_pos)
	e0, e1, e2 = math.exp(s_neg - top), math.exp(-top), math.exp(s_pos - top)
	total = e0 + e1 + e2
	return (e0 / total, e1 / total, e2 / total)


def decide(p: tuple[float, float, float], negative_margin: float) -> tuple[str, float]:
	"""Label and score P(positive) - P(negative) from calibrated probabilities.

	"negative" exactly when the score is at or below -negative_margin, so the label reads the
	same number triage compares with the Settings threshold, and their signs always agree."""
	p_neg, p_neu, p_pos = p
	score = p_pos - p_neg
	if score <= -negative_margin:
		return "negative", score
	if p_pos > p_neu and p_pos > p_neg:
		return "positive", score
	return "neutral", score


@dataclass(frozen=True, eq=False)
class HashedModel:
	"""Weights per hash slot, flat: [neg0, pos0, neg1, pos1, ...] (logits relative to neutral),
	scaled by 1/temperature and shifted by the class biases after the dot product."""

	weights: array
	temperature: float = 1.0
	bias: tuple[float, float] = (0.0, 0.0)
	negative_margin: float = 0.5
	name: str = "hashed"
	language: str = "en"
	meta: dict[str, object] = field(default_factory=dict)
	# word -> that word's part of the two dot products, as a complex number (negative + positive
	# * 1j: one small object, both sums in one addition), plain and negated; bounded caches
	_word_sums: dict[str, complex] = field(default_factory=dict, init=False, repr=False, compare=False)
	_negated_sums: dict[str, complex] = field(default_factory=dict, init=False, repr=False, compare=False)

	def logits(self, feats: dict[int, float]) -> tuple[float, float]:
		"""Calibrated logits (negative, positive) relative to neutral."""
		s_neg, s_pos = self._dot(feats)
		t = self.temperature
		return s_neg / t + self.bias[0], s_pos / t + self.bias[1]

	def logits_of(self, features: Features) -> tuple[float, float]:
		"""`logits(features.flat())`, but each word's part of the dot products is computed once
		per distinct word and then looked up: most of a post's slots are its words' character
		n-grams, and most words recur across posts. (The same up to the order of the float
		additions.)"""
		words = self._sum_words(features.words, self._word_sums) + self._sum_words(
			features.negated, self._negated_sums
		)
		s_neg, s_pos = self._dot(features.units)
		t = self.temperature
		return (words.real + s_neg) / t + self.bias[0], (words.imag + s_pos) / t + self.bias[1]

	def _dot(self, feats: dict[int, float]) -> tuple[float, float]:
		# one pass over the slots: a slot's two weights share a cache line of the flat array
		w = self.weights
		s_neg = s_pos = 0.0
		for slot, value in feats.items():
			slot += slot
			s_neg += w[slot] * value
			s_pos += w[slot + 1] * value
		return s_neg, s_pos

	def _sum_words(self, words: dict[str, dict[int, float]], cache: dict[str, complex]) -> complex:
		total = 0j
		for word, part in words.items():
			sums = cache.get(word)
			if sums is None:
				if len(cache) >= _WORD_SUMS_MAX:  # a cache, safe to drop
					cache.clear()
				sums = cache[word] = complex(*self._dot(part))
			total += sums
		return total

	def probabilities(self, feats: dict[int, float] | Features) -> tuple[float, float, float]:
		if isinstance(feats, Features):
			return softmax3(*self.logits_of(feats))
		return softmax3(*self.logits(feats))

	def predict(self, feats: dict[int, float] | Features) -> tuple[str, float]:
		return decide(self.probabilities(feats), self.negative_margin)

	def to_bytes(self) -> bytes:
		"""Gzip JSON, byte for byte the same for the same weights (sorted keys, mtime 0)."""
		slots: list[int] = []
		neg: list[int] = []
		pos: list[int] = []
		w = self.weights
		previous = 0
		for slot in range(len(w) // 2):
			a, b = round(w[2 * slot] * QUANTUM), round(w[2 * slot + 1] * QUANTUM)
			if a or b:
				slots.append(slot - previous)  # delta-coded: small numbers compress well
				previous = slot
				neg.append(a)
				pos.append(b)
		body = {
			"format": FORMAT,
			"name": self.name,
			"language": self.language,
			"labels": list(LABELS),
			"bits": BITS,
			"quantum": QUANTUM,
			"temperature": round(self.temperature, 6),
			"bias": [round(self.bias[0], 6), round(self.bias[1], 6)],
			"negative_margin": round(self.negative_margin, 6),
			"meta": self.meta,
			"slots": slots,
			"neg": neg,
			"pos": pos,
		}
		text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
		blob = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
		# the header's OS byte differs between Python versions (3 before 3.11, 255 after); it is
		# informational only, so it is fixed to 255 ("unknown") for the same bytes everywhere
		return blob[:9] + b"\xff" + blob[10:]

	@classmethod
	def from_bytes(cls, data: bytes) -> HashedModel:
		try:
			body = json.loads(gzip.decompress(data).decode("utf-8"))
			if body.get("format") != FORMAT or tuple(body["labels"]) != LABELS or body["bits"] != BITS:
				raise BadModel(f"not a {FORMAT} model with {BITS}-bit slots")
			quantum = float(body["quantum"])
			weights = array("f", [0.0]) * (2 << BITS)  # zeros, without an 8 MB bytes object first
			slot = 0
			for delta, a, b in zip(body["slots"], body["neg"], body["pos"], strict=True):
				slot += delta
				weights[2 * slot] = a / quantum
				weights[2 * slot + 1] = b / quantum
			return cls(
				weights,
				float(body["temperature"]),
				(float(body["bias"][0]), float(body["bias"][1])),
				float(body["negative_margin"]),
				str(body["name"]),
				str(body["language"]),
				dict(body.get("meta", {})),
			)
		except BadModel:
			raise
		except (OSError, EOFError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
			raise BadModel(str(error)) from error


@lru_cache(maxsize=4)
def shipped_model(language: str) -> HashedModel:
	"""The shipped model for a language: German for "de", English for everything else."""
	name = SHIPPED_FILES.get(language, SHIPPED_FILES["en"])
	data = resources.files("social_crm.engine.sentiment.data").joinpath(name).read_bytes()
	return HashedModel.from_bytes(data)


@lru_cache(maxsize=4)
def shipped_id(language: str) -> str:
	"""Which shipped weights a site model was learned on top of (first bytes of their sha256)."""
	name = SHIPPED_FILES.get(language, SHIPPED_FILES["en"])
	data = resources.files("social_crm.engine.sentiment.data").joinpath(name).read_bytes()
	return hashlib.sha256(data).hexdigest()[:16]


def model_language(language: str) -> str:
	return "de" if language == "de" else "en"


# --- metrics -------------------------------------------------------------------------------


def negative_prf(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float, float]:
	"""Precision, recall and F1 of the negative class."""
	pairs = list(zip(gold, predicted, strict=True))
	tp = sum(g == "negative" and p == "negative" for g, p in pairs)
	fp = sum(g != "negative" and p == "negative" for g, p in pairs)
	fn = sum(g == "negative" and p != "negative" for g, p in pairs)
	precision = tp / (tp + fp) if tp + fp else 0.0
	recall = tp / (tp + fn) if tp + fn else 0.0
	return precision, recall, (2 * tp / (2 * tp + fp + fn) if tp else 0.0)


def negative_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
	return negative_prf(gold, predicted)[2]


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
	scores = []
	for label in LABELS:
		tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
		fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
		fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
		if tp + fp + fn:
			scores.append(2 * tp / (2 * tp + fp + fn))
	return sum(scores) / len(scores) if scores else 0.0


# --- per-site models learned from agents' corrections ------------------------------------


def _site_row(analysed: Analysed, language: str) -> tuple[dict[int, float], tuple[float, float]]:
	"""The post's features for the offsets (with a per-language bias) and the shipped logits."""
	lang = model_language(language)
	feats = hashed(analysed.tokens, lang)
	base = shipped_model(lang).logits(feats)
	slot = bucket("site-lang|" + lang)
	feats[slot] = feats.get(slot, 0.0) + 1.0
	return feats, base


@dataclass(frozen=True)
class SiteModel:
	"""Offsets (negative, positive logit per hash slot) that one site's corrections add to the
	shipped model's calibrated logits. Stored with `to_bytes()` as UTF-8 JSON."""

	offsets: dict[int, tuple[float, float]]
	corrections: int
	base: dict[str, str] = field(default_factory=dict)
	l2: float = 1e-3
	epochs: int = 15

	def probabilities(self, text: str | Analysed, language: str) -> tuple[float, float, float]:
		feats, (s_neg, s_pos) = _site_row(Analysed.of(text), language)
		offsets = self.offsets
		for slot, value in feats.items():
			o = offsets.get(slot)
			if o is not None:
				s_neg += o[0] * value
				s_pos += o[1] * value
		return softmax3(s_neg, s_pos)

	def learned_on_shipped(self, language: str) -> bool:
		"""Whether the offsets for `language` were learned on top of the weights shipped now. After
		an update ships new weights, offsets learned on the old ones would push the new logits by
		what the old model got wrong, so until the daily training has learned them again the
		shipped model alone is the better guess."""
		base = self.base.get(model_language(language))
		return base is None or base == shipped_id(model_language(language))

	def predict(self, text: str | Analysed, language: str) -> tuple[str, float]:
		shipped = shipped_model(model_language(language))
		return decide(self.probabilities(text, language), shipped.negative_margin)

	def to_bytes(self) -> bytes:
		body = {
			"format": SITE_FORMAT,
			"kind": "site",
			"corrections": self.corrections,
			"base": self.base,
			"l2": self.l2,
			"epochs": self.epochs,
			"offsets": {str(k): [v[0], v[1]] for k, v in sorted(self.offsets.items())},
		}
		return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")

	@classmethod
	def from_bytes(cls, data: bytes | str) -> SiteModel:
		try:
			text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
			body = json.loads(text)
			if not isinstance(body, dict) or body.get("format") != SITE_FORMAT or body.get("kind") != "site":
				raise BadModel("not a site model of this version")
			offsets = {int(k): (float(v[0]), float(v[1])) for k, v in body["offsets"].items()}
			return cls(
				offsets,
				int(body["corrections"]),
				{str(k): str(v) for k, v in body.get("base", {}).items()},
				float(body["l2"]),
				int(body["epochs"]),
			)
		except BadModel:
			raise
		except (UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
			raise BadModel(str(error)) from error


Correction = tuple[str, str, str]  # text, corrected label, language


def train(
	examples: Sequence[Correction], *, l2: float = 1e-3, epochs: int = 15, learning_rate: float = 0.2
) -> SiteModel:
	"""A site model from (text, corrected label, language) triples: AdaGrad SGD on the offsets,
	the shipped model's logits held fixed as the starting point, L2 pulling the offsets back
	to zero (to the shipped model). Deterministic (fixed seed). Unknown labels are an error
	rather than silently dropped: they mean the shell stored something else than a label."""
	rows: list[tuple[dict[int, float], tuple[float, float], int]] = []
	for text, label, language in examples:
		if label not in LABELS:
			raise ValueError(f"unknown sentiment label {label!r}")
		language = language or "und"
		feats, base = _site_row(Analysed.of(text), language)
		rows.append((feats, base, LABELS.index(label)))
	offsets: dict[int, list[float]] = {}
	squares: dict[int, list[float]] = {}
	order = list(range(len(rows)))
	rng = random.Random(13)
	for _ in range(epochs):
		rng.shuffle(order)
		for i in order:
			feats, (b_neg, b_pos), target = rows[i]
			s_neg, s_pos = b_neg, b_pos
			for slot, value in feats.items():
				o = offsets.get(slot)
				if o is not None:
					s_neg += o[0] * value
					s_pos += o[1] * value
			p_neg, _, p_pos = softmax3(s_neg, s_pos)
			e_neg = p_neg - (1.0 if target == 0 else 0.0)
			e_pos = p_pos - (1.0 if target == 2 else 0.0)
			for slot, value in feats.items():
				o = offsets.get(slot)
				if o is None:
					o = offsets[slot] = [0.0, 0.0]
					squares[slot] = [1e-8, 1e-8]
				g2 = squares[slot]
				for k, error in ((0, e_neg), (1, e_pos)):
					grad = error * value + l2 * o[k]
					g2[k] += grad * grad
					o[k] -= learning_rate * grad / math.sqrt(g2[k])
	languages = sorted({model_language(lang or "und") for _, _, lang in examples})
	rounded = {
		slot: (round(o[0], 5), round(o[1], 5))
		for slot, o in offsets.items()
		if round(o[0], 5) or round(o[1], 5)
	}
	return SiteModel(rounded, len(rows), {lang: shipped_id(lang) for lang in languages}, l2, epochs)


def _folds(n: int, k: int, seed: int = 7) -> list[list[int]]:
	order = list(range(n))
	random.Random(seed).shuffle(order)
	return [order[i::k] for i in range(k)]


def should_use(
	site_model: SiteModel | None,
	default: Callable[[str, str], str],
	corrections: Sequence[Correction],
	*,
	minimum: int = MIN_CORRECTIONS,
	folds: int = 5,
) -> bool:
	"""Whether the site model should replace the default analyser.

	Only with at least `minimum` corrections, and only if a model trained the same way beats
	`default` (a function text, language -> label; normally the shipped model) on held-out
	folds of the site's own corrections, by macro F1 over the labels (ties keep the default:
	a change has to earn its place). The shell should pass confirmed labels too, not only
	overrides; otherwise the default is judged only where it was wrong."""
	if site_model is None or len(corrections) < minimum:
		return False
	gold: list[str] = []
	site_pred: list[str] = []
	default_pred: list[str] = []
	for fold in _folds(len(corrections), folds):
		held = set(fold)
		trained = train(
			[c for i, c in enumerate(corrections) if i not in held],
			l2=site_model.l2,
			epochs=site_model.epochs,
		)
		for i in fold:
			text, label, language = corrections[i]
			gold.append(label)
			site_pred.append(trained.predict(text, language or "und")[0])
			default_pred.append(default(text, language or "und"))
	return macro_f1(gold, site_pred) > macro_f1(gold, default_pred)
