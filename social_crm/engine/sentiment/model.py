"""A small linear sentiment model in pure Python: features, training, storage.

Lexicons miss what a domain says without sentiment words ("seit 3 Tagen kein Netz", "still
waiting for my refund"), and they cannot learn a site's own vocabulary. A multinomial logistic
regression over word, bigram, emoji and lexicon-score features fixes much of that, stays fast
(a dict look-up per feature) and stores as plain JSON: no pickle, no numpy, safe to keep in a
Frappe Long Text field.

The same code trains the English model shipped in `data/sentiment_en.json` (offline, from the
MIT-licensed VADER 2014 ground truth, see `bench/train_sentiment_en.py`) and the per-site models
learned from agents' corrections (`train`, `should_use`).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from social_crm.engine.sentiment.features import features

LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
FORMAT = "social_crm.sentiment.linear/1"
MIN_CORRECTIONS = 50


class BadModel(ValueError):
	"""Stored model bytes that are not a model of this format (corrupt, foreign, newer)."""


@dataclass(frozen=True)
class LinearModel:
	"""Weights per feature (one per label in LABELS order) and a shift of the negative class
	chosen by cross-validation, so "negative" is called where it maximises negative-class F1."""

	weights: dict[str, tuple[float, float, float]]
	negative_shift: float = 0.0
	name: str = "linear"
	meta: dict[str, object] = field(default_factory=dict)

	def probabilities(self, feats: dict[str, float]) -> tuple[float, float, float]:
		s0 = s1 = s2 = 0.0
		weights = self.weights
		for name, value in feats.items():
			w = weights.get(name)
			if w is not None:
				s0 += w[0] * value
				s1 += w[1] * value
				s2 += w[2] * value
		s0 += self.negative_shift
		top = max(s0, s1, s2)
		e0, e1, e2 = math.exp(s0 - top), math.exp(s1 - top), math.exp(s2 - top)
		total = e0 + e1 + e2
		return (e0 / total, e1 / total, e2 / total)

	def predict(self, feats: dict[str, float]) -> tuple[str, float]:
		"""Label and score; score = P(positive) - P(negative), so its sign agrees with the label."""
		p = self.probabilities(feats)
		best = 0 if p[0] >= p[1] and p[0] >= p[2] else (2 if p[2] > p[1] else 1)
		return LABELS[best], p[2] - p[0]

	def to_json(self) -> str:
		return json.dumps(
			{
				"format": FORMAT,
				"name": self.name,
				"labels": list(LABELS),
				"negative_shift": self.negative_shift,
				"meta": self.meta,
				"weights": {k: [round(x, 5) for x in v] for k, v in sorted(self.weights.items())},
			},
			ensure_ascii=False,
			separators=(",", ":"),
		)

	@classmethod
	def from_json(cls, text: str) -> LinearModel:
		try:
			data = json.loads(text)
			if data.get("format") != FORMAT or tuple(data["labels"]) != LABELS:
				raise BadModel(f"not a {FORMAT} model")
			weights = {str(k): (float(v[0]), float(v[1]), float(v[2])) for k, v in data["weights"].items()}
			return cls(weights, float(data["negative_shift"]), str(data["name"]), dict(data.get("meta", {})))
		except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
			if isinstance(error, BadModel):
				raise
			raise BadModel(str(error)) from error


def fit(
	rows: Sequence[tuple[dict[str, float], str]],
	*,
	l2: float = 1e-4,
	epochs: int = 8,
	learning_rate: float = 0.3,
	seed: int = 13,
	sample_weights: Sequence[float] | None = None,
	min_count: int = 1,
) -> dict[str, tuple[float, float, float]]:
	"""Multinomial logistic regression by AdaGrad SGD with L2 on the active features.

	Pure Python so a site can train on its corrections without numpy or scikit-learn; a few
	thousand posts train in about a second. Features seen in fewer than `min_count` rows are
	left out: on a large corpus they are mostly noise and they bloat the stored model."""
	if min_count > 1:
		counts: dict[str, int] = {}
		for feats, _ in rows:
			for name in feats:
				counts[name] = counts.get(name, 0) + 1
		rows = [({k: v for k, v in feats.items() if counts[k] >= min_count}, label) for feats, label in rows]
	weights: dict[str, list[float]] = {}
	squares: dict[str, list[float]] = {}
	order = list(range(len(rows)))
	rng = random.Random(seed)
	targets = [LABELS.index(label) for _, label in rows]
	for _ in range(epochs):
		rng.shuffle(order)
		for i in order:
			feats, target = rows[i][0], targets[i]
			sw = sample_weights[i] if sample_weights is not None else 1.0
			scores = [0.0, 0.0, 0.0]
			for name, value in feats.items():
				w = weights.get(name)
				if w is not None:
					scores[0] += w[0] * value
					scores[1] += w[1] * value
					scores[2] += w[2] * value
			top = max(scores)
			exps = [math.exp(s - top) for s in scores]
			total = sum(exps)
			errors = [exps[k] / total - (1.0 if k == target else 0.0) for k in range(3)]
			for name, value in feats.items():
				w = weights.get(name)
				if w is None:
					w = weights[name] = [0.0, 0.0, 0.0]
					squares[name] = [1e-8, 1e-8, 1e-8]
				g2 = squares[name]
				for k in range(3):
					grad = sw * errors[k] * value + l2 * w[k]
					g2[k] += grad * grad
					w[k] -= learning_rate * grad / math.sqrt(g2[k])
	# rounded as stored, so a model read back from bytes predicts exactly as the one trained
	return {name: (round(w[0], 5), round(w[1], 5), round(w[2], 5)) for name, w in weights.items()}


def negative_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
	tp = sum(g == "negative" and p == "negative" for g, p in zip(gold, predicted, strict=True))
	fp = sum(g != "negative" and p == "negative" for g, p in zip(gold, predicted, strict=True))
	fn = sum(g == "negative" and p != "negative" for g, p in zip(gold, predicted, strict=True))
	return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
	scores = []
	for label in LABELS:
		tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
		fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
		fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
		if tp + fp + fn:
			scores.append(2 * tp / (2 * tp + fp + fn))
	return sum(scores) / len(scores) if scores else 0.0


@lru_cache(maxsize=1)
def shipped_english_model() -> LinearModel:
	text = (
		resources.files("social_crm.engine.sentiment.data")
		.joinpath("sentiment_en.json")
		.read_text(encoding="utf-8")
	)
	return LinearModel.from_json(text)


# --- per-site models learned from agents' corrections ------------------------------------


@dataclass(frozen=True)
class SiteModel:
	"""A model trained on one site's corrected labels (all languages in one model; the
	language is a feature). Stored with `to_bytes()` as UTF-8 JSON."""

	model: LinearModel
	corrections: int

	def predict(self, text: str, language: str) -> tuple[str, float]:
		return self.model.predict(features(text, language))

	def to_bytes(self) -> bytes:
		return self.model.to_json().encode("utf-8")

	@classmethod
	def from_bytes(cls, data: bytes | str) -> SiteModel:
		try:
			text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
		except UnicodeDecodeError as error:
			raise BadModel("site model bytes are not UTF-8 JSON") from error
		model = LinearModel.from_json(text)
		if model.meta.get("kind") != "site":
			raise BadModel("not a site model")
		return cls(model, int(model.meta.get("corrections", 0)))


Correction = tuple[str, str, str]  # text, corrected label, language


def train(examples: Sequence[Correction], *, l2: float = 1e-3, epochs: int = 15) -> SiteModel:
	"""A site model from (text, corrected label, language) triples. Unknown labels are an error
	rather than silently dropped: they mean the shell stored something else than a label."""
	rows = []
	for text, label, language in examples:
		if label not in LABELS:
			raise ValueError(f"unknown sentiment label {label!r}")
		rows.append((features(text, language or "und"), label))
	weights = fit(rows, l2=l2, epochs=epochs)
	meta = {"kind": "site", "corrections": len(rows), "l2": l2, "epochs": epochs}
	return SiteModel(LinearModel(weights, 0.0, "site", meta), len(rows))


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
	`default` (a function text, language -> label) on held-out folds of the site's own
	corrections, by macro F1 over the labels (ties keep the default: a change has to earn its
	place). The shell should pass confirmed labels too, not only overrides; otherwise the
	default is judged only where it was wrong."""
	if site_model is None or len(corrections) < minimum:
		return False
	params = site_model.model.meta
	l2 = float(params.get("l2", 1e-3))  # type: ignore[arg-type]
	epochs = int(params.get("epochs", 15))  # type: ignore[call-overload]
	gold: list[str] = []
	site_pred: list[str] = []
	default_pred: list[str] = []
	for fold in _folds(len(corrections), folds):
		held = set(fold)
		trained = train([c for i, c in enumerate(corrections) if i not in held], l2=l2, epochs=epochs)
		for i in fold:
			text, label, language = corrections[i]
			gold.append(label)
			site_pred.append(trained.predict(text, language or "und")[0])
			default_pred.append(default(text, language or "und"))
	return macro_f1(gold, site_pred) > macro_f1(gold, default_pred)
