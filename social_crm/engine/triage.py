"""Triage: what happens to one analysed mention — ticket, append, suggestion or nothing.

This is the one place that turns analysis into support work, so the rules are written out
here in the order they are applied, and every decision carries the reasons an agent sees.

Rules, in order
---------------
1. **Threading** (every mode, whatever the sentiment). If the mention belongs to an open
   ticket on the same platform it is APPEND_TO_TICKET, because splitting one conversation over
   two tickets loses its history. The strongest link wins (see `find_open_ticket`):
   the mention is already on the ticket (a re-fetch) > it replies to a post on the ticket >
   it shares a conversation id with the ticket > the same author (handles compared
   case-insensitively, leading "@" ignored) wrote it between 24 h before the ticket was opened
   and 24 h after its *last activity* (not its opening: a conversation an agent is still
   answering stays one ticket). Mode "Off" appends too: it stops *new* tickets only, and
   adding to a ticket an agent already works on creates no new work.
2. **Negative**: score <= effective threshold. The effective threshold is the highest (most
   sensitive) threshold of the matched Monitored Keywords, where a keyword without an
   override counts with the Settings threshold; with no keyword matched it is the Settings
   threshold. So a lenient override (say -0.6 for a competitor's name) only applies when
   nothing stricter matched too. A negative mention is a ticket: priority High when urgent
   terms were found, the author is a known Customer, or the author has high reach (followers
   >= `high_reach_followers`, or verified when `verified_is_high_reach`); otherwise Medium.
3. **Urgent but not negative**: urgent terms lower the bar — a neutral or mildly negative
   mention with "refund" or "kündige" is a suggestion, priority Low (Medium for a known
   Customer or a high-reach author), even in Automatic mode: the words alone are not proof
   enough to open a ticket. If the analyser labels the post *positive* ("no refund needed,
   love it") the terms are ignored and the reason says so; a single word does not make a
   happy post a complaint.
4. **Anything else** is IGNORE, priority Low: it is stored as a mention, no ticket.
5. **Mode** turns a ticket into the action: Automatic → CREATE_TICKET; "Suggest only" →
   SUGGEST with the priority the ticket would have had (accepting the suggestion then opens
   the same ticket Automatic would have); "Off" → IGNORE, keeping that priority so the
   mention list can still sort by it. Suggestions from rule 3 become IGNORE under "Off".
6. **Incident** (engine/incidents.py decides the incident, triage only what it means for a
   ticket): a news or status post (`news_terms` found) from an author who is not a known
   Customer, while an incident about its subject is open, joins the incident instead of
   opening a ticket of its own: IGNORE with the reason naming the incident. A customer's post
   in the same burst still gets its own ticket, and threading (rule 1) still comes first.
7. **Opportunity** (independent of the above): intent or praise terms were found and the
   mention is not negative → `opportunity=True`; the shell offers "Create Lead/Opportunity".
7. **Correction** (`keeps_ticket_after_correction`): when an agent corrects the sentiment of
   a mention that is already on a ticket, the mention is triaged again without its own ticket.
   If triage still asks for a ticket the ticket stays. If not, a ticket that this mention
   alone opened and nobody answered yet is closed (it was opened on a wrong reading); a ticket
   with more of the conversation or with a sent reply stays, because it holds work of its own.

Priorities are ERPNext's default Issue Priorities (Low, Medium, High). For an append the
priority is the mention's own; the shell may raise the ticket's priority to it, never lower.
The language of the mention does not enter the rules: the default urgency and intent queries
are bilingual, and the score is already on one scale.

Reasons are `Reason(template, params)` with English templates from `REASON_TEMPLATES`, so the
shell translates the template and formats it with the params (German texts in the app's
`translations/de.csv`). Params are plain str/int/float values.

Batches: the shell must add a ticket it just created to `open_tickets` before triaging the
next mention of the same fetch, or a thread fetched in one page opens one ticket per post.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from social_crm.engine.mention import Mention, Platform

DEFAULT_URGENCY_QUERY = (
	"refund* OR broken OR cancel* OR scam* OR fraud* OR lawyer* OR chargeback* OR outage* OR down"
	' OR "never again" OR "money back" OR "not working"'
	" OR kündig* OR gekündigt OR erstatt* OR rückerstatt* OR betrug* OR betrüg* OR abzock*"
	" OR abgezockt OR anwalt* OR defekt* OR kaputt* OR störung* OR ausfall*"
	' OR "nie wieder" OR "geld zurück" OR "funktioniert nicht" OR verbraucherzentrale'
	' OR "charged twice" OR "double charged" OR "doppelt abgebucht" OR "falsche rechnung"'
)
"""Complaint words that make a mention worth an agent's look even when the score is mild.

