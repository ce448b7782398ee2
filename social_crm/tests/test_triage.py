"""Triage decisions on real-looking posts: what reaches an agent, what stays a mention.

Scores and found terms are what the sentiment step and the keyword matcher would report for
each text; triage only sees those, so the tests state them next to the text they stand for.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.triage import (
	DEFAULT_INTENT_QUERY,
	DEFAULT_URGENCY_QUERY,
	R_ALREADY_ON_TICKET,
	R_HIGH_REACH,
	R_KEYWORD_THRESHOLD,
	R_KNOWN_CUSTOMER,
	R_MODE_OFF,
	R_MODE_SUGGEST_ONLY,
	R_NEGATIVE,
	R_NOT_NEGATIVE,
	R_OPPORTUNITY,
	R_REPLY_TO_TICKET,
	R_SAME_AUTHOR,
	R_SAME_CONVERSATION,
	R_URGENT_BUT_POSITIVE,
	R_URGENT_LOWERS_BAR,
	R_URGENT_TERMS,
	R_VERIFIED,
	REASON_TEMPLATES,
	Action,
	Decision,
	InvalidTriageInput,
	MatchedKeyword,
	OpenTicket,
	Priority,
	Reason,
	Signals,
	TicketMode,
	TriageSettings,
	effective_threshold,
	find_open_ticket,
	match_open_ticket,
	thread_keys,
	triage,
)
from social_crm.tests.contract import read_translations

NOW = datetime(2026, 11, 3, 15, 0, tzinfo=timezone.utc)

_ids = iter(range(1000, 10**6))


def post(
	text: str,
	*,
	platform: str = "Mastodon",
	handle: str = "anna@mastodon.example",
	followers: int | None = 120,
	verified: bool = False,
	at: datetime = NOW,
	external_id: str | None = None,
	in_reply_to: str | None = None,
	conversation_id: str | None = None,
) -> Mention:
	external_id = external_id or str(next(_ids))
	return Mention(
		platform=Platform(platform),
		external_id=external_id,
		url=f"https://social.example/{external_id}",
		author=Author(handle=handle, followers=followers, verified=verified),
		text=text,
		posted_at=at,
		in_reply_to=in_reply_to,
		conversation_id=conversation_id,
	)


def ticket(
	name: str = "SOC-TKT-0001",
	*,
	platform: str = "Mastodon",
	ids: tuple[str, ...] = ("900",),
	conversations: tuple[str, ...] = (),
	handle: str = "anna@mastodon.example",
	opened: timedelta = timedelta(hours=3),
	active: timedelta = timedelta(hours=3),
) -> OpenTicket:
	"""An open ticket opened `opened` before NOW, last active `active` before NOW."""
	return OpenTicket(
		name=name,
		platform=Platform(platform),
		mention_external_ids=frozenset(ids),
		conversation_ids=frozenset(conversations),
		author_handle=handle,
		opened_at=NOW - opened,
		last_activity_at=NOW - active,
	)


def templates(decision: Decision) -> list[str]:
	return [reason.template for reason in decision.reasons]


# --- Table: one post, its analysis, the settings, and what an agent should see ----------------


@dataclass
class Case:
	id: str
	mention: Mention
	signals: Signals
	action: Action
	priority: Priority
	deciding: tuple[str, ...]  # reason templates that must be among the reasons
	in_text: tuple[str, ...] = ()  # what reason_text() must mention
	opportunity: bool = False
	mode: TicketMode = TicketMode.AUTOMATIC
	settings: dict = field(default_factory=dict)


BROKEN_ORDER = post("@acme my order arrived broken, I want a refund")
BROKEN_SIGNALS = Signals(score=-0.55, label="negative", urgency_terms=("broken", "refund"))
REFUND_WAIT = post(
	"Still waiting on my refund from @acme. Hmm.", platform="Bluesky", handle="tom.bsky.social"
)
REFUND_WAIT_SIGNALS = Signals(score=-0.1, label="negative", urgency_terms=("refund",))
HOLD = post("Acme support kept me on hold for an hour. Disappointing.", platform="X", handle="kai_w")

CASES = [
	Case(
		"en negative with refund and broken",
		BROKEN_ORDER,
		BROKEN_SIGNALS,
		Action.CREATE_TICKET,
		Priority.HIGH,
		(R_NEGATIVE, R_URGENT_TERMS),
		("-0.55", "refund"),
	),
	Case(
		"de negative, Kündigung",
		post("Seit 3 Wochen kein Internet, ich kündige!", platform="X", handle="LenaM"),
		Signals(score=-0.4, label="negative", urgency_terms=("kündige",)),
		Action.CREATE_TICKET,
		Priority.HIGH,
		(R_NEGATIVE, R_URGENT_TERMS),
		("kündige",),
	),
	Case(
		"de negative, Abzocke and Anwalt",
		post("Abzocke! Acme hat mir 50 € doppelt abgebucht, ich schalte den Anwalt ein.", platform="Reddit"),
		Signals(score=-0.7, label="negative", urgency_terms=("Abzocke", "Anwalt", "abzocke")),
		Action.CREATE_TICKET,
		Priority.HIGH,
		(R_URGENT_TERMS,),
		("Urgent terms: Abzocke, Anwalt",),
	),
	Case(
		"plain negative is Medium",
		HOLD,
		Signals(score=-0.45, label="negative"),
		Action.CREATE_TICKET,
		Priority.MEDIUM,
		(R_NEGATIVE,),
		("-0.45", "-0.30"),
	),
	Case(
		"score exactly at the threshold counts as negative",
		HOLD,
		Signals(score=-0.3, label="negative"),
		Action.CREATE_TICKET,
		Priority.MEDIUM,
		(R_NEGATIVE,),
		("at or below",),
	),
	Case(
		"known customer raises a plain complaint to High",
		HOLD,
		Signals(score=-0.45, label="negative", customer="Müller Logistik GmbH"),
		Action.CREATE_TICKET,
		Priority.HIGH,
		(R_NEGATIVE, R_KNOWN_CUSTOMER),
		("Müller Logistik GmbH",),
	),
	Case(
		"verified author with 200k followers raises to High",
		post(
			"Three days without a reply from @acme support. Not impressed.",
			platform="X",
			handle="techreviewer",
			followers=200_000,
			verified=True,
		),
		Signals(score=-0.35, label="negative"),
		Action.CREATE_TICKET,
		Priority.HIGH,
		(R_NEGATIVE, R_HIGH_REACH, R_VERIFIED),
		("200000 followers", "verified"),
	),
	Case(
		"just below the reach threshold stays Medium",
		post("Acme app logs me out every day. Annoying.", followers=9_999),
		Signals(score=-0.5, label="negative"),
		Action.CREATE_TICKET,
		Priority.MEDIUM,
		(R_NEGATIVE,),
	),
	Case(
		"verified is not reach when the site turns that off",
		post("Acme app logs me out every day. Annoying.", platform="X", verified=True, followers=50),
		Signals(score=-0.5, label="negative"),
		Action.CREATE_TICKET,
		Priority.MEDIUM,
		(R_NEGATIVE,),
		settings={"verified_is_high_reach": False},
	),
	Case(
		"de praise is an opportunity, not a ticket",
		post("Danke @acme, super Service 👍", platform="Bluesky", handle="jonas.bsky.social"),
		Signals(score=0.8, label="positive", intent_terms=("super Service",)),
		Action.IGNORE,
		Priority.LOW,
		(R_NOT_NEGATIVE, R_OPPORTUNITY),
		("super Service",),
		opportunity=True,
	),
	Case(
		"outage question with 'down' is suggested",
		post("Is Acme Cloud down?", platform="Hacker News", handle="throwaway42", followers=None),
		Signals(score=0.0, label="neutral", urgency_terms=("down",)),
		Action.SUGGEST,
		Priority.LOW,
		(R_URGENT_LOWERS_BAR,),
		("down",),
	),
	Case(
		"outage question without urgent terms is only stored",
		post("Is Acme Cloud down?", platform="Hacker News", handle="throwaway42", followers=None),
		Signals(score=0.0, label="neutral"),
		Action.IGNORE,
		Priority.LOW,
		(R_NOT_NEGATIVE,),
		("above the threshold",),
	),
	Case(
		"mildly negative with refund is suggested even in Automatic mode",
		REFUND_WAIT,
		REFUND_WAIT_SIGNALS,
		Action.SUGGEST,
		Priority.LOW,
		(R_URGENT_LOWERS_BAR, R_NOT_NEGATIVE),
		("refund",),
	),
	Case(
		"suggestion from a known customer is Medium",
		REFUND_WAIT,
		Signals(score=-0.1, label="negative", urgency_terms=("refund",), customer="Tom Berger"),
		Action.SUGGEST,
		Priority.MEDIUM,
		(R_URGENT_LOWERS_BAR, R_KNOWN_CUSTOMER),
		("Tom Berger",),
	),
	Case(
		"de neutral cancellation notice is suggested",
		post("Hab meinen Acme-Vertrag heute gekündigt.", handle="@Peter@chaos.social"),
		Signals(score=0.0, label="neutral", urgency_terms=("gekündigt",)),
		Action.SUGGEST,
		Priority.LOW,
		(R_URGENT_LOWERS_BAR,),
		("gekündigt",),
	),
	Case(
		"positive post does not become a ticket because of 'refund'",
		post("@acme no refund needed, love it! Works perfectly now."),
		Signals(score=0.6, label="positive", urgency_terms=("refund",), intent_terms=("love it",)),
		Action.IGNORE,
		Priority.LOW,
		(R_URGENT_BUT_POSITIVE, R_OPPORTUNITY),
		("refund", "positive"),
		opportunity=True,
	),
	Case(
		"positive post from a big account is still nothing to do",
		post("Shipped our launch on Acme Cloud today, smooth as ever.", followers=500_000, verified=True),
		Signals(score=0.5, label="positive"),
		Action.IGNORE,
		Priority.LOW,
		(R_NOT_NEGATIVE,),
	),
	Case(
		"de neutral statement is ignored",
		post("Die neue Version von Acme ist okay.", platform="Mastodon"),
		Signals(score=0.05, label="neutral"),
		Action.IGNORE,
		Priority.LOW,
		(R_NOT_NEGATIVE,),
	),
	Case(
		"negative 'not recommend' is a ticket and no opportunity",
		post("I would not recommend Acme to anyone. Terrible.", platform="Reddit", handle="u_grumpy"),
		Signals(score=-0.5, label="negative", intent_terms=("recommend",)),
		Action.CREATE_TICKET,
		Priority.MEDIUM,
		(R_NEGATIVE,),
		opportunity=False,
	),
	Case(
		"en purchase intent on Reddit",
		post("Looking for a CRM for a 10-person team, is Acme worth it?", platform="Reddit"),
		Signals(score=0.1, label="neutral", intent_terms=("looking for",)),
		Action.IGNORE,
		Priority.LOW,
		(R_OPPORTUNITY,),
		("looking for",),
		opportunity=True,
	),
	Case(
		"de search for an alternative is an opportunity",
		post("Ich suche eine Alternative zu Acme, wer kann was empfehlen?", platform="Mastodon"),
		Signals(score=0.0, label="neutral", intent_terms=("suche eine", "Alternative zu", "empfehlen")),
		Action.IGNORE,
		Priority.LOW,
		(R_OPPORTUNITY,),
		("Alternative zu",),
		opportunity=True,
	),
	Case(
		"Suggest only: a ticket becomes a suggestion with the ticket's priority",
		BROKEN_ORDER,
		BROKEN_SIGNALS,
		Action.SUGGEST,
		Priority.HIGH,
		(R_NEGATIVE, R_URGENT_TERMS, R_MODE_SUGGEST_ONLY),
		("suggest only",),
		mode=TicketMode.SUGGEST_ONLY,
	),
	Case(
		"Suggest only: an urgent-term suggestion stays a suggestion",
		REFUND_WAIT,
		REFUND_WAIT_SIGNALS,
		Action.SUGGEST,
		Priority.LOW,
		(R_URGENT_LOWERS_BAR,),
		mode=TicketMode.SUGGEST_ONLY,
	),
	Case(
		"Off: no new ticket, priority kept for sorting",
		BROKEN_ORDER,
		BROKEN_SIGNALS,
		Action.IGNORE,
		Priority.HIGH,
		(R_NEGATIVE, R_MODE_OFF),
		("off",),
		mode=TicketMode.OFF,
	),
	Case(
		"Off: no suggestion either",
		REFUND_WAIT,
		REFUND_WAIT_SIGNALS,
		Action.IGNORE,
		Priority.LOW,
		(R_URGENT_LOWERS_BAR, R_MODE_OFF),
		mode=TicketMode.OFF,
	),
	Case(
		"keyword override makes a mild complaint a ticket",
		post("Acme Cloud dashboard is a bit sluggish today", platform="Bluesky"),
		Signals(score=-0.2, label="negative", keywords=(MatchedKeyword("Acme Cloud", -0.1),)),
		Action.CREATE_TICKET,
		Priority.MEDIUM,
		(R_NEGATIVE, R_KEYWORD_THRESHOLD),
		("Acme Cloud", "-0.10"),
	),
	Case(
		"lenient keyword override alone keeps a complaint about a competitor out",
		post("Globex support is slow and unhelpful", platform="Bluesky"),
		Signals(score=-0.4, label="negative", keywords=(MatchedKeyword("Globex", -0.6),)),
		Action.IGNORE,
		Priority.LOW,
		(R_NOT_NEGATIVE,),
		("-0.60",),
	),
	Case(
		"lenient override loses to a co-matching keyword without override",
		post("Switched from Globex to Acme, Acme support is slow too", platform="Bluesky"),
		Signals(
			score=-0.4,
			label="negative",
			keywords=(MatchedKeyword("Globex", -0.6), MatchedKeyword("Acme", None)),
		),
		Action.CREATE_TICKET,
		Priority.MEDIUM,
		(R_NEGATIVE,),
		("-0.30",),
	),
	Case(
		"of two overrides the most sensitive wins",
		post("Acme Cloud billing page is a bit confusing", platform="Mastodon"),
		Signals(
			score=-0.15,
			label="negative",
			keywords=(MatchedKeyword("Acme Billing", -0.2), MatchedKeyword("Acme Cloud", -0.1)),
		),
		Action.CREATE_TICKET,
		Priority.MEDIUM,
		(R_KEYWORD_THRESHOLD,),
		("monitored keyword Acme Cloud",),
	),
	Case(
		"a stricter site threshold turns a complaint into a mention",
		HOLD,
		Signals(score=-0.45, label="negative"),
		Action.IGNORE,
		Priority.LOW,
		(R_NOT_NEGATIVE,),
		("-0.50",),
		settings={"negative_threshold": -0.5},
	),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_decision_table(case: Case):
	settings = TriageSettings(mode=case.mode, **case.settings)
	decision = triage(case.mention, case.signals, now=NOW, settings=settings)

	assert (decision.action, decision.priority) == (case.action, case.priority)
	assert decision.ticket is None
	assert decision.opportunity is case.opportunity
	for template in case.deciding:
		assert template in templates(decision)
	text = decision.reason_text()
	for fragment in case.in_text:
		assert fragment in text
	assert set(templates(decision)) <= set(REASON_TEMPLATES), "every reason must be translatable"


def test_urgent_terms_are_reported_once_each():
	signals = Signals(score=-0.7, label="negative", urgency_terms=("Abzocke", "Anwalt", "abzocke", " Anwalt"))
	decision = triage(BROKEN_ORDER, signals, now=NOW)
	assert "Urgent terms: Abzocke, Anwalt" in decision.reason_text()
	assert decision.reason_text().casefold().count("abzocke") == 1


def test_decisions_do_not_depend_on_keyword_order():
	keywords = (MatchedKeyword("Acme Billing", -0.1), MatchedKeyword("Acme Cloud", -0.1))
	first = triage(HOLD, Signals(score=-0.2, label="negative", keywords=keywords), now=NOW)
	second = triage(HOLD, Signals(score=-0.2, label="negative", keywords=keywords[::-1]), now=NOW)
	assert first == second
	assert "Acme Billing" in first.reason_text()


# --- Threading ---------------------------------------------------------------------------------


def test_reply_in_thread_is_appended_whatever_its_sentiment():
	reply = post("@acme thanks, that fixed it!", in_reply_to="900", handle="someone@else.example")
	decision = triage(reply, Signals(score=0.7, label="positive"), now=NOW, open_tickets=[ticket()])
	assert decision.action is Action.APPEND_TO_TICKET
	assert decision.ticket == "SOC-TKT-0001"
	assert templates(decision)[0] == R_REPLY_TO_TICKET
	assert "900" in decision.reason_text()


def test_other_author_in_the_same_conversation_is_appended():
	post_in_thread = post(
		"Same here, my Acme box is dead too",
		platform="Bluesky",
		handle="mia.bsky.social",
		conversation_id="at://did:plc:abc/app.bsky.feed.post/3k",
	)
	open_ticket = ticket(
		platform="Bluesky",
		handle="tom.bsky.social",
		conversations=("at://did:plc:abc/app.bsky.feed.post/3k",),
	)
	decision = triage(
		post_in_thread, Signals(score=-0.6, label="negative"), now=NOW, open_tickets=[open_ticket]
	)
	assert (decision.action, decision.ticket) == (Action.APPEND_TO_TICKET, "SOC-TKT-0001")
	assert templates(decision)[0] == R_SAME_CONVERSATION
	# The mention's own weight is still reported, so the shell can raise the ticket's priority.
	assert decision.priority is Priority.MEDIUM


def test_negative_urgent_reply_carries_high_priority_for_raising_the_ticket():
	reply = post("Still broken. I want my money back.", in_reply_to="900")
	signals = Signals(score=-0.6, label="negative", urgency_terms=("broken", "money back"))
	decision = triage(reply, signals, now=NOW, open_tickets=[ticket()])
	assert (decision.action, decision.priority) == (Action.APPEND_TO_TICKET, Priority.HIGH)


@pytest.mark.parametrize(
	("hours_after_activity", "expected"),
	[(2, Action.APPEND_TO_TICKET), (30, Action.CREATE_TICKET)],
	ids=["2h later: same ticket", "30h later: new ticket"],
)
def test_second_complaint_by_same_author(hours_after_activity: int, expected: Action):
	since = timedelta(hours=hours_after_activity)
	open_ticket = ticket(handle="LenaM", platform="X", opened=since, active=since)
	second = post("@acme immer noch kein Internet!!", platform="X", handle="@lenam")
	decision = triage(second, Signals(score=-0.5, label="negative"), now=NOW, open_tickets=[open_ticket])
	assert decision.action is expected
	if expected is Action.APPEND_TO_TICKET:
		assert templates(decision)[0] == R_SAME_AUTHOR
		assert "lenam" in decision.reason_text()
		assert "24 hours" in decision.reason_text()


def test_author_window_runs_from_last_activity_not_opening():
	# Opened 40 h ago but the conversation went on until 2 h ago.
	open_ticket = ticket(opened=timedelta(hours=40), active=timedelta(hours=2))
	again = post("@acme and now the replacement is broken as well")
	assert find_open_ticket(again, again.author.handle, [open_ticket], NOW) == open_ticket


def test_post_written_shortly_before_the_ticket_opened_joins_it():
	# Fetched late: the author's earlier post arrives after their later one opened a ticket.
	open_ticket = ticket(opened=timedelta(hours=1), active=timedelta(hours=1))
	earlier = post("@acme hello? anyone there?", at=NOW - timedelta(hours=3))
	assert find_open_ticket(earlier, earlier.author.handle, [open_ticket], NOW) == open_ticket


def test_same_author_on_another_platform_is_a_new_ticket():
	open_ticket = ticket(platform="Mastodon", handle="anna")
	elsewhere = post("@acme my order arrived broken", platform="Bluesky", handle="anna")
	decision = triage(elsewhere, BROKEN_SIGNALS, now=NOW, open_tickets=[open_ticket])
	assert decision.action is Action.CREATE_TICKET


def test_conversation_ids_are_only_compared_within_a_platform():
	open_ticket = ticket(platform="Reddit", conversations=("t3_1abc",), handle="someone")
	other = post("broken again", platform="Hacker News", conversation_id="t3_1abc", handle="x")
	assert find_open_ticket(other, "x", [open_ticket], NOW) is None


def test_mode_off_still_appends_to_an_open_ticket():
	reply = post("@acme any update on this?", in_reply_to="900")
	settings = TriageSettings(mode=TicketMode.OFF)
	decision = triage(
		reply, Signals(score=-0.1, label="neutral"), now=NOW, settings=settings, open_tickets=[ticket()]
	)
	assert (decision.action, decision.ticket) == (Action.APPEND_TO_TICKET, "SOC-TKT-0001")
	assert R_MODE_OFF not in templates(decision)


def test_refetched_post_already_on_a_ticket_does_not_open_another():
	again = post("@acme my order arrived broken, I want a refund", external_id="900")
	decision = triage(again, BROKEN_SIGNALS, now=NOW, open_tickets=[ticket()])
	assert (decision.action, decision.ticket) == (Action.APPEND_TO_TICKET, "SOC-TKT-0001")
	assert templates(decision)[0] == R_ALREADY_ON_TICKET


@pytest.mark.parametrize("reverse", [False, True], ids=["listed first", "listed last"])
def test_reply_link_beats_same_author_link_in_any_order(reverse: bool):
	by_author = ticket("SOC-TKT-0002", ids=("777",), active=timedelta(minutes=5))
	replied_to = ticket("SOC-TKT-0001", ids=("900",), handle="someone-else", active=timedelta(hours=20))
	tickets = [by_author, replied_to][:: -1 if reverse else 1]
	reply = post("@acme and?", in_reply_to="900")
	match = match_open_ticket(reply, reply.author.handle, tickets, NOW, timedelta(hours=24))
	assert match is not None and match.ticket.name == "SOC-TKT-0001"


def test_of_two_tickets_by_the_same_author_the_most_recently_active_wins():
	older = ticket("SOC-TKT-0001", ids=("1",), active=timedelta(hours=10))
	newer = ticket("SOC-TKT-0002", ids=("2",), active=timedelta(hours=1))
	third = post("@acme hello??")
	assert find_open_ticket(third, third.author.handle, [older, newer], NOW).name == "SOC-TKT-0002"
	assert find_open_ticket(third, third.author.handle, [newer, older], NOW).name == "SOC-TKT-0002"


def test_future_timestamp_from_a_skewed_clock_is_judged_at_now():
	open_ticket = ticket(active=timedelta(hours=1))
	skewed = post("@acme still waiting", at=NOW + timedelta(hours=40))
	assert find_open_ticket(skewed, skewed.author.handle, [open_ticket], NOW) == open_ticket


def test_thread_window_is_configurable():
	open_ticket = ticket(active=timedelta(hours=30))
	later = post("@acme this is the third time I write")
	assert find_open_ticket(later, later.author.handle, [open_ticket], NOW) is None
	settings = TriageSettings(thread_window=timedelta(hours=48))
	decision = triage(
		later, Signals(score=-0.5, label="negative"), now=NOW, settings=settings, open_tickets=[open_ticket]
	)
	assert decision.action is Action.APPEND_TO_TICKET
	assert "48 hours" in decision.reason_text()


def test_mentions_threading_can_join_share_a_thread_key_and_others_do_not():
	"""The keys a parallel shell locks: whatever link triage could find, the two posts share one."""
	root = post("Acme ist kaputt", external_id="500", conversation_id="c-1", at=NOW - timedelta(hours=1))
	opened = OpenTicket(
		name="SOC-TKT-0042",
		platform=Platform.MASTODON,
		mention_external_ids=frozenset({"500"}),
		conversation_ids=frozenset({"c-1"}),
		author_handle=root.author.handle,
		opened_at=root.posted_at,
		last_activity_at=root.posted_at,
	)
	joining = {
		"reply": post("und?", handle="max@mastodon.example", in_reply_to="500"),
		"conversation": post("same here", handle="eva@mastodon.example", conversation_id="c-1"),
		"author": post("Hallo??", handle="@Anna@Mastodon.example"),
		"same post": post("Acme ist kaputt", external_id="500", handle="anna@mastodon.example"),
	}
	for how, mention in joining.items():
		assert match_open_ticket(mention, mention.author.handle, [opened], NOW, timedelta(hours=24)), how
		assert thread_keys(root) & thread_keys(mention), how
	elsewhere = [
		post("Acme", handle="tom@mastodon.example", in_reply_to="501", conversation_id="c-2"),
		post("Acme", platform="Bluesky", handle="anna@mastodon.example", external_id="500", conversation_id="c-1"),
	]
	for mention in elsewhere:
		assert match_open_ticket(mention, mention.author.handle, [opened], NOW, timedelta(hours=24)) is None
		assert not thread_keys(root) & thread_keys(mention)


def test_no_open_tickets_means_no_thread():
	assert find_open_ticket(BROKEN_ORDER, "anna@mastodon.example", [], NOW) is None


# --- Reasons and their German translations ------------------------------------------------------


def test_reason_text_formats_scores_with_sign_and_two_decimals():
	decision = triage(BROKEN_ORDER, BROKEN_SIGNALS, now=NOW)
	assert decision.reason_text().startswith("Sentiment -0.55 is at or below the threshold -0.30; ")


def test_reason_params_are_plain_values_the_shell_can_store():
	reply = post("@acme and?", in_reply_to="900", followers=50_000, verified=True)
	signals = Signals(score=-0.5, label="negative", urgency_terms=("refund",), customer="ACME Kunde")
	for decision in (
		triage(reply, signals, now=NOW, open_tickets=[ticket()]),
		triage(BROKEN_ORDER, BROKEN_SIGNALS, now=NOW, settings=TriageSettings(mode=TicketMode.SUGGEST_ONLY)),
	):
		for reason in decision.reasons:
			assert all(isinstance(value, (str, int, float)) for value in reason.params.values())


def _fields(template: str) -> list[tuple[str, str]]:
	return sorted((name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None)


def test_german_reasons_cover_every_template_with_the_same_placeholders():
	german = read_translations()
	for template in REASON_TEMPLATES:
		assert template in german, template
		assert _fields(german[template]) == _fields(template), template
		assert german[template] != template


def test_reason_templates_are_unique():
	assert len(set(REASON_TEMPLATES)) == len(REASON_TEMPLATES)


def test_reason_formats_its_params():
	assert Reason("Urgent terms: {terms}", {"terms": "Abzocke"}).text() == "Urgent terms: Abzocke"


# --- Inputs that are bugs upstream ----------------------------------------------------------------


@pytest.mark.parametrize(
	"make",
	[
		lambda: Signals(score=1.5, label="positive"),
		lambda: Signals(score=float("nan"), label="neutral"),
		lambda: Signals(score=-0.5, label="angry"),
		lambda: MatchedKeyword("Acme", ticket_threshold=-2),
		lambda: TriageSettings(negative_threshold=0.3 + 1),
		lambda: TriageSettings(high_reach_followers=-1),
	],
	ids=["score>1", "nan score", "unknown label", "keyword threshold<-1", "settings threshold>1", "reach<0"],
)
def test_out_of_range_input_is_rejected(make):
	with pytest.raises(InvalidTriageInput):
		make()


def test_unknown_mode_is_rejected():
	with pytest.raises(ValueError):
		TriageSettings(mode="Sometimes")


def test_mode_accepts_the_desk_label():
	assert TriageSettings(mode="Suggest only").mode is TicketMode.SUGGEST_ONLY


def test_naive_ticket_timestamps_are_rejected():
	with pytest.raises(InvalidTriageInput, match="timezone-aware"):
		OpenTicket("T", Platform.X, frozenset(), frozenset(), "a", datetime(2026, 1, 1), NOW)


def test_effective_threshold_without_keywords_is_the_settings_default():
	assert effective_threshold([], -0.3) == (-0.3, None)


# --- The default queries ----------------------------------------------------------------------------
# A small reading of the query syntax (OR of terms, "phrases", prefix*) so the shipped defaults are
# checked against the posts they are meant to catch; the real matcher lives in engine.keywords.


def _operands(query: str) -> list[str]:
	assert query.count('"') % 2 == 0, "unbalanced quotes"
	operands = [part.strip() for part in query.split(" OR ")]
	assert all(operands), "empty operand"
	for operand in operands:
		assert re.fullmatch(r'"[^"*]+"|[^\s"*]+\*?', operand), operand
	return operands


def _hits(query: str, text: str) -> list[str]:
	words = re.findall(r"\w+", text.casefold())
	joined = f" {' '.join(words)} "
	found = []
	for operand in _operands(query):
		op = operand.casefold()
		if op.startswith('"'):
			hit = f" {op.strip(chr(34))} " in joined
		elif op.endswith("*"):
			hit = any(word.startswith(op[:-1]) for word in words)
		else:
			hit = op in words
		if hit:
			found.append(operand)
	return found


@pytest.mark.parametrize(
	"text",
	[
		"@acme my order arrived broken, I want a refund",
		"I cancelled my Acme subscription",
		"This is a scam",
		"Is Acme Cloud down?",
		"Acme, never again.",
		"Seit 3 Wochen kein Internet, ich kündige!",
		"Vertrag gekündigt.",
		"Wo bleibt meine Rückerstattung?",
		"Ich will mein Geld zurück",
		"Das ist Betrug",
		"Acme-Betrüger!",
		"Totale Abzocke",
		"Ich wurde abgezockt",
		"Mein Anwalt meldet sich",
		"Router defekt, schon wieder",
		"Die Box ist kaputt",
		"Nie wieder Acme",
		"Ich gehe zur Verbraucherzentrale",
		"Großflächige Störung bei Acme?",
	],
)
def test_default_urgency_query_catches_complaints(text: str):
	assert _hits(DEFAULT_URGENCY_QUERY, text)


@pytest.mark.parametrize(
	"text",
	["Danke @acme, super Service", "Acme released version 2.0 today", "Ich habe heute Acme ausprobiert"],
)
def test_default_urgency_query_leaves_ordinary_posts_alone(text: str):
	assert _hits(DEFAULT_URGENCY_QUERY, text) == []


@pytest.mark.parametrize(
	"text",
	[
		"Looking for a CRM, is Acme worth it?",
		"Can anyone recommend a hosting provider?",
		"Thinking of switching to Acme",
		"Danke @acme, super Service",
		"Ich suche eine Alternative zu Globex",
		"Könnt ihr Acme empfehlen?",
		"Wir wollen wechseln zu Acme",
		"Habt ihr ein Angebot für 20 Nutzer?",
	],
)
def test_default_intent_query_catches_intent_and_praise(text: str):
	assert _hits(DEFAULT_INTENT_QUERY, text)


def test_default_intent_query_leaves_complaints_alone():
	assert _hits(DEFAULT_INTENT_QUERY, "@acme my order arrived broken, I want a refund") == []


def test_override_equal_to_the_default_is_not_named_as_the_source():
	keywords = [MatchedKeyword("Acme", None), MatchedKeyword("Acme Cloud", -0.3)]
	assert effective_threshold(keywords, -0.3) == (-0.3, None)


def test_shell_may_pass_lists():
	signals = Signals(
		score=-0.5, label="negative", keywords=[MatchedKeyword("Acme")], urgency_terms=["refund"]
	)
	open_ticket = OpenTicket("T", "Mastodon", ["900"], [], "anna", NOW, NOW)
	assert signals.urgency_terms == ("refund",)
	assert open_ticket.platform is Platform.MASTODON and "900" in open_ticket.mention_external_ids


# --- rule 7: a corrected mention on a ticket ---------------------------------------------------


def _decision(action):
	from social_crm.engine.triage import Decision

	return Decision(action=action, priority=Priority.LOW, reasons=())


def test_ticket_opened_on_a_wrong_reading_is_not_kept():
	from social_crm.engine.triage import keeps_ticket_after_correction

	ignore = _decision(Action.IGNORE)
	assert not keeps_ticket_after_correction(ignore, opened_by_mention=True, thread_size=1, replied=False)
	assert not keeps_ticket_after_correction(
		_decision(Action.SUGGEST), opened_by_mention=True, thread_size=1, replied=False
	)


def test_ticket_with_work_of_its_own_stays_after_a_correction():
	from social_crm.engine.triage import keeps_ticket_after_correction

	ignore = _decision(Action.IGNORE)
	assert keeps_ticket_after_correction(ignore, opened_by_mention=True, thread_size=2, replied=False)
	assert keeps_ticket_after_correction(ignore, opened_by_mention=True, thread_size=1, replied=True)
	assert keeps_ticket_after_correction(ignore, opened_by_mention=False, thread_size=1, replied=False)
	for action in (Action.CREATE_TICKET, Action.APPEND_TO_TICKET):
		assert keeps_ticket_after_correction(
			_decision(action), opened_by_mention=True, thread_size=1, replied=False
		)
