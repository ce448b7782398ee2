import pytest

from social_crm.engine.matching import (
	REASON_BIO_DOMAIN,
	REASON_HANDLE_CONTAINS,
	REASON_HANDLE_DOMAIN,
	REASON_HANDLE_EQUAL,
	REASON_NAME_EQUAL,
	REASON_NAME_SIMILAR,
	REASON_PROFILE_DOMAIN,
	REASON_SERVER_DOMAIN,
	REASON_TEMPLATES,
	CustomerCandidate,
	company_words,
	suggest_customers,
)
from social_crm.engine.mention import Author

CUSTOMERS = [
	CustomerCandidate(
		"CUST-00001", "Müller Bau GmbH & Co. KG", frozenset({"mueller-bau.de"}), "https://www.mueller-bau.de"
	),
	CustomerCandidate("CUST-00002", "Bäckerei Schmitt e.K.", frozenset(), "baeckerei-schmitt.de"),
	CustomerCandidate("CUST-00003", "Stadtwerke Süd AG", frozenset({"stadtwerke-sued.de"}), ""),
	CustomerCandidate("CUST-00004", "Brandt Software UG (haftungsbeschränkt)", frozenset({"gmx.de"}), ""),
	CustomerCandidate("CUST-00005", "Acme Ltd", frozenset({"acme.co.uk"}), "acme.co.uk"),
	CustomerCandidate("CUST-00006", "Zahnarztpraxis Dr. Weiß", frozenset({"gmail.com"}), ""),
]


def suggest(**author):
	return suggest_customers(Author(**author), CUSTOMERS)


def top(**author):
	suggestions = suggest(**author)
	assert suggestions, "expected a suggestion"
	return suggestions[0]


@pytest.mark.parametrize(
	("name", "words"),
	[
		("Müller Bau GmbH & Co. KG", ["mueller", "bau"]),
		("Bäckerei Schmitt e.K.", ["baeckerei", "schmitt"]),
		("Stadtwerke Süd AG", ["stadtwerke", "sued"]),
		("Brandt Software UG (haftungsbeschränkt)", ["brandt", "software"]),
		("Acme Ltd.", ["acme"]),
		("Acme, Inc.", ["acme"]),
		("Die Techniker SE", ["techniker"]),
		("AG", ["ag"]),  # a name that is only a legal form stays
	],
)
def test_company_words_strip_legal_forms_and_fold(name, words):
	assert company_words(name) == words


def test_bluesky_domain_handle_meets_the_customer_website():
	best = top(handle="mueller-bau.de", name="Müller Bau")
	assert best.customer.name == "CUST-00001"
	assert best.reason == REASON_HANDLE_DOMAIN
	assert best.reason_params["domain"] == "mueller-bau.de"
	assert best.score > 0.9


def test_subdomain_handle_counts_for_the_parent_domain():
	best = top(handle="presse.stadtwerke-sued.de")
	assert best.customer.name == "CUST-00003"
	assert best.reason_params["domain"] == "stadtwerke-sued.de"


def test_mastodon_account_on_the_customers_own_server():
	best = top(handle="info@social.stadtwerke-sued.de", name="Info")
	assert best.customer.name == "CUST-00003"
	assert best.reason == REASON_SERVER_DOMAIN


def test_bio_with_company_e_mail_or_website():
	best = top(
		handle="jana_k", name="Jana K.", bio="Backstube & Laden. Bestellungen: jana@baeckerei-schmitt.de"
	)
	assert best.customer.name == "CUST-00002"
	assert best.reason == REASON_BIO_DOMAIN
	assert "baeckerei-schmitt.de" in best.message


def test_profile_link_on_the_customer_domain():
	best = top(handle="acme", name="Someone", profile_url="https://blog.acme.co.uk/authors/someone")
	assert best.customer.name == "CUST-00005"
	assert best.reason == REASON_PROFILE_DOMAIN


def test_free_mail_domains_and_platform_hosts_are_no_evidence():
	assert suggest(handle="max", name="Max", bio="schreibt mir: max@gmx.de oder max@gmail.com") == []
	assert suggest(handle="max", name="Max", profile_url="https://bsky.app/profile/max.bsky.social") == []


def test_display_name_with_umlaut_spelled_out_equals_the_customer_name():
	best = top(handle="xyz123", name="Mueller Bau GmbH")
	assert best.customer.name == "CUST-00001"
	assert best.reason == REASON_NAME_EQUAL
	assert best.reason_params == {
		"author_name": "Mueller Bau GmbH",
		"customer_name": "Müller Bau GmbH & Co. KG",
	}


def test_handle_spelling_of_the_name():
	best = top(handle="stadtwerke_sued", name="")
	assert best.customer.name == "CUST-00003"
	assert best.reason == REASON_HANDLE_EQUAL
	assert top(handle="brandtsoftwaresupport").reason == REASON_HANDLE_CONTAINS


def test_similar_name_is_suggested_weaker_than_an_equal_one():
	similar = top(handle="b_schmidt", name="Bäckerei Schmidt")
	equal = top(handle="b_schmitt", name="Bäckerei Schmitt")
	assert similar.customer.name == equal.customer.name == "CUST-00002"
	assert similar.reason == REASON_NAME_SIMILAR
	assert similar.score < equal.score


def test_domain_and_name_together_score_higher_than_either():
	both = top(handle="mueller-bau.de", name="Müller Bau")
	domain_only = top(handle="mueller-bau.de", name="Pressestelle")
	name_only = top(handle="pressestelle", name="Müller Bau")
	assert both.score > domain_only.score
	assert both.score > name_only.score


def test_unrelated_author_gets_no_suggestion():
	assert suggest(handle="katzenfreundin", name="Lisa Katz", bio="Katzen, Kaffee, Köln") == []


def test_legal_forms_are_ignored_on_both_sides():
	best = top(handle="someone", name="ACME Inc.")
	assert best.customer.name == "CUST-00005"
	assert best.reason == REASON_NAME_EQUAL


def test_limit_and_order():
	customers = [
		CustomerCandidate(f"C{i}", f"Acme {suffix}")
		for i, suffix in enumerate(["Nord", "Süd", "Ost", "West"])
	]
	suggestions = suggest_customers(Author(handle="x", name="Acme Nord Süd Ost West"), customers, limit=2)
	assert len(suggestions) == 2
	assert suggestions[0].score >= suggestions[1].score


def test_every_reason_is_a_listed_template_with_its_placeholders_filled():
	authors = [
		Author(handle="mueller-bau.de", name="Müller Bau"),
		Author(handle="jana_k", name="Jana", bio="jana@baeckerei-schmitt.de"),
		Author(handle="info@social.stadtwerke-sued.de"),
		Author(handle="b_schmidt", name="Bäckerei Schmidt"),
	]
	for author in authors:
		for suggestion in suggest_customers(author, CUSTOMERS):
			assert suggestion.reason in REASON_TEMPLATES
			assert "{" not in suggestion.message