In the keyword query syntax; the matcher folds German spelling. German compounds need their
own prefix ("Rückerstattung" does not start with "erstatt"), and "down" is a bare word because
"Is Acme down?" is the most common outage report.
"""

DEFAULT_INTENT_QUERY = (
	'"looking for" OR recommend* OR "any suggestions" OR "thinking of switching" OR "switch to"'
	' OR "alternative to" OR pricing OR "free trial" OR "love it" OR "great service"'
	' OR empfehl* OR "suche ein" OR "suche eine" OR "suche einen" OR "wechseln zu" OR "alternative zu"'
	' OR angebot* OR "was kostet" OR "super service" OR "toller service" OR begeistert'
	' OR "erfahrungen mit" OR "überlegen den umzug" OR "love the" OR "really impressed" OR shoutout'
)
"""Purchase intent and praise sales should see; only used when the mention is not negative."""


class Action(str, Enum):
	"""What the shell does with the mention; values are the desk's Select options."""

	CREATE_TICKET = "Create Ticket"
	APPEND_TO_TICKET = "Append to Ticket"
	SUGGEST = "Suggest"
	IGNORE = "Ignore"

	def __str__(self) -> str:
		return self.value


class Priority(str, Enum):
	"""ERPNext's default Issue Priority names, so a ticket's Issue can use them as they are."""

	LOW = "Low"
	MEDIUM = "Medium"
	HIGH = "High"

	def __str__(self) -> str:
		return self.value


class TicketMode(str, Enum):
	"""Social CRM Settings' "Ticket Creation" options."""

	AUTOMATIC = "Automatic"
	SUGGEST_ONLY = "Suggest only"
	OFF = "Off"

	def __str__(self) -> str:
		return self.value


class InvalidTriageInput(ValueError):
	"""A threshold, score or label outside its range: a bug upstream, not a mention to triage."""


SENTIMENT_LABELS = ("negative", "neutral", "positive")
DEFAULT_THREAD_WINDOW = timedelta(hours=24)

# Reason templates. English source strings; the shell translates them (see module docstring).
R_ALREADY_ON_TICKET = "This post is already part of open ticket {ticket}"
R_REPLY_TO_TICKET = "Replies to post {external_id}, which belongs to open ticket {ticket}"
R_SAME_CONVERSATION = "Belongs to conversation {conversation_id} of open ticket {ticket}"
R_SAME_AUTHOR = "@{handle} wrote again within {hours} hours of activity on open ticket {ticket}"
R_NEGATIVE = "Sentiment {score:+.2f} is at or below the threshold {threshold:+.2f}"
R_NOT_NEGATIVE = "Sentiment {score:+.2f} is above the threshold {threshold:+.2f}"
R_KEYWORD_THRESHOLD = "The threshold {threshold:+.2f} is set on the monitored keyword {keyword}"
R_URGENT_TERMS = "Urgent terms: {terms}"
R_URGENT_LOWERS_BAR = "Urgent terms ({terms}) make this worth a look although it is not negative"
R_URGENT_BUT_POSITIVE = "Urgent terms ({terms}) ignored because the post reads as positive"
R_KNOWN_CUSTOMER = "The author is the customer {customer}"
R_HIGH_REACH = "The author has {followers} followers (high reach from {minimum})"
R_VERIFIED = "The author is verified"
R_MODE_SUGGEST_ONLY = "Ticket creation is set to suggest only"
R_MODE_OFF = "Ticket creation is off"
R_OPPORTUNITY = "Purchase intent or praise: {terms}"
R_JOINS_INCIDENT = "A news or status post ({terms}) by an author who is not a customer; it joins incident {incident}"

