import pytest

from social_crm.engine.query import SYNTAX_ERROR_TEMPLATES, QuerySyntaxError, parse


def matches(query: str, text: str) -> bool:
	return parse(query).matches(text)


# --- terms, folding, word boundaries ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["Ich will kündigen!", "KUENDIGEN", "KÜNDIGEN jetzt", "Ku\u0308ndigen"])
def test_german_folding_meets_every_spelling(text):
	assert matches("kündigen", text)
	assert matches("kuendigen", text)


@pytest.mark.parametrize(
	("query", "text"),
	[("straße", "STRASSE gesperrt"), ("café", "im Cafe"), ("Müller", "mueller"), ("Öl", "OEL-Preis")],
)
def test_accents_and_sharp_s_fold(query, text):
	assert matches(query, text)


def test_umlaut_is_not_the_bare_vowel():
	# "Bär" is "baer", not "bar": German readers do not equate them.
	assert not matches("bär", "an der Bar")


@pytest.mark.parametrize("text", ["acmeville ist schön", "myacme", "acme2"])
def test_term_respects_word_boundaries(text):
	assert not matches("acme", text)


@pytest.mark.parametrize(
	"text", ["Acme.", "(acme)", "ACME-Kunde", "acme's service", "über #acme", "danke @acme", "x\nacme\ny"]
)
def test_term_matches_the_word_beside_punctuation_hashtag_and_handle(text):
	assert matches("acme", text)


def test_term_with_inner_punctuation_is_a_phrase_of_its_words():
	assert matches("e-mail", "Ihre E-Mail kam nicht an")
	assert matches("e-mail", "per e mail")
	assert not matches("e-mail", "mail an e.on")
	assert matches("acme.de", "siehe https://acme.de/kontakt")


# --- phrases -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	"text",
	[
		"Der Acme Kundenservice ist weg",
		"acme-kundenservice",
		"ACME\nKundenservice",
		"acme, kundenservice",
		"#acme #kundenservice",
	],
)
def test_phrase_matches_across_punctuation_and_line_breaks(text):
	assert matches('"acme kundenservice"', text)


@pytest.mark.parametrize("text", ["kundenservice von acme", "acme hat keinen kundenservice", "acme"])
def test_phrase_needs_the_words_adjacent_and_in_order(text):
	assert not matches('"acme kundenservice"', text)


def test_german_and_typographic_quotes_are_phrases():
	assert matches("„acme kundenservice“", "acme kundenservice")
	assert matches("“acme kundenservice”", "acme kundenservice")
	assert not matches("„acme kundenservice“", "kundenservice acme")


def test_phrase_with_wildcard_word():
	assert matches('"kündig* vertrag"', "Kündigung Vertrag")
	assert not matches('"kündig* vertrag"', "Kündigung meinen Vertrag")


def test_quoted_operator_word_is_searched():
	assert matches('"OR"', "oder or")
	assert not matches('"OR"', "oder")


# --- hashtags and handles --------------------------------------------------------------------------


def test_hashtag_matches_only_the_hashtag():
	assert matches("#acme", "Heute #ACME")
	assert not matches("#acme", "Heute acme")
	assert not matches("#acme", "Heute @acme")
	assert not matches("#acme", "#acmeville")


def test_hashtag_folds_umlauts():
	assert matches("#kündigung", "#Kuendigung läuft")


def test_handle_matches_only_the_handle_and_its_mastodon_forms():
	assert matches("@acme", "Hallo @Acme!")
	assert matches("@acme", "cc @acme@mastodon.social")
	assert not matches("@acme", "acme")
	assert not matches("@acme", "info@acme.de")
	assert matches("@acme@mastodon.social", "cc @acme@mastodon.social")
	assert not matches("@acme@mastodon.social", "cc @acme@chaos.social")
	assert matches("@acme.de", "danke @acme.de.")


def test_hashtag_prefix():
	assert matches("#acme*", "#AcmeSupport hilft")
	assert not matches("#acme*", "AcmeSupport hilft")


# --- wildcards ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["kündigen", "Kündigung", "KUENDIGT", "#kündigung"])
def test_prefix_wildcard(text):
	assert matches("kündig*", text)


