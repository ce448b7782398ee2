import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from social_crm.engine.keywords import KeywordIndex, KeywordSpec, QuerySyntaxError
from social_crm.engine.mention import Platform
from social_crm.engine.query import parse
from social_crm.engine.text_folding import FoldedText

# --- filters and errors --------------------------------------------------------------------------


def names(index, text, **filters):
	return index.match_names(text, **filters)


def test_platform_filter():
	index = KeywordIndex(
		[
			KeywordSpec("Everywhere", "acme"),
			KeywordSpec("Only X and Bluesky", "acme", platforms={"X", "Bluesky"}),
		]
	)
	assert names(index, "acme", platform="X") == ["Everywhere", "Only X and Bluesky"]
	assert names(index, "acme", platform=Platform.BLUESKY) == ["Everywhere", "Only X and Bluesky"]
	assert names(index, "acme", platform="Mastodon") == ["Everywhere"]
	# platform unknown: no filter applies
	assert names(index, "acme") == ["Everywhere", "Only X and Bluesky"]


def test_language_filter_uses_the_primary_subtag_and_lets_unknown_language_through():
	index = KeywordIndex(
		[
			KeywordSpec("German", "acme", languages={"de"}),
			KeywordSpec("English", "acme", languages={"en-GB"}),
			KeywordSpec("Any", "acme"),
		]
	)
	assert names(index, "acme", language="de-AT") == ["German", "Any"]
	assert names(index, "acme", language="EN") == ["English", "Any"]
	assert names(index, "acme", language="fr") == ["Any"]
	assert names(index, "acme", language=None) == ["German", "English", "Any"]


def test_unknown_platform_label_is_rejected():
	with pytest.raises(ValueError):
		KeywordSpec("Bad", "acme", platforms={"MySpace"})


def test_invalid_query_is_rejected_at_build_naming_the_keyword():
	with pytest.raises(QuerySyntaxError) as caught:
		KeywordIndex([KeywordSpec("Fine", "acme"), KeywordSpec("Kündigungen", "kündig* AND")])
	assert caught.value.keyword == "Kündigungen"
	assert caught.value.position == 8
	assert "Kündigungen" in str(caught.value)


def test_result_keeps_spec_order_and_carries_triage_fields():
	specs = [
		KeywordSpec("B", "beta OR acme", ticket_threshold=-0.4, item="ITEM-B"),
		KeywordSpec("A", "acme"),
		KeywordSpec("C", "gamma"),
	]
	result = KeywordIndex(specs).match("ACME und Beta")
	assert result == specs[:2]
	assert result[0].ticket_threshold == -0.4 and result[0].item == "ITEM-B"


def test_pure_not_keyword_is_evaluated_for_every_mention():
	index = KeywordIndex([KeywordSpec("No spam", "NOT spam"), KeywordSpec("Acme", "acme")])
	assert names(index, "irgendwas") == ["No spam"]
	assert names(index, "spam acme") == ["Acme"]


def test_wildcard_and_tag_anchors_find_their_keywords():
	index = KeywordIndex(
		[
			KeywordSpec("Prefix", "kündig*"),
			KeywordSpec("Suffix", "*vertrag"),
			KeywordSpec("Hashtag", "#acme"),
			KeywordSpec("Hashtag prefix", "#acme*"),
			KeywordSpec("Handle", "@acme"),
			KeywordSpec("Handle prefix", "@acme*"),
			KeywordSpec("Phrase", '"acme kundenservice"'),
		]
	)
	assert names(index, "Kündigung vom Handyvertrag") == ["Prefix", "Suffix"]
	assert names(index, "#AcmeSupport") == ["Hashtag prefix"]
	assert names(index, "#acme") == ["Hashtag", "Hashtag prefix"]
	assert names(index, "@acme_de") == ["Handle prefix"]
	assert names(index, "@acme@mastodon.social") == ["Handle", "Handle prefix"]
	assert names(index, "Acme-Kundenservice") == ["Phrase"]


# --- the index agrees with evaluating every query --------------------------------------------------

WORDS = [
	"acme",
	"Acme",
	"ACME",
	"kündigen",
	"Kuendigung",
	"KÜNDIGT",
	"vertrag",
	"Handyvertrag",
	"Störung",
	"stoerung",
	"beta",
	"spam",
	"job",
	"Müller",
	"Straße",
	"strasse",
	"Café",
	"mail",
	"de",
	"nicht",
	"service",
	"Kundenservice",
	"acmeville",
]
QUERY_WORDS = [
	"acme",
	"kündigen",
	"kuendigung",
	"vertrag",
	"störung",
	"beta",
	"spam",
	"müller",
	"straße",
	"café",
	"nicht",
	"service",
	"de",
	"mail",
]
STEMS = ["kündig", "acme", "ver", "stoer", "mue", "kunden"]
SUFFIXES = ["vertrag", "service", "ung"]


def atom():
	return st.one_of(
		st.sampled_from(QUERY_WORDS),
		st.sampled_from(STEMS).map(lambda s: s + "*"),
		st.sampled_from(SUFFIXES).map(lambda s: "*" + s),
		st.lists(st.sampled_from(QUERY_WORDS), min_size=2, max_size=3).map(
			lambda ws: '"' + " ".join(ws) + '"'
		),
		st.sampled_from(
			["#acme", "#kündigung", "@acme", "@acme@mastodon.social", "#acme*", "@acme*", "e-mail", "acme.de"]
		),
	)


