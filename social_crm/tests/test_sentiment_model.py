"""Learning from agents' corrections: the site model learns them, is preferred only once it
beats the default on enough corrections, and survives storage as bytes."""

from __future__ import annotations

import random

import pytest

from social_crm.engine.sentiment import Analyzer, analyze
from social_crm.engine.sentiment.model import BadModel, SiteModel, should_use, train


def _site_corrections(n: int) -> list[tuple[str, str, str]]:
	"""A site whose customers call a late "Sonderlieferung" a complaint, and where "ticket
	closed" is good news: words the default analyser has no opinion on."""
	rng = random.Random(3)
	products = ["Router", "Vertrag", "Tarif", "Paket", "Karte", "Konto"]
	rows = []
	for i in range(n):
		product = rng.choice(products)
		if i % 3 == 0:
			rows.append((f"{product} Nummer {i} wieder Sonderlieferung", "negative", "de"))
		elif i % 3 == 1:
			rows.append((f"Ticket {i} zum {product} geschlossen", "positive", "de"))
		else:
			rows.append((f"Frage zum {product} Nummer {i}", "neutral", "de"))
	return rows


def test_site_model_learns_consistent_corrections_and_is_preferred() -> None:
	corrections = _site_corrections(90)
	model = train(corrections)
	assert model.predict("Router wieder Sonderlieferung", "de")[0] == "negative"
	assert model.predict("Ticket zum Tarif geschlossen", "de")[0] == "positive"
	assert should_use(model, Analyzer().label, corrections)
	result = analyze("Karte wieder Sonderlieferung", "de", model=model)
	assert result.label == "negative"
	assert result.analyzer == "site/90"


def test_too_few_corrections_keep_the_default() -> None:
	corrections = _site_corrections(30)
	assert not should_use(train(corrections), Analyzer().label, corrections)


def test_site_model_that_is_no_better_is_not_used() -> None:
	# Labels the default already gets right: nothing to gain, ties keep the default.
	rows = [
		("Absolute Frechheit, nie wieder! 😡", "negative", "de"),
		("Super, vielen Dank! 😊", "positive", "de"),
	]
	corrections = [rows[i % 2] for i in range(60)]
	assert not should_use(train(corrections), Analyzer().label, corrections)


def test_bytes_round_trip() -> None:
	model = train(_site_corrections(60))
	again = SiteModel.from_bytes(model.to_bytes())
	assert again == model
	assert again.predict("Paket wieder Sonderlieferung", "de") == model.predict(
		"Paket wieder Sonderlieferung", "de"
	)
	assert isinstance(model.to_bytes(), bytes)


@pytest.mark.parametrize("data", [b"", b"not json", b'{"format": "other"}', b"\x80\x81"])
def test_foreign_bytes_are_rejected(data: bytes) -> None:
	with pytest.raises(BadModel):
		SiteModel.from_bytes(data)


def test_unknown_label_is_rejected() -> None:
	with pytest.raises(ValueError):
		train([("text", "angry", "en")])


def test_site_model_starts_from_the_shipped_model() -> None:
	# 90 corrections about one site's words must not make it forget what the shipped model knows
	model = train(_site_corrections(90))
	assert model.predict("Absolute Frechheit, der Service ist eine Katastrophe! 😡", "de")[0] == "negative"
	assert model.predict("Super Service, vielen Dank für die schnelle Hilfe! 😊", "de")[0] == "positive"
	assert model.predict("Worst customer service ever, still waiting for my refund 😡", "en")[0] == "negative"


def test_site_model_without_corrections_predicts_as_the_shipped_model() -> None:
	model = SiteModel({}, 0)
	for text, language in [("Das ist nicht gut", "de"), ("Love it!", "en"), ("Opens at 9am", "en")]:
		shipped = analyze(text, language)
		assert model.predict(text, language) == (shipped.label, shipped.score)


def test_site_training_is_deterministic() -> None:
	corrections = _site_corrections(60)
	assert train(corrections).to_bytes() == train(corrections).to_bytes()


def test_shipped_models_round_trip_byte_for_byte_and_stay_small() -> None:
	from importlib import resources

	from social_crm.engine.sentiment.model import SHIPPED_FILES, HashedModel

	for language, name in SHIPPED_FILES.items():
		data = resources.files("social_crm.engine.sentiment.data").joinpath(name).read_bytes()
		assert len(data) < 20_000_000
		model = HashedModel.from_bytes(data)
		assert model.language == language
		assert model.to_bytes() == data
		assert 0.0 < model.negative_margin < 1.0 and model.temperature > 0


@pytest.mark.parametrize("data", [b"\x1f\x8b not gzip", b'{"format": "social_crm.sentiment.hashed/1"}'])
def test_foreign_shipped_model_bytes_are_rejected(data: bytes) -> None:
	import gzip

	from social_crm.engine.sentiment.model import HashedModel

	with pytest.raises(BadModel):
		HashedModel.from_bytes(data)
	with pytest.raises(BadModel):
		HashedModel.from_bytes(gzip.compress(data))


def test_label_reads_the_same_score_triage_reads() -> None:
	from social_crm.engine.sentiment.model import decide

	assert decide((0.40, 0.35, 0.25), 0.3) == ("neutral", pytest.approx(-0.15))
	assert decide((0.55, 0.35, 0.10), 0.3) == ("negative", pytest.approx(-0.45))
	assert decide((0.05, 0.15, 0.80), 0.3) == ("positive", pytest.approx(0.75))
	assert decide((0.30, 0.40, 0.30), 0.1) == ("neutral", pytest.approx(0.0))


def test_a_site_model_learned_on_earlier_shipped_weights_waits_for_retraining() -> None:
	# After an update ships new weights, yesterday's offsets were learned on the old ones: the
	# shipped model decides until the daily training learns them again on the new weights.
	text = "Karte wieder Sonderlieferung"
	model = train(_site_corrections(90))
	assert analyze(text, "de", model=model).analyzer == "site/90"
	stale = SiteModel(model.offsets, model.corrections, {"de": "0" * 16}, model.l2, model.epochs)
	result, shipped = analyze(text, "de", model=stale), analyze(text, "de")
	assert result.analyzer.startswith("social-de")
	assert (result.label, result.score) == (shipped.label, shipped.score)
	# its base names German only: an English post is still decided with the site's offsets
	assert analyze("Router again Sonderlieferung", "en", model=stale).analyzer == "site/90"