REASON_TEMPLATES: tuple[str, ...] = (
	R_ALREADY_ON_TICKET,
	R_REPLY_TO_TICKET,
	R_SAME_CONVERSATION,
	R_SAME_AUTHOR,
	R_NEGATIVE,
	R_NOT_NEGATIVE,
	R_KEYWORD_THRESHOLD,
	R_URGENT_TERMS,
	R_URGENT_LOWERS_BAR,
	R_URGENT_BUT_POSITIVE,
	R_KNOWN_CUSTOMER,
	R_HIGH_REACH,
	R_VERIFIED,
	R_MODE_SUGGEST_ONLY,
	R_MODE_OFF,
	R_OPPORTUNITY,
	R_JOINS_INCIDENT,
)
"""Every template a Reason can carry; the shell's translation file must cover all of them."""


@dataclass(frozen=True, slots=True)
class Reason:
	"""One fact behind a decision, kept apart from its wording so the shell can translate it."""

	template: str
	params: dict[str, Any] = field(default_factory=dict)

	def text(self) -> str:
		return self.template.format(**self.params)


@dataclass(frozen=True, slots=True)
class Decision:
	"""What to do with a mention. `ticket` is the open ticket's name for APPEND_TO_TICKET."""

	action: Action
	priority: Priority
	reasons: tuple[Reason, ...]
	ticket: str | None = None
	opportunity: bool = False

	def reason_text(self) -> str:
		"""The reasons in English, one sentence each, as the mention list shows them."""
		return "; ".join(reason.text() for reason in self.reasons)


@dataclass(frozen=True, slots=True)
class MatchedKeyword:
	"""A Monitored Keyword whose query matched; `ticket_threshold` is its optional override."""

	name: str
	ticket_threshold: float | None = None

	def __post_init__(self) -> None:
		if self.ticket_threshold is not None:
			_check_unit_range(self.ticket_threshold, f"ticket threshold of keyword {self.name}")


@dataclass(frozen=True, slots=True)
class Signals:
	"""What the earlier steps found out about one mention.

	`score`/`label` come from the sentiment step; `urgency_terms` and `intent_terms` are the
	terms of `DEFAULT_URGENCY_QUERY`/`DEFAULT_INTENT_QUERY` (or the site's own) found in the
	text; `customer` is the Customer linked through the author's Social Profile, if any.
	"""

	score: float
	label: str
	keywords: tuple[MatchedKeyword, ...] = ()
	urgency_terms: tuple[str, ...] = ()
	intent_terms: tuple[str, ...] = ()
	customer: str | None = None
	# The open Social Incident the mention belongs to and why it reads as news (incidents.py).
	incident: str | None = None
	news_terms: tuple[str, ...] = ()

	def __post_init__(self) -> None:
		_check_unit_range(self.score, "sentiment score")
		if self.label not in SENTIMENT_LABELS:
			raise InvalidTriageInput(f"sentiment label must be one of {SENTIMENT_LABELS}, got {self.label!r}")
		# Accept lists from the shell but keep the value immutable.
		object.__setattr__(self, "keywords", tuple(self.keywords))
		object.__setattr__(self, "urgency_terms", tuple(self.urgency_terms))
		object.__setattr__(self, "intent_terms", tuple(self.intent_terms))
		object.__setattr__(self, "news_terms", tuple(self.news_terms))


@dataclass(frozen=True, slots=True)
class TriageSettings:
	"""The part of Social CRM Settings triage reads. Defaults are the shipped defaults."""

	mode: TicketMode = TicketMode.AUTOMATIC
	negative_threshold: float = -0.3
	high_reach_followers: int = 10_000
	# Off if checkmarks can be bought on the sites monitored (X): then they say little about reach.
	verified_is_high_reach: bool = True
	thread_window: timedelta = DEFAULT_THREAD_WINDOW

	def __post_init__(self) -> None:
		object.__setattr__(self, "mode", TicketMode(self.mode))
		_check_unit_range(self.negative_threshold, "negative threshold")
		if self.high_reach_followers < 0:
			raise InvalidTriageInput("high reach followers cannot be negative")
		if self.thread_window < timedelta(0):
			raise InvalidTriageInput("thread window cannot be negative")