def test_prefix_wildcard_respects_the_word_start():
	assert not matches("kündig*", "unkündigbar")


def test_suffix_wildcard_finds_german_compounds():
	assert matches("*vertrag", "Mein Handyvertrag")
	assert matches("*vertrag", "Vertrag")
	assert not matches("*vertrag", "Vertragslaufzeit")


# --- boolean logic -----------------------------------------------------------------------------------


def test_and_or_and_implicit_and():
	assert matches("acme AND störung", "Acme hat eine Störung")
	assert not matches("acme AND störung", "Acme ist toll")
	assert matches("acme störung", "Störung bei ACME")
	assert not matches("acme störung", "Störung bei Beta")
	assert matches("acme OR beta", "beta")
	assert not matches("acme OR beta", "gamma")


@pytest.mark.parametrize("query", ["acme NOT job", "acme -job", "acme AND NOT job", "acme UND NICHT job"])
def test_not_forms(query):
	assert matches(query, "Acme ist kaputt")
	assert not matches(query, "Acme sucht: Job in Berlin")


def test_minus_phrase_and_minus_group():
	assert not matches('acme -"jetzt bewerben"', "Acme: jetzt bewerben!")
	assert matches('acme -"jetzt bewerben"', "Acme: bewerben? jetzt nicht")
	assert not matches("acme -(job OR stelle)", "acme stelle")


def test_hyphen_inside_a_word_is_not_not():
	assert matches("acme-kunde", "ACME Kunde")


def test_german_operators():
	assert matches("acme ODER beta", "beta")
	assert matches("acme UND beta", "beta und acme")
	assert not matches("acme UND beta", "acme")


def test_lower_case_operator_words_are_search_words():
	# "funktioniert nicht" is a complaint, not "funktioniert but not ..."
	assert matches("funktioniert nicht", "App funktioniert nicht")
	assert not matches("funktioniert nicht", "App funktioniert")
	assert not matches("acme or beta", "beta")


@pytest.mark.parametrize(
	("query", "text", "expected"),
	[
		# AND before OR: a OR (b AND c)
		("a1 OR b1 c1", "a1", True),
		("a1 OR b1 c1", "b1", False),
		("a1 OR b1 AND c1", "b1 c1", True),
		# NOT before AND: (NOT a) AND b
		("NOT a1 b1", "b1", True),
		("NOT a1 b1", "a1 b1", False),
		("NOT a1 OR b1", "a1 b1", True),
		# parentheses override
		("(a1 OR b1) c1", "a1", False),
		("(a1 OR b1) c1", "b1 c1", True),
		("NOT (a1 b1)", "a1", True),
		("NOT (a1 b1)", "b1 a1", False),
	],
)
def test_precedence_not_and_or_and_parentheses(query, text, expected):
	assert matches(query, text) is expected


def test_str_shows_how_the_query_was_understood():
	assert str(parse("a OR b c -d")) == "(a OR (b AND c AND NOT d))"


def test_pure_not_query_matches_texts_without_the_term():
	assert matches("NOT spam", "hallo")
	assert not matches("NOT spam", "SPAM!")


# --- search terms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("query", "terms"),
	[
		("acme", ["acme"]),
		("Kündigung OR Störung", ["Kündigung", "Störung"]),
		('"Acme Kundenservice" OR #acme OR @acme', ["Acme Kundenservice", "#acme", "@acme"]),
		("acme AND (kündigung OR vertrag)", ["acme"]),
		("kündig* AND acme", ["acme"]),
		("kündig*", ["kündig"]),
		("acme -job -spam", ["acme"]),
		("NOT spam", []),
		("acme OR NOT spam", []),
		("NOT (NOT acme OR NOT beta)", ["acme"]),
		("acme OR acme", ["acme"]),
	],
)
def test_search_terms_cover_every_match(query, terms):
	assert parse(query).search_terms() == terms


