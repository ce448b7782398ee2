"""`social-crm demo`: the production pipeline against local stand-ins of the platforms.

Every connector fetches from a local server seeded with the bundled sample posts (English
and German; praise, questions, complaints, a thread), and every post goes through the same
`Pipeline` the ERPNext ingest job uses. Only storage is replaced: profiles and tickets live
in memory here, so what is printed is what the desk would show after one poll.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TextIO

from social_crm.engine.connectors.base import ConnectorError, get_connector
from social_crm.engine.keywords import KeywordSpec
from social_crm.engine.matching import profile_key
from social_crm.engine.mention import Mention
from social_crm.engine.pipeline import Analysis, Pipeline
from social_crm.engine.platform_fakes.demo import running_demo_platforms
from social_crm.engine.triage import Action, Decision, OpenTicket

DEMO_KEYWORDS = (
	KeywordSpec("Acme", "acme OR #acmecloud"),
	KeywordSpec("Acme Abrechnung", 'acme AND (rechnung* OR abgebucht OR billing OR pricing OR "price change")'),
	KeywordSpec("Acme Ausfall", "acme AND (down OR outage OR störung* OR ausfall* OR timing*)", ticket_threshold=-0.1),
)
# Profiles an agent already linked to customers, by normalised (platform, handle).
DEMO_CUSTOMERS = {
	("Mastodon", "lena_k@social.example"): "Krüger Logistik GmbH",
	("Bluesky", "lenak.bsky.social"): "Krüger Logistik GmbH",
	("Reddit", "lena_k"): "Krüger Logistik GmbH",
	("X", "maxmuster"): "Muster Event AG",
}


@dataclass
class TicketBook:
	"""The open tickets of the demo, as the shell keeps them in Social Ticket documents."""

	tickets: dict[str, OpenTicket] = field(default_factory=dict)

	def open(self, mention: Mention) -> str:
		name = f"SOC-TKT-{len(self.tickets) + 1:05d}"
		self.tickets[name] = OpenTicket(
			name=name,
			platform=mention.platform,
			mention_external_ids={mention.external_id},
			conversation_ids={mention.conversation_id} if mention.conversation_id else set(),
			author_handle=mention.author.handle,
			opened_at=mention.posted_at,
			last_activity_at=mention.posted_at,
		)
		return name

	def append(self, name: str, mention: Mention) -> None:
		ticket = self.tickets[name]
		self.tickets[name] = replace(
			ticket,
			mention_external_ids=ticket.mention_external_ids | {mention.external_id},
			conversation_ids=ticket.conversation_ids | ({mention.conversation_id} if mention.conversation_id else set()),
			last_activity_at=max(ticket.last_activity_at, mention.posted_at),
		)


@dataclass(frozen=True)
class DemoRow:
	mention: Mention
	analysis: Analysis
	customer: str | None
	decision: Decision
	ticket: str | None


def run(out: TextIO = sys.stdout) -> list[DemoRow]:
	"""Fetch every demo platform once and print what happens to each post."""
	pipeline = Pipeline(list(DEMO_KEYWORDS))
	rows: list[DemoRow] = []
	book = TicketBook()
	with running_demo_platforms() as demo:
		fetched: list[tuple[Mention, str, bool]] = []
		for account in demo.accounts:
			connector = get_connector(account)
			try:
				result = connector.fetch(pipeline.search_terms(account.platform), {})
			except ConnectorError as error:
				print(f"{account.label}: fetch failed: {error}", file=out)
				continue
			fetched += [(mention, account.own_handle, connector.supports_search) for mention in result.mentions]
		fetched.sort(key=lambda item: item[0].posted_at)
		now = (fetched[-1][0].posted_at if fetched else datetime.now().astimezone()) + timedelta(minutes=1)
		dropped = 0
		for mention, own_handle, searched in fetched:
			analysis = pipeline.analyse(mention, own_handle)
			if not pipeline.keeps(mention, analysis, searched=searched):
				dropped += 1
				continue
			customer = DEMO_CUSTOMERS.get(profile_key(mention.platform, mention.author.handle))
			decision = pipeline.decide(
				mention, analysis, now=now, customer=customer, open_tickets=book.tickets.values()
			)
			ticket = None
			if decision.action is Action.CREATE_TICKET:
				ticket = book.open(mention)
			elif decision.action is Action.APPEND_TO_TICKET:
				ticket = decision.ticket
				book.append(ticket, mention)
			rows.append(DemoRow(mention, analysis, customer, decision, ticket))
	print_rows(rows, dropped, out)
	return rows


def print_rows(rows: list[DemoRow], dropped: int, out: TextIO) -> None:
	for row in rows:
		mention, analysis, decision = row.mention, row.analysis, row.decision
		sentiment = analysis.sentiment
		text = " ".join(mention.text.split())
		outcome = decision.action.value + (f" {row.ticket}" if row.ticket else "")
		if decision.action is not Action.IGNORE:
			outcome += f" ({decision.priority.value})"
		if decision.opportunity:
			outcome += ", sales opportunity"
		print(f"{mention.platform.value} @{mention.author.handle}" + (f" [{row.customer}]" if row.customer else ""), file=out)
		print(f"  {text[:110]}{'…' if len(text) > 110 else ''}", file=out)
		print(
			f"  {sentiment.language} {sentiment.label} {sentiment.score:+.2f}"
			f" | keywords: {', '.join(analysis.keyword_names) or '-'}"
			f" | {outcome}",
			file=out,
		)
		print(f"  why: {decision.reason_text() or '-'}", file=out)
	counts = Counter(row.decision.action for row in rows)
	print(
		f"\n{len(rows)} mentions kept, {dropped} fetched posts matched no keyword;"
		f" {counts[Action.CREATE_TICKET]} tickets opened, {counts[Action.APPEND_TO_TICKET]} appended,"
		f" {counts[Action.SUGGEST]} suggested, {counts[Action.IGNORE]} no action;"
		f" {sum(row.decision.opportunity for row in rows)} sales opportunities",
		file=out,
	)