@dataclass(frozen=True, slots=True)
class OpenTicket:
	"""An open Social Ticket as threading needs it.

	`last_activity_at` is the last time either side wrote on it (mention appended or agent reply).
	"""

	name: str
	platform: Platform
	mention_external_ids: frozenset[str]
	conversation_ids: frozenset[str]
	author_handle: str
	opened_at: datetime
	last_activity_at: datetime

	def __post_init__(self) -> None:
		object.__setattr__(self, "platform", Platform(self.platform))
		object.__setattr__(self, "mention_external_ids", frozenset(self.mention_external_ids))
		object.__setattr__(self, "conversation_ids", frozenset(self.conversation_ids))
		if self.opened_at.tzinfo is None or self.last_activity_at.tzinfo is None:
			raise InvalidTriageInput(f"ticket {self.name}: timestamps must be timezone-aware")


class ThreadLink(int, Enum):
	"""How a mention belongs to an open ticket; lower values are stronger links."""

	SAME_POST = 0
	REPLY = 1
	CONVERSATION = 2
	SAME_AUTHOR = 3


@dataclass(frozen=True, slots=True)
class ThreadMatch:
	ticket: OpenTicket
	link: ThreadLink


def normalise_handle(handle: str) -> str:
	"""Handles differ only in case and a leading "@" between API payloads and what users type."""
	return handle.strip().lstrip("@").casefold()


def match_open_ticket(
	mention: Mention, author_handle: str, open_tickets: Iterable[OpenTicket], now: datetime, window: timedelta
) -> ThreadMatch | None:
	"""The open ticket the mention belongs to and how, or None (see rule 1 in the module doc).

	Ties: strongest link, then the most recently active ticket, then the name, so the answer
	never depends on the order the shell lists tickets in. The mention's time is clamped to
	`now`, so a post stamped in the future by a skewed clock cannot stretch the author window.
	"""
	handle = normalise_handle(author_handle)
	written_at = min(mention.posted_at, now)
	candidates: list[ThreadMatch] = []
	for ticket in open_tickets:
		if ticket.platform is not mention.platform:
			continue
		link = _link(mention, handle, written_at, ticket, window)
		if link is not None:
			candidates.append(ThreadMatch(ticket, link))
	if not candidates:
		return None
	candidates.sort(key=lambda m: (m.link, -m.ticket.last_activity_at.timestamp(), m.ticket.name))
	return candidates[0]


def thread_keys(mention: Mention) -> frozenset[str]:
	"""Keys two mentions share whenever threading could put them on one ticket.

	A post and a reply to it share the post's id, a conversation its id, and an author's posts
	the normalised handle: so a shell storing mentions in parallel (several workers) can lock
	these keys while it decides "append or open", and two mentions of one thread are never
	decided at the same time without seeing each other's ticket. Keys are plain strings,
	platform first, since ids are unique per platform only.
	"""
	platform = mention.platform.value
	keys = {f"{platform} post {mention.external_id}"}
	if mention.in_reply_to:
		keys.add(f"{platform} post {mention.in_reply_to}")
	if mention.conversation_id:
		keys.add(f"{platform} conversation {mention.conversation_id}")
	handle = normalise_handle(mention.author.handle)
	if handle:
		keys.add(f"{platform} author {handle}")
	return frozenset(keys)


def find_open_ticket(
	mention: Mention,
	author_handle: str,
	open_tickets: Iterable[OpenTicket],
	now: datetime,
	window: timedelta = DEFAULT_THREAD_WINDOW,
) -> OpenTicket | None:
	"""The open ticket a mention should be appended to, if any; `match_open_ticket` says why."""
	match = match_open_ticket(mention, author_handle, open_tickets, now, window)
	return match.ticket if match else None