def combine(children):
	return st.one_of(
		st.tuples(children, children).map(lambda ab: f"{ab[0]} {ab[1]}"),
		st.tuples(children, children).map(lambda ab: f"{ab[0]} AND {ab[1]}"),
		st.tuples(children, children).map(lambda ab: f"{ab[0]} OR {ab[1]}"),
		st.tuples(children, children).map(lambda ab: f"{ab[0]} ODER {ab[1]}"),
		children.map(lambda a: f"NOT {a}"),
		children.map(lambda a: f"-({a})"),
		children.map(lambda a: f"({a})"),
	)


queries = st.recursive(atom(), combine, max_leaves=6)


def text_token():
	return st.tuples(st.sampled_from(["", "", "", "#", "@"]), st.sampled_from(WORDS)).map("".join)


texts = st.lists(
	st.tuples(text_token(), st.sampled_from([" ", " ", ", ", "-", "\n", ". ", "@mastodon.social "])),
	max_size=12,
).map(lambda parts: "".join(token + separator for token, separator in parts))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
	query_list=st.lists(queries, min_size=1, max_size=25),
	corpus=st.lists(texts, min_size=1, max_size=8),
	platform=st.sampled_from([None, "X", "Mastodon"]),
	language=st.sampled_from([None, "de", "en"]),
)
def test_index_equals_evaluating_every_query(query_list, corpus, platform, language):
	specs = [
		KeywordSpec(
			f"K{i}",
			query,
			platforms={"X"} if i % 3 == 1 else (),
			languages={"de"} if i % 4 == 2 else (),
		)
		for i, query in enumerate(query_list)
	]
	index = KeywordIndex(specs)
	for text in corpus:
		folded = FoldedText.of(text)
		expected = [
			spec
			for spec in specs
			if (platform is None or not spec.platforms or platform in spec.platforms)
			and (language is None or not spec.languages or language in spec.languages)
			and parse(spec.query).matches(text)
		]
		assert index.match(folded, platform=platform, language=language) == expected


CORPUS = [
	"Ich will meinen Handyvertrag bei @acme kündigen!!! #kündigung",
	"ACME-Kundenservice: 40 Minuten Warteschleife, Störung seit gestern",
	"Neue Stelle: Job bei Acme GmbH in München – jetzt bewerben",
	"acmeville is a lovely town",
	"Beta's app keeps crashing, cancelling my subscription #fail",
	"cc @acme@mastodon.social: die e-Mail kam nie an",
	"Kuendigung bestaetigt? Nein. Danke für nichts, ACME.",
	"",
]
SPECS = [
	KeywordSpec("Acme", "acme OR #acme OR @acme"),
	KeywordSpec("Acme Kündigung", "acme (kündig* OR *vertrag OR cancel*)"),
	KeywordSpec("Acme ohne Jobs", 'acme -job -"jetzt bewerben" -stelle'),
	KeywordSpec("Kundenservice", '"acme kundenservice" OR (acme AND (warteschleife OR hotline))'),
	KeywordSpec("Beta EN", "beta AND (crash* OR cancel*)", languages={"en"}),
	KeywordSpec("E-Mail", "e-mail NICHT spam"),
	KeywordSpec("Not spam", "NOT spam"),
]


@pytest.mark.parametrize("text", CORPUS)
def test_realistic_keywords_index_equals_brute_force(text):
	index = KeywordIndex(SPECS)
	expected = [spec for spec in SPECS if parse(spec.query).matches(text)]
	assert index.match(text) == expected
	assert expected  # the corpus exercises real matches (every text at least matches "Not spam")


URGENCY_AND_INTENT_POSTS = [
	"Seit drei Wochen kein Internet bei Acme. Ich kündige, das ist eine Frechheit!",
	"I want my MONEY BACK, the app is not working and this is a scam",
	"Thinking of switching to Acme Cloud, can anyone recommend it? Love it so far",
	"Is there an alternative to acme? looking for a free trial, pricing is unclear",
	"Never again. Chargeback filed, my lawyer will call. Service down since Monday.",
	"refunds refunded refund-policy cancellation",
	"nothing to see here",
	"",
]


@pytest.mark.parametrize("text", URGENCY_AND_INTENT_POSTS)
def test_term_lists_in_the_index_find_what_query_found_finds(text: str) -> None:
	from social_crm.engine.keywords import KeywordIndex
	from social_crm.engine.query import parse
	from social_crm.engine.triage import DEFAULT_INTENT_QUERY, DEFAULT_URGENCY_QUERY

	urgency, intent = parse(DEFAULT_URGENCY_QUERY), parse(DEFAULT_INTENT_QUERY)
	index = KeywordIndex([KeywordSpec("Acme", "acme")], {"urgency": urgency, "intent": intent})
	folded = FoldedText.of(text)
	specs, terms = index.match_with_terms(folded)
	assert terms == {"urgency": tuple(urgency.found(folded)), "intent": tuple(intent.found(folded))}
	assert [spec.name for spec in specs] == (["Acme"] if "acme" in text.lower() else [])
	assert index.match(folded) == specs


def test_term_list_alternatives_with_not_are_still_found() -> None:
	from social_crm.engine.keywords import KeywordIndex
	from social_crm.engine.query import parse

	query = parse('refund OR (-spam) OR "money back"')
	index = KeywordIndex([], {"urgency": query})
	for text in ("refund please", "spam refund", "money back now", "spam spam"):
		folded = FoldedText.of(text)
		assert index.match_with_terms(folded)[1]["urgency"] == tuple(query.found(folded)), text
