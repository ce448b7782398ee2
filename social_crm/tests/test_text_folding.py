import unicodedata

import pytest

from social_crm.engine.text_folding import FoldedText, fold, fold_words


@pytest.mark.parametrize(
	("text", "folded"),
	[
		("Kündigung", "kuendigung"),
		("KÜNDIGUNG", "kuendigung"),
		("Straße", "strasse"),
		("STRAẞE", "strasse"),
		("Öl Ärger Übel", "oel aerger uebel"),
		("Café Crème", "cafe creme"),
		("Ærø", "aero"),
		("Łódź", "lodz"),
	],
)
def test_fold(text, folded):
	assert fold(text) == folded


def test_decomposed_umlauts_fold_like_composed_ones():
	decomposed = unicodedata.normalize("NFD", "Müller Käse")
	assert decomposed != "Müller Käse"
	assert fold(decomposed) == fold("Müller Käse") == "mueller kaese"


def test_fold_words_drops_punctuation():
	assert fold_words("Acme-Kundenservice: 40 Min. Warteschleife!") == [
		"acme",
		"kundenservice",
		"40",
		"min",
		"warteschleife",
	]


def test_folded_text_keeps_hashtags_handles_and_their_words():
	folded = FoldedText.of("Danke @Anna@Mastodon.Social und @acme.de für #Kündigung, info@firma.de")
	assert folded.hashtags == {"kuendigung"}
	assert folded.handles == {"anna@mastodon.social", "anna", "acme.de"}
	# the e-mail address is no handle, but its words are words
	assert "firma" in folded.word_set
	assert folded.words[:4] == ("danke", "anna", "mastodon", "social")


@pytest.mark.parametrize(
	("text", "words", "hashtags", "handles"),
	[
		("@a@b@c", ("a", "b", "c"), set(), {"a@b", "a"}),
		("x#y a@b &#39; ##z", ("x", "y", "a", "b", "39", "z"), set(), set()),
		(
			"#Kündigung_jetzt @anna_ @x.y-",
			("kuendigung", "jetzt", "anna", "x", "y"),
			{"kuendigung_jetzt"},
			{"anna_", "x.y"},
		),
		("Café déjà-vu ﬁne Σ", ("cafe", "deja", "vu", "fine", "σ"), set(), set()),
		("", (), set(), set()),
	],
)
def test_words_hashtags_and_handles_of_tricky_posts(text, words, hashtags, handles) -> None:
	folded = FoldedText.of(text)
	assert folded.words == words
	assert folded.hashtags == hashtags
	assert folded.handles == handles
	assert list(folded.word_set) == list(dict.fromkeys(words))
	assert all(folded.words[i] == word for word, places in folded.positions.items() for i in places)