def effective_threshold(keywords: Sequence[MatchedKeyword], default: float) -> tuple[float, str | None]:
	"""The threshold that applies and the keyword it came from (None: the Settings default).

	The most sensitive (highest) wins, a keyword without override counting as the default,
	because a mention that one keyword's owner wants to hear about should not be silenced by
	another keyword matching the same post.
	"""
	if not keywords:
		return default, None
	candidates = [
		(
			default if k.ticket_threshold is None else k.ticket_threshold,
			k.ticket_threshold is not None,
			k.name,
		)
		for k in keywords
	]
	# Highest threshold first; on a tie the Settings default before an equal override, then by name.
	threshold, overridden, name = min(candidates, key=lambda c: (-c[0], c[1], c[2]))
	return threshold, name if overridden else None


def triage(
	mention: Mention,
	signals: Signals,
	*,
	now: datetime,
	settings: TriageSettings | None = None,
	open_tickets: Iterable[OpenTicket] = (),
) -> Decision:
	"""Decide what happens to one analysed mention; pure and deterministic for its inputs."""
	settings = settings or TriageSettings()
	assessment = _assess(mention, signals, settings)

	match = match_open_ticket(mention, mention.author.handle, open_tickets, now, settings.thread_window)
	if match is not None:
		return Decision(
			action=Action.APPEND_TO_TICKET,
			priority=assessment.priority,
			reasons=(_thread_reason(mention, match, settings), *assessment.reasons),
			ticket=match.ticket.name,
			opportunity=assessment.opportunity,
		)

	if signals.incident and signals.news_terms and not signals.customer and assessment.level is not _Level.NOTHING:
		terms = ", ".join(_distinct(signals.news_terms))
		return Decision(
			action=Action.IGNORE,
			priority=assessment.priority,
			reasons=(Reason(R_JOINS_INCIDENT, {"terms": terms, "incident": signals.incident}), *assessment.reasons),
			opportunity=assessment.opportunity,
		)

	action = Action.IGNORE
	reasons = list(assessment.reasons)
	if assessment.level is _Level.TICKET:
		if settings.mode is TicketMode.AUTOMATIC:
			action = Action.CREATE_TICKET
		elif settings.mode is TicketMode.SUGGEST_ONLY:
			action = Action.SUGGEST
			reasons.append(Reason(R_MODE_SUGGEST_ONLY))
	elif assessment.level is _Level.SUGGESTION and settings.mode is not TicketMode.OFF:
		action = Action.SUGGEST
	if settings.mode is TicketMode.OFF and assessment.level is not _Level.NOTHING:
		reasons.append(Reason(R_MODE_OFF))
	return Decision(
		action=action,
		priority=assessment.priority,
		reasons=tuple(reasons),
		opportunity=assessment.opportunity,
	)


class _Level(Enum):
	NOTHING = 0
	SUGGESTION = 1
	TICKET = 2


@dataclass(frozen=True, slots=True)
class _Assessment:
	"""The mention judged on its own, before threading and mode."""

	level: _Level
	priority: Priority
	reasons: tuple[Reason, ...]
	opportunity: bool


def _assess(mention: Mention, signals: Signals, settings: TriageSettings) -> _Assessment:
	threshold, threshold_keyword = effective_threshold(signals.keywords, settings.negative_threshold)
	score = signals.score
	negative = score <= threshold
	urgent_terms = _distinct(signals.urgency_terms)
	intent_terms = _distinct(signals.intent_terms)
	reach_reasons = _reach_reasons(mention, settings)
	customer_reasons = [Reason(R_KNOWN_CUSTOMER, {"customer": signals.customer})] if signals.customer else []
	sentiment_params = {"score": score, "threshold": threshold}
	reasons: list[Reason] = []

	if negative:
		level = _Level.TICKET
		reasons.append(Reason(R_NEGATIVE, sentiment_params))
		if threshold_keyword is not None:
			reasons.append(
				Reason(R_KEYWORD_THRESHOLD, {"threshold": threshold, "keyword": threshold_keyword})
			)
		if urgent_terms:
			reasons.append(Reason(R_URGENT_TERMS, {"terms": ", ".join(urgent_terms)}))
		reasons += customer_reasons + reach_reasons
		amplified = bool(urgent_terms or customer_reasons or reach_reasons)
		priority = Priority.HIGH if amplified else Priority.MEDIUM
	elif urgent_terms and signals.label != "positive":
		level = _Level.SUGGESTION
		reasons.append(Reason(R_URGENT_LOWERS_BAR, {"terms": ", ".join(urgent_terms)}))
		reasons.append(Reason(R_NOT_NEGATIVE, sentiment_params))
		reasons += customer_reasons + reach_reasons
		priority = Priority.MEDIUM if (customer_reasons or reach_reasons) else Priority.LOW
	else:
		level = _Level.NOTHING
		priority = Priority.LOW
		reasons.append(Reason(R_NOT_NEGATIVE, sentiment_params))
		if urgent_terms:
			reasons.append(Reason(R_URGENT_BUT_POSITIVE, {"terms": ", ".join(urgent_terms)}))

	opportunity = bool(intent_terms) and not negative
	if opportunity:
		reasons.append(Reason(R_OPPORTUNITY, {"terms": ", ".join(intent_terms)}))
	return _Assessment(level, priority, tuple(reasons), opportunity)


