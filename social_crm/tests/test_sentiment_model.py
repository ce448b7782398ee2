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
