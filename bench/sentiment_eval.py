"""Negative-class precision/recall/F1, neutral recall and macro F1 per language, on validation
splits and across corpora, for the trained models against VADER, TextBlob and flag-all.

Rows (what each model was trained on is printed with it; splits as in bench/train_sentiment.py,
validation = crc32(text) % 5 == 0):
- en SemEval validation: model trained on the SemEval training split (selection model).
- en VADER 2014 tweets / Amazon snippets, all rows (cross-corpus): the same model, and the
  shipped English model, neither of which saw them. VADER's lexicon was tuned on these tweets,
  so "vader" is flattered there.
- de GermEval validation: model trained on SB-10k + the GermEval training split (selection model).
- de GermEval all (cross-corpus): model trained on SB-10k only.
- de SB-10k all (cross-corpus): model trained on the GermEval training split only.
The shipped German model is trained on all German rows, so it has no clean row here.

"model" labels by the calibrated probabilities; "model score<=-0.3" is what triage does with
the Settings' default threshold (the same calls since the cut is that threshold). "F1@30%" is
negative F1 with the negative rows reweighted to 30% of the posts (the prevalence of the team's
held-out sets; an estimate under prior shift, not a measurement). "negAUC" is how well the score ranks the negative
posts below the rest, whatever the cut (0.5 is chance): across corpora it separates what the
model knows from where the corpus's share of negatives puts the cut. "bestF1" is negative F1 at
the cut on the score that is best *for the rows measured*: not a result (the cut is chosen on
them) but a ceiling, what no threshold or calibration of that model can exceed there. Hyperparameters are the shipped models' (their meta), so
every model here is one fit. Needs numpy and scipy (the training code); a few minutes on an
idle core (about 4 minutes on the shared 2-core machine, load ~2, it was last run on).
Run: python bench/sentiment_eval.py
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scipy.stats import rankdata
from sentiment_data import corpora, split
from train_sentiment import (
	NEGATIVE_CUT,
	calibrated,
	featurise,
	fit,
	make_model,
)

from social_crm.engine.sentiment import analyze
from social_crm.engine.sentiment.features import hashed
from social_crm.engine.sentiment.model import HashedModel, macro_f1, negative_prf, shipped_model
from social_crm.engine.social_tokens import tokenize

Rows = list[tuple[str, str]]


def fit_model(
	train_rows: Rows, val_rows: Rows, language: str, in_domain: set[str] | None = None
) -> HashedModel:
	"""One fit with the shipped model's hyperparameters, calibrated and cut on `val_rows`."""
	meta = shipped_model(language).meta
	mt, mv = featurise(train_rows, language), featurise(val_rows, language)
	if in_domain is not None:
		import numpy as np

		mt.domain = np.array([1 if text in in_domain else 0 for text, _ in train_rows])
	augment = in_domain is not None and bool(meta.get("feature_augmentation", False))
	nb_floor = meta.get("nb_floor")
	W = fit(
		mt,
		float(meta["l2"]),
		float(meta.get("domain_weight", 1.0)),
		augment,
		None if nb_floor is None else float(nb_floor),
	)
	temperature, bias, _ = calibrated(W, mv, language)
	return make_model(W, temperature, bias, NEGATIVE_CUT, language=language)


def model_analyser(model: HashedModel, language: str) -> Callable[[str], tuple[str, float]]:
	return lambda text: model.predict(hashed(tokenize(text), language))


def registry(name: str, language: str) -> Callable[[str], tuple[str, float]]:
	def run(text: str) -> tuple[str, float]:
		result = analyze(text, language, analyzer=name)
		return result.label, result.score

	return run


def report(title: str, rows: Rows, analysers: dict[str, Callable[[str], tuple[str, float]]]) -> None:
	gold = [label for _, label in rows]
	counts = {label: gold.count(label) for label in ("negative", "neutral", "positive")}
	print(f"\n{title}: {len(rows)} posts, {counts}")
	print(
		f"  {'analyser':34s} {'neg P':>6s} {'neg R':>6s} {'neg F1':>6s} {'F1@30%':>6s} {'neu R':>6s} {'macroF1':>7s} "
		f"{'negAUC':>6s} {'bestF1':>6s} called-neg"
	)
	for name, run in analysers.items():
		outputs = [run(text) for text, _ in rows]
		scores = [score for _, score in outputs]
		auc, ceiling = negative_auc(gold, scores), best_cut_f1(gold, scores)
		variants = [(name, [label for label, _ in outputs])]
		if name.startswith("model"):
			variants.append(
				(name + " score<=-0.3", ["negative" if s <= -0.3 else "neutral" for _, s in outputs])
			)
		for label, pred in variants:
			p, r, f1 = negative_prf(gold, pred)
			neutral = sum(g == q == "neutral" for g, q in zip(gold, pred, strict=True)) / max(
				1, counts["neutral"]
			)
			macro = macro_f1(gold, pred) if "score" not in label else float("nan")
			print(
				f"  {label:34s} {p:6.3f} {r:6.3f} {f1:6.3f} {at_prevalence(gold, pred):6.3f} {neutral:6.3f} "
				f"{macro:7.3f} {auc if 'score' not in label else float('nan'):6.3f} "
				f"{ceiling if 'score' not in label else float('nan'):6.3f} {pred.count('negative')}"
			)
	flag = ["negative"] * len(rows)
	p, r, f1 = negative_prf(gold, flag)
	print(
		f"  {'flag-all':34s} {p:6.3f} {r:6.3f} {f1:6.3f} {at_prevalence(gold, flag):6.3f} {0:6.3f} {'':7s} "
		f"{0.5:6.3f} {f1:6.3f} {len(rows)}"
	)