def keeps_ticket_after_correction(
	decision: Decision, *, opened_by_mention: bool, thread_size: int, replied: bool
) -> bool:
	"""Whether the ticket a corrected mention is on stays open (rule 7 in the module doc).

	`decision` is the new triage of the mention, made without its own ticket among the open
	ones; `thread_size` counts the ticket's mentions; `replied` says a reply was sent on it.
	"""
	if decision.action in (Action.CREATE_TICKET, Action.APPEND_TO_TICKET):
		return True
	return not opened_by_mention or thread_size > 1 or replied


def _reach_reasons(mention: Mention, settings: TriageSettings) -> list[Reason]:
	author = mention.author
	reasons = []
	if author.followers is not None and author.followers >= settings.high_reach_followers:
		reasons.append(
			Reason(R_HIGH_REACH, {"followers": author.followers, "minimum": settings.high_reach_followers})
		)
	if author.verified and settings.verified_is_high_reach:
		reasons.append(Reason(R_VERIFIED))
	return reasons


def _link(
	mention: Mention, handle: str, written_at: datetime, ticket: OpenTicket, window: timedelta
) -> ThreadLink | None:
	if mention.external_id in ticket.mention_external_ids:
		return ThreadLink.SAME_POST
	if mention.in_reply_to and mention.in_reply_to in ticket.mention_external_ids:
		return ThreadLink.REPLY
	if mention.conversation_id and mention.conversation_id in ticket.conversation_ids:
		return ThreadLink.CONVERSATION
	if (
		handle
		and handle == normalise_handle(ticket.author_handle)
		and ticket.opened_at - window <= written_at <= ticket.last_activity_at + window
	):
		return ThreadLink.SAME_AUTHOR
	return None


def _thread_reason(mention: Mention, match: ThreadMatch, settings: TriageSettings) -> Reason:
	name = match.ticket.name
	if match.link is ThreadLink.SAME_POST:
		return Reason(R_ALREADY_ON_TICKET, {"ticket": name})
	if match.link is ThreadLink.REPLY:
		return Reason(R_REPLY_TO_TICKET, {"external_id": mention.in_reply_to, "ticket": name})
	if match.link is ThreadLink.CONVERSATION:
		return Reason(R_SAME_CONVERSATION, {"conversation_id": mention.conversation_id, "ticket": name})
	hours = settings.thread_window.total_seconds() / 3600
	return Reason(
		R_SAME_AUTHOR,
		{"handle": normalise_handle(mention.author.handle), "hours": f"{hours:g}", "ticket": name},
	)


def _distinct(terms: Iterable[str]) -> list[str]:
	"""Terms once each, first spelling kept: the matcher may report "Refund" and "refund"."""
	seen: set[str] = set()
	result = []
	for term in terms:
		key = term.strip().casefold()
		if key and key not in seen:
			seen.add(key)
			result.append(term.strip())
	return result


def _check_unit_range(value: float, what: str) -> None:
	if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
		raise InvalidTriageInput(f"{what} must be a number, got {value!r}")
	if not -1.0 <= value <= 1.0:
		raise InvalidTriageInput(f"{what} must be between -1 and 1, got {value}")
