"""Language detection on short social posts (handles, hashtags, emoji, URLs)."""

from __future__ import annotations

import pytest

from social_crm.engine.language import detect_language

CASES = [
	("Danke für nichts @DB_Bahn 😡", "de"),
	("Kundenservice-Katastrophe!", "de"),
	("Warum dauert das so lange? #fail", "de"),
	("Mieser Kundendienst, arrogante Mitarbeiter.", "de"),
	("Thanks for nothing @acme", "en"),
	("Still waiting for my refund https://t.co/abc", "en"),
	("bad mood :(", "en"),
	("The delivery was late again", "en"),
	("Merci pour votre aide, c'est très gentil", "fr"),
]


@pytest.mark.parametrize(("text", "language"), CASES)
def test_detects_short_posts(text: str, language: str) -> None:
	assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "   ", "😡😡", "https://example.com", "@acme #123"])
def test_no_evidence_is_undetermined(text: str) -> None:
	assert detect_language(text) == "und"


def test_candidates_restrict_the_choice() -> None:
	assert detect_language("Merci pour votre aide, c'est très gentil", candidates=("en", "de")) in {
		"en",
		"de",
		"und",
	}
	assert detect_language("😡", default="de") == "de"
