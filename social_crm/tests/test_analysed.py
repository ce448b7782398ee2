"""One pass over a post: every step reading the shared `Analysed` decides as it would on the text."""

from __future__ import annotations

import pytest

from social_crm.engine.analysed import Analysed
from social_crm.engine.language import detect_language
from social_crm.engine.sentiment import analyze
from social_crm.engine.text_folding import FoldedText

POSTS = [
	"Seit drei Wochen kein Internet bei @Acme. Ich kündige! #AcmeFail 😡",
	"Thinking of switching to Acme-Cloud, can anyone recommend it?",
	"https://example.com/x @acme",
	"KÜNDIGUNG per E-Mail geschickt, Bestätigung fehlt",
	"",
]


@pytest.mark.parametrize("text", POSTS)
def test_steps_read_the_shared_post_as_they_read_the_text(text: str) -> None:
	post = Analysed.of(text)
	assert detect_language(post) == detect_language(text)
	assert detect_language(post, candidates=("en", "de")) == detect_language(text, candidates=("en", "de"))
	assert analyze(post) == analyze(text)
	assert post.folded == FoldedText.of(text)
	assert Analysed.of(post) is post


def test_words_split_hyphens_and_camel_case_hashtags() -> None:
	assert Analysed.of("Acme-Cloud #AcmeFail").words == ["acme", "cloud", "acme", "fail"]
	assert not Analysed.of("https://a.example @b").has_content
	assert Analysed.of("😡").has_content
