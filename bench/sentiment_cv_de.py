"""German model selection by 5-fold cross-validation over GermEval (folds crc32(text) % 5, fold 0
is the validation split of bench/train_sentiment.py), SB-10k always in training: out-of-fold
logits pooled, calibrated and cut as train_sentiment does, so a setting is judged on all 576
GermEval negatives instead of the ~115 of one fold. Optionally (--cross) also the SB-10k-only
model measured on all GermEval rows: a cross-corpus figure, printed for reference, never to choose
by. Experiment helper (issue 8); needs numpy and scipy.
Run: python bench/sentiment_cv_de.py --l2 1e-2 3e-2 --dw 6 24 --cross
"""

import argparse
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import train_sentiment as ts
from sentiment_data import corpora


def auc(score, pos):
	order = np.argsort(score, kind="stable")
	r = np.empty(len(score))
	r[order] = np.arange(1, len(score) + 1)
	n1 = pos.sum()
	n0 = len(pos) - n1
	return (r[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0)


def f1_at(S, y, lang="de"):
	t, (b0, b1) = ts.calibrate(S, y)
	C = S / t + np.array([b0, b1])
	sh = ts.choose_shift(C, y, lang)
	neg, neu = ts._shifted(C, sh)
	g = y == 0
	tp = (g & neg).sum()
	fp = (~g & neg).sum()
	fn = (g & ~neg).sum()
	f1 = 2 * tp / (2 * tp + fp + fn)
	nr = neu[y == 1].mean()
	return f1, nr, sh


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--l2", type=float, nargs="*", default=[3e-2])
	ap.add_argument("--dw", type=float, nargs="*", default=[6.0])
	ap.add_argument("--cross", action="store_true")
	ap.add_argument("--tag", default="")
	a = ap.parse_args()
	data = corpora()
	sb = data["sb10k"]
	ge = data["germeval"]
	fold = np.array([zlib.crc32(t.encode()) % 5 for t, _ in ge])
	t0 = time.time()
	msb = ts.featurise(sb, "de")
	mge = ts.featurise(ge, "de")
	print(f"featurise {time.time() - t0:.1f}s", flush=True)
	from scipy import sparse

	for l2 in a.l2:
		for dw in a.dw:
			t0 = time.time()
			S = np.zeros((len(ge), 2))
			for k in range(5):
				tr = np.where(fold != k)[0]
				te = np.where(fold == k)[0]
				X = sparse.vstack([msb.X, mge.X[tr]]).tocsr()
				y = np.concatenate([msb.y, mge.y[tr]])
				m = ts.Matrix(X, y, [], np.concatenate([np.zeros(len(sb), int), np.ones(len(tr), int)]))
				W = ts.fit(m, l2, dw)
				S[te] = mge.X[te] @ W
			f1, nr, sh = f1_at(S, mge.y)
			f1v, _neutral, _ = f1_at(S[fold == 0], mge.y[fold == 0])
			A = auc(S[:, 0] - np.logaddexp(0, S[:, 1]), mge.y == 0)
			out = f"{a.tag} l2={l2:g} dw={dw:g}: GE CV negF1 {f1:.3f} (neuR {nr:.3f}, shift {sh:+.2f}) AUC {A:.3f} | fold0 {f1v:.3f}"
			if a.cross:
				sbt = np.array([not (zlib.crc32(t.encode()) % 5 == 0) for t, _ in sb])
				m = ts.Matrix(msb.X[sbt], msb.y[sbt], [], None)
				W = ts.fit(m, l2, 1.0)
				Sv = msb.X[~sbt] @ W
				t, (b0, b1) = ts.calibrate(Sv, msb.y[~sbt])
				Cv = Sv / t + np.array([b0, b1])
				sh = ts.choose_shift(Cv, msb.y[~sbt], "de")
				Sg = mge.X @ W / t + np.array([b0 + sh, b1])
				neg, _neutral = ts._shifted(Sg, 0.0)
				g = mge.y == 0
				tp = (g & neg).sum()
				fp = (~g & neg).sum()
				fn = (g & ~neg).sum()
				Ac = auc(Sg[:, 0] - np.logaddexp(0, Sg[:, 1]), g)
				out += f" | cross SB->GE negF1 {2 * tp / (2 * tp + fp + fn):.3f} AUC {Ac:.3f}"
			print(out + f" ({time.time() - t0:.0f}s)", flush=True)


main()
