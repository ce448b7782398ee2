"""German settings judged as `train_sentiment` judges them: 5-fold cross-validation over all
German rows (folds crc32(text) % 5, fold 0 is the validation split), out-of-fold logits
calibrated on all rows and judged on the 2,302 GermEval rows (`train_sentiment.cv_select`), for
settings outside the shipped grid. Optionally (--cross) also the SB-10k-only model measured on
all GermEval rows: a cross-corpus figure, printed for reference, never to choose by. Experiment
helper (issue 8); needs numpy and scipy.
Run: python bench/sentiment_cv_de.py --l2 1e-2 3e-2 --dw 6 24 --cross
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import train_sentiment as ts
from sentiment_data import corpora, split


def cross(sb: list[tuple[str, str]], ge: list[tuple[str, str]], l2: float) -> float:
	"""Negative F1 on all GermEval rows of a model fitted on SB-10k's training split and
	calibrated and cut on its validation split."""
	sb_train, sb_val = split(sb)
	W = ts.fit(ts.featurise(sb_train, "de"), l2, 1.0)
	temperature, bias, _ = ts.calibrated(W, ts.featurise(sb_val, "de"), "de")
	model = ts.make_model(W, temperature, bias, ts.NEGATIVE_CUT, language="de")
	m = ts.featurise(ge, "de")
	gold = [ts.LABELS[i] for i in m.y]
	return ts.negative_prf(gold, ts.predict_all(model, m.feats))[2]


def main() -> None:
	ap = argparse.ArgumentParser()
	ap.add_argument("--l2", type=float, nargs="*", default=[3e-2])
	ap.add_argument("--dw", type=float, nargs="*", default=[6.0])
	ap.add_argument("--cross", action="store_true")
	a = ap.parse_args()
	data = corpora()
	sb, ge = data["sb10k"], data["germeval"]
	chosen = ts.cv_select(sb + ge, {text for text, _ in ge}, "de", l2_grid=tuple(a.l2), weights=tuple(a.dw))
	print(f"best: l2={chosen.l2:g} x{chosen.domain_weight:g} (over prevalences {chosen.val_f1:.3f})")
	if a.cross:
		for l2 in a.l2:
			print(f"cross SB-10k -> GermEval, l2={l2:g}: negative F1 {cross(sb, ge, l2):.3f}", flush=True)


if __name__ == "__main__":
	main()