def negative_auc(gold: list[str], scores: list[float]) -> float:
	"""How well the score ranks negative posts below the rest, whatever the cut (the chance that
	a negative post scores below a non-negative one, ties counting half): a cross-corpus figure
	that a prior shift between corpora does not move, unlike F1 at the shipped cut."""
	ranks = rankdata(scores)  # ties share their mean rank, 1 = the most negative score
	negatives = [rank for rank, label in zip(ranks, gold, strict=True) if label == "negative"]
	n, m = len(negatives), len(gold) - len(negatives)
	if not n or not m:
		return float("nan")
	# Mann-Whitney: pairs (negative, other) where the negative ranks lower
	return 1.0 - (sum(negatives) - n * (n + 1) / 2) / (n * m)


def best_cut_f1(gold: list[str], scores: list[float]) -> float:
	"""Negative F1 of "score <= cut" at the best cut for these rows (posts with the same score
	fall on the same side): the ceiling of a model's ranking on a corpus, since any threshold
	or calibration only moves that cut."""
	negatives = gold.count("negative")
	if not negatives:
		return float("nan")
	pairs = sorted(zip(scores, gold, strict=True), key=lambda pair: pair[0])
	best = tp = called = 0
	for i, (score, label) in enumerate(pairs):
		called += 1
		tp += label == "negative"
		if i + 1 == len(pairs) or pairs[i + 1][0] != score:  # a cut between two scores
			best = max(best, 2 * tp / (called + negatives))
	return best


def at_prevalence(gold: list[str], pred: list[str], prevalence: float = 0.30) -> float:
	"""Negative F1 with the negative rows reweighted to `prevalence` (the team's held-out sets
	have ~30% negatives, more than most of these corpora): an estimate, not a measurement."""
	negatives = gold.count("negative")
	if not negatives or negatives == len(gold):
		return float("nan")
	native = negatives / len(gold)
	weight = (prevalence / (1 - prevalence)) / (native / (1 - native))
	tp = weight * sum(g == q == "negative" for g, q in zip(gold, pred, strict=True))
	fn = weight * sum(g == "negative" != q for g, q in zip(gold, pred, strict=True))
	fp = sum(g != "negative" == q for g, q in zip(gold, pred, strict=True))
	return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def baselines(language: str) -> dict[str, Callable[[str], tuple[str, float]]]:
	out = {"vader": registry("vader", language), "textblob": registry("textblob", language)}
	if language == "de":
		out["rules-de (previous default)"] = registry("rules-de", language)
	return out


def main() -> None:
	data = corpora()
	sem_train, sem_val = split(data["semeval"])
	en_model = fit_model(sem_train, sem_val, "en")
	en = {"model (SemEval train)": model_analyser(en_model, "en")}
	report("en SemEval validation [model: SemEval train]", sem_val, {**en, **baselines("en")})
	shipped_en = {"model shipped (SemEval all)": registry("social-en", "en")}
	for name in ("vader-tweets", "vader-amazon"):
		report(f"en {name} (cross-corpus)", data[name], {**en, **shipped_en, **baselines("en")})

	sb_train, sb_val = split(data["sb10k"])
	ge_train, ge_val = split(data["germeval"])
	mixed = fit_model(sb_train + sb_val + ge_train, ge_val, "de", {t for t, _ in ge_train})
	report(
		"de GermEval validation [model: SB-10k + GermEval train]",
		ge_val,
		{"model (SB-10k + GermEval train)": model_analyser(mixed, "de"), **baselines("de")},
	)
	sb_only = fit_model(sb_train, sb_val, "de")
	report(
		"de GermEval all (cross-corpus) [model: SB-10k only]",
		data["germeval"],
		{"model (SB-10k)": model_analyser(sb_only, "de"), **baselines("de")},
	)
	ge_only = fit_model(ge_train, ge_val, "de")
	report(
		"de SB-10k all (cross-corpus) [model: GermEval train only]",
		data["sb10k"],
		{"model (GermEval train)": model_analyser(ge_only, "de"), **baselines("de")},
	)


if __name__ == "__main__":
	main()
