"""The demo: every platform's sample posts through the production pipeline."""

import io

import pytest

from social_crm.engine import demo
from social_crm.engine.triage import Action


@pytest.fixture(scope="module")
def rows():
	return demo.run(io.StringIO())


def by_author(rows, handle):
	return [row for row in rows if row.mention.author.handle == handle]


def test_every_platform_delivers_mentions(rows):
	assert {row.mention.platform.value for row in rows} == {
		"Mastodon",
		"Bluesky",
		"Reddit",
		"X",
		"Hacker News",
		"RSS/Atom",
		"Facebook",
		"Instagram",
		"YouTube",
	}


def test_german_outage_complaint_of_a_known_customer_opens_a_high_priority_ticket(rows):
	first = by_author(rows, "lena_k@social.example")[0]
	assert first.customer == "Krüger Logistik GmbH"
	assert first.analysis.sentiment.language == "de"
	assert first.decision.action is Action.CREATE_TICKET
	assert first.decision.priority.value == "High"


def test_replies_in_the_thread_join_the_ticket_instead_of_opening_new_ones(rows):
	opened = by_author(rows, "lena_k@social.example")[0].ticket
	thread = [row for row in rows if row.ticket == opened]
	assert len(thread) >= 3
	assert [row.decision.action for row in thread][1:] == [Action.APPEND_TO_TICKET] * (len(thread) - 1)


def test_praise_opens_no_ticket(rows):
	praise = by_author(rows, "devrel-dan.bsky.social")[0]
	assert praise.analysis.sentiment.label == "positive"
	assert praise.decision.action is Action.IGNORE


def test_a_double_charge_of_a_known_customer_reaches_an_agent(rows):
	billing = by_author(rows, "lena_k")[0]
	assert billing.decision.action in (Action.SUGGEST, Action.CREATE_TICKET)


def test_purchase_intent_is_flagged_for_sales(rows):
	assert by_author(rows, "sysadmin_sabine")[0].decision.opportunity


def test_the_printout_names_each_decision_and_its_reason():
	out = io.StringIO()
	demo.run(out)
	text = out.getvalue()
	assert "why: Sentiment" in text
	assert "tickets opened" in text


def test_company_page_comments_in_german_and_english_reach_agents(rows):
	pages = [row for row in rows if row.mention.platform.value in ("Facebook", "Instagram", "YouTube")]
	assert {row.analysis.sentiment.language for row in pages} >= {"de", "en"}
	login = next(row for row in pages if row.mention.author.name == "Jürgen Weiß")
	assert login.decision.action is Action.CREATE_TICKET
	reply = next(row for row in pages if row.mention.author.name == "Mira S.")
	assert reply.ticket == login.ticket  # a reply under the same Facebook post joins the ticket
	assert next(row for row in pages if row.mention.author.name == "Oliver Brown").decision.opportunity
