"""The fast inference path scores a post exactly as the model's definition says.

`HashedModel.logits_of` reads one interleaved weight array and caches each word's part of the
dot products; whatever it does to be fast, the probabilities must be those of the plain definition
(sum of weight * value per slot, divided by the temperature, plus the class bias, softmax),
so the weights `bench/train_sentiment.py` writes mean the same at the desk.
"""

from __future__ import annotations

import math
from array import array

import pytest

from social_crm.engine.analysed import Analysed
from social_crm.engine.sentiment import analyze
from social_crm.engine.sentiment.features import hashed
from social_crm.engine.sentiment.model import HashedModel, decide, shipped_model

POSTS = {
	"en": [
		"The new release ships on Tuesday.",
		"I can't believe how good this is!!! 😍",
		"@acme my order is 3 weeks late, not happy at all :( #fail",
		"Worst. Service. Ever. Never again, I want my money back",
		"not bad, but the app keeps crashing... sooo annoying",
		"https://example.com/status",
		"",
	],
	"de": [
		"Seit drei Wochen kein Internet bei @Acme. Ich kündige! #AcmeFail 😡",
		"Danke für nichts, läuft bei euch 🙄",
		"Der Zug ist heute pünktlich, super gemacht!",
		"Funktioniert nicht, total verdreckt und der Kundenservice-Katastrophe",
		"Liebe Bahn, wann fährt der nächste Zug nach Köln?",
	],
}


def _reference(model: HashedModel, feats: dict[int, float]) -> tuple[float, float, float]:
	w = model.weights
	s_neg = s_pos = 0.0
	for slot, value in feats.items():
		s_neg += w[2 * slot] * value
		s_pos += w[2 * slot + 1] * value
	s_neg = s_neg / model.temperature + model.bias[0]
	s_pos = s_pos / model.temperature + model.bias[1]
	exps = [math.exp(s_neg), 1.0, math.exp(s_pos)]
	return (exps[0] / sum(exps), exps[1] / sum(exps), exps[2] / sum(exps))


@pytest.mark.parametrize("language", ["en", "de"])
def test_shipped_model_probabilities_are_those_of_its_definition(language: str) -> None:
	model = shipped_model(language)
	for text in POSTS[language]:
		feats = hashed(Analysed.of(text).tokens, language)
		fast, slow = model.probabilities(feats), _reference(model, feats)
		assert fast == pytest.approx(slow, abs=1e-9), text
		assert model.predict(feats)[0] == decide(slow, model.negative_margin)[0], text


def test_analyser_reports_the_models_probabilities() -> None:
	for language, texts in POSTS.items():
		model = shipped_model(language)
		for text in texts:
			if not Analysed.of(text).has_content:
				continue
			p_neg, _, p_pos = _reference(model, hashed(Analysed.of(text).tokens, language))
			assert analyze(text, language).score == pytest.approx(p_pos - p_neg, abs=1e-9)


def test_a_model_built_from_weights_scores_and_stores_them() -> None:
	"""What training does: weights in, the same numbers back out of `weights` and the bytes."""
	flat = array("f", bytes(4 * 2 * (1 << 20)))
	feats = hashed(Analysed.of("great service, thanks").tokens, "en")
	for i, slot in enumerate(feats):
		flat[2 * slot], flat[2 * slot + 1] = -0.25 * (i % 3), 0.5 * (i % 2)
	model = HashedModel(flat, 0.8, (0.1, -0.2), 0.3, name="t", language="en")
	assert model.weights is flat
	assert model.probabilities(feats) == pytest.approx(_reference(model, feats), abs=1e-12)
	again = HashedModel.from_bytes(model.to_bytes())
	assert again.probabilities(feats) == pytest.approx(model.probabilities(feats), abs=1e-9)
	assert again.to_bytes() == model.to_bytes()


def test_named_features_are_exactly_the_post_level_features(monkeypatch: pytest.MonkeyPatch) -> None:
	# the training penalises NAMED_FEATURES (plain L2) apart from the features of the post's
	# words, hashtags and emoji: every name `hashed` writes is one kind or the other
	from social_crm.engine.sentiment import features

	names = {"bias"}  # its slot is computed once, at import
	real = features.bucket

	def recording(name: str) -> int:
		names.add(name)
		return real(name)

	monkeypatch.setattr(features, "bucket", recording)
	features._word.cache_clear()  # its cached words would not call bucket again
	extra = {
		"en": ["@acme WORST day, sooo bad? 😡 @bob", "😍", "great :) https://x.example 42"],
		"de": ["Danke für nichts @Bahn 🙄", "#läuftbeieuch WIEDER 20 Minuten!!!", "Funktioniert nicht"],
	}
	for language in ("en", "de"):
		for text in POSTS[language] + extra[language]:
			hashed(Analysed.of(text).tokens, language)
	features._word.cache_clear()
	token_prefixes = ("w|", "n|", "b|", "c|", "h|", "e|")
	assert {name for name in names if not name.startswith(token_prefixes)} == set(features.NAMED_FEATURES)
	assert not any(name.startswith(token_prefixes) for name in features.NAMED_FEATURES)


def test_a_word_pair_is_the_slot_of_its_name() -> None:
	# the pair's slot is computed by continuing a CRC-32 per word; it must stay the slot of the
	# name "b|first_second" the shipped weights were trained on, also after a clause ends
	from social_crm.engine.sentiment.features import bucket

	feats = hashed(Analysed.of("Never again. Awful service").tokens, "en")
	for name in ("b|<s>_never", "b|never_again", "b|<s>_awful", "b|awful_service"):
		assert bucket(name) in feats, name
	assert bucket("b|again_awful") not in feats


def test_an_ngram_two_words_share_counts_for_both_and_a_repeated_word_once() -> None:
	from social_crm.engine.sentiment.features import CHAR_VALUE, bucket

	shared = bucket("c|ead>")
	assert hashed(Analysed.of("bread dread").tokens, "en")[shared] == 2 * CHAR_VALUE
	assert hashed(Analysed.of("bread bread").tokens, "en")[shared] == CHAR_VALUE
	assert hashed(Analysed.of("bread bread").tokens, "en")[bucket("w|bread")] == 1.0


def test_cached_word_parts_keep_negation_apart_and_survive_a_full_cache(monkeypatch: pytest.MonkeyPatch) -> None:
	"""The caches keep plain and negated words apart: "good" seen first must not lend its plain part to
	"not good"; and a cache that fills up and is dropped mid-post still scores correctly."""
	from social_crm.engine.sentiment import model as model_module

	model = shipped_model("en")
	texts = ["good", "not good", "good, not good", "the service is not good at all, good grief"]
	for limit in (60_000, 1):
		monkeypatch.setattr(model_module, "_WORD_SUMS_MAX", limit)
		model._word_sums.clear()
		model._negated_sums.clear()
		for text in texts + texts:
			p_neg, _, p_pos = _reference(model, hashed(Analysed.of(text).tokens, "en"))
			assert analyze(text, "en").score == pytest.approx(p_pos - p_neg, abs=1e-9), (limit, text)
		assert len(model._word_sums) <= limit and len(model._negated_sums) <= limit