# --- syntax errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("query", "position", "fragment"),
	[
		("", 0, "empty"),
		("   ", 0, "empty"),
		("(acme OR beta", 0, "never closed"),
		("acme (beta", 5, "never closed"),
		("acme)", 4, "without an opening"),
		("acme ()", 5, "Empty parentheses"),
		("acme AND", 5, "AND needs a search term after it"),
		("acme OR", 5, "OR needs a search term after it"),
		("OR acme", 0, "OR needs a search term before it"),
		("(AND acme)", 1, "AND needs a search term before it"),
		("acme AND OR beta", 9, "found OR"),
		("acme NOT", 5, "NOT needs a search term after it"),
		("acme - beta", 5, "'-'"),
		('acme "kunden service', 5, "Quotation mark is never closed"),
		('acme ""', 5, "Empty quotation marks"),
		("*", 0, "at least 2"),
		("acme *", 5, "at least 2"),
		("k*", 0, "at least 2"),
		("kü*ndigen", 2, "start or the end"),
		("*vertrag*", 0, "not both"),
		("acme #", 5, "not a valid hashtag"),
		("@", 0, "not a valid handle"),
		("#ac*me", 3, "end of a hashtag"),
		("@acme!", 0, "not a valid handle"),
		("acme &", 5, "no letters or digits"),
		("(" * 60 + "a" + ")" * 60, 50, "nested too deeply"),
	],
)
def test_syntax_errors_name_the_position(query, position, fragment):
	with pytest.raises(QuerySyntaxError) as caught:
		parse(query)
	assert caught.value.position == position
	assert fragment in caught.value.message
	assert caught.value.template in SYNTAX_ERROR_TEMPLATES


def test_syntax_error_template_can_be_translated_and_formatted_again():
	with pytest.raises(QuerySyntaxError) as caught:
		parse("acme AND OR beta")
	error = caught.value
	assert error.template == "Expected a search term after {operator}, found {found}"
	assert error.template.format(**error.params) == error.message


def test_punctuation_between_phrase_words_is_ignored():
	query = parse('"acme - kundenservice"')
	assert query.matches("Acme Kundenservice")
	assert query.search_terms() == ["acme kundenservice"]


def test_found_lists_the_alternatives_a_text_contains():
	from social_crm.engine.text_folding import FoldedText

	query = parse('refund* OR kündig* OR "nie wieder" OR broken')
	text = FoldedText.of("Ich KÜNDIGE! Nie wieder Acme, will eine Refund.")
	assert query.found(text) == ["refund*", "kuendig*", '"nie wieder"']
	assert parse("acme AND broken").found(FoldedText.of("acme is broken")) == ["(acme AND broken)"]
	assert parse("acme AND broken").found(FoldedText.of("acme works")) == []


# --- limits: a keyword's cost per mention stays small whatever is typed in ---------------------


def test_a_query_over_the_length_limit_is_refused_before_parsing():
	from social_crm.engine.query import MAX_QUERY_LENGTH, QueryTooComplex

	with pytest.raises(QueryTooComplex) as caught:
		parse("acme " * 13_000)  # 65 kB
	assert caught.value.template == "The query is longer than {limit} characters"
	assert caught.value.params == {"limit": MAX_QUERY_LENGTH}
	assert isinstance(caught.value, QuerySyntaxError), "shown like any syntax error"


def test_too_many_wildcards_or_terms_are_refused_and_the_limit_itself_is_fine():
	from social_crm.engine.query import MAX_TERMS, MAX_WILDCARDS, QueryTooComplex

	parse(" OR ".join(f"ab{n}x*" for n in range(MAX_WILDCARDS)))
	with pytest.raises(QueryTooComplex, match="wildcards"):
		parse("NOT (" + " OR ".join(f"ab{n}x*" for n in range(MAX_WILDCARDS + 1)) + ")")
	with pytest.raises(QueryTooComplex, match="wildcards"):
		parse('"' + " ".join(f"ab{n}*" for n in range(MAX_WILDCARDS + 1)) + '"')
	parse(" OR ".join(f"word{n}" for n in range(MAX_TERMS)))
	with pytest.raises(QueryTooComplex, match="search terms"):
		parse(" OR ".join(f"word{n}" for n in range(MAX_TERMS + 1)))
