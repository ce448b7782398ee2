"""The posts the speed benchmarks run on: 7,000 English and 3,000 German, shuffled.

English: SemEval Twitter sentiment tweets; German: SB-10k tweets and GermEval 2017 customer
feedback (../shared/data beside the repository, or $SOCIAL_CRM_DATA). Fixed seed, so every run
measures the same posts.
"""

from __future__ import annotations

import random
from itertools import cycle, islice

from sentiment_data import corpora


def bench_posts(english: int = 7000, german: int = 3000) -> list[str]:
	data = corpora()
	en = [text for text, _ in data["semeval"]]
	de = [text for text, _ in data["sb10k"] + data["germeval"]]
	rng = random.Random(1)
	rng.shuffle(en)
	rng.shuffle(de)
	texts = list(islice(cycle(en), english)) + list(islice(cycle(de), german))
	rng.shuffle(texts)
	return texts
