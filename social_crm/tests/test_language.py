"""Language detection on short social posts (handles, hashtags, emoji, URLs)."""

from __future__ import annotations

import pytest

from social_crm.engine.language import detect_language, language_scores

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


@pytest.mark.parametrize(
	"text", [text for text, _ in CASES] + ["Dank je wel, heel goed", "Gracias, muy bien"]
)
def test_candidates_pick_what_full_scoring_would_among_them(text: str) -> None:
	"""Detection with candidates scores only those languages; the answer is still the best
	of them by the full scores (ties to the earlier candidate, too little evidence "und")."""
	scores = language_scores(text)
	assert language_scores(text, ["en", "de"]) == {"en": scores["en"], "de": scores["de"]}
	for candidates in (("en", "de"), ("de", "en"), ("fr", "nl"), ("en",)):
		best = max(candidates, key=lambda lang: (scores[lang], -candidates.index(lang)))
		expected = best if scores[best] >= 0.5 else "und"
		assert detect_language(text, candidates=candidates) == expected


@pytest.mark.parametrize(
	("text", "expected"),
	[
		# ö twice; "sch" twice and "-ung" once (0.4 each); "rechnung" a German content word (0.5)
		("Schöne Rechnung schöne", {"de": 1.0 * 2 + 0.4 * 3 + 0.5}),
		# "your" a function word (1.0), "nothing" a content word (0.5); cues: "thing" (one match of
		# "-ing", which takes its "th"), "truly", "your", "hour" (0.4 each)
		("nothing truly your hour", {"en": 1.0 + 0.5 + 0.4 * 4}),
	],
)
def test_spelling_cues_count_every_occurrence_in_the_post(text: str, expected: dict[str, float]) -> None:
	"""The cues are matched word by word and cached per word; a word that recurs in a post
	still counts each time, as when the whole post is matched at once."""
	scores = language_scores(text)
	for lang, score in expected.items():
		assert scores[lang] == pytest.approx(score)
	once = language_scores(text.split()[0])
	twice = language_scores(text.split()[0] + " " + text.split()[0])
	assert all(twice[lang] == pytest.approx(2 * once[lang]) for lang in once)
