"""What follows from an agent's corrections, decided where the first decision was made.

- A reclassified sentiment triages the mention again (engine/triage.py, rule 7): the reason
  shown says what the sentiment now is, and the ticket is opened, kept or closed as triage
  now says.
- A Customer set on a Social Profile (in its form or through "Link to Customer") reaches
  every mention of that author and their open Social Tickets (and those tickets' Issues that
  have no customer yet), so the Customer's Connections show the whole history.
"""

import frappe
from frappe.utils import get_fullname, now_datetime

from social_crm import reasons, tickets
from social_crm.engine.triage import Reason, keeps_ticket_after_correction
from social_crm.stored_mention import engine_mention, to_utc

# --- reclassified sentiment -------------------------------------------------------------------


def retriage(mention_doc, pipeline=None) -> str | None:
	"""Triage an (already corrected and saved) mention again; returns its open ticket, if any."""
	from social_crm.ingest import build_pipeline, corrected

	pipeline = pipeline or build_pipeline()
	mention = engine_mention(mention_doc)
	own_handle = (
		frappe.db.get_value("Social Account", mention_doc.social_account, "own_handle") or ""
		if mention_doc.social_account
		else ""
	)
	analysis = corrected(pipeline.analyse(mention, own_handle), mention_doc)
	ticket_name = mention_doc.social_ticket or tickets.ticket_of_mention(mention_doc.name)
	open_tickets = [t for t in tickets.open_tickets_for(mention_doc) if t.name != ticket_name]
	decision = pipeline.decide(
		mention,
		analysis,
		now=to_utc(now_datetime()),
		customer=mention_doc.customer,
		open_tickets=open_tickets,
	)
	correction = Reason(
		tickets.R_RECLASSIFIED,
		{"user": get_fullname(frappe.session.user), "label": mention_doc.sentiment_label or ""},
	)
	ticket = frappe.get_doc("Social Ticket", ticket_name) if ticket_name else None
	if ticket is None or ticket.status not in tickets.OPEN_STATUSES:
		if mention_doc.status in ("Ticketed", "Replied") and ticket is not None:
			# a closed ticket's mention: only the reason changes, the history stays as it was
			mention_doc.triage_action = str(decision.action)
			reasons.set_reasons(mention_doc, (correction, *decision.reasons))
			mention_doc.save(ignore_permissions=True)
			return None
		if mention_doc.status == "Ticketed":
			mention_doc.status = "New"
		mention_doc.social_ticket = None
		tickets.apply_decision(mention_doc, decision)
		reasons.set_reasons(mention_doc, (correction, *decision.reasons))
		mention_doc.save(ignore_permissions=True)
		return mention_doc.social_ticket

	opened_here = ticket.social_mention == mention_doc.name
	keep = keeps_ticket_after_correction(
		decision,
		opened_by_mention=opened_here,
		thread_size=len(ticket.mentions),
		replied=ticket.reply_status == "Sent" or bool(ticket.replied_at),
	)
	mention_doc.triage_action = str(decision.action)
	mention_doc.triage_priority = tickets.existing_priority(str(decision.priority))
	mention_doc.opportunity = 1 if decision.opportunity else 0
	reasons.set_reasons(mention_doc, (correction, *decision.reasons))
	if keep:
		if opened_here:
			reasons.set_reasons(ticket, (correction, *decision.reasons))
			ticket.save(ignore_permissions=True)
		mention_doc.save(ignore_permissions=True)
		return ticket.name
	closing = Reason(tickets.R_CLOSED_AFTER_CORRECTION)
	reasons.set_reasons(ticket, (correction, closing, *decision.reasons))
	ticket.status = "Closed"
	ticket.save(ignore_permissions=True)
	mention_doc.status = "Reviewed"
	mention_doc.save(ignore_permissions=True)
	return None


# --- a profile's customer ---------------------------------------------------------------------


def propagate_customer(profile_doc) -> None:
	"""Social Profile.on_update: a changed Customer reaches the author's mentions and open tickets.

	Mentions that still carry the profile's previous customer (or none) follow it; a mention an
	agent linked to another customer on its own is left as it is.
	"""
	if not profile_doc.has_value_changed("customer"):
		return
	before = profile_doc.get_doc_before_save()
	previous = before.customer if before else None
	customer = profile_doc.customer or None
	mention = frappe.qb.DocType("Social Mention")
	follows = mention.customer.isnull() | (mention.customer == "")
	if previous:
		follows = follows | (mention.customer == previous)
	(
		frappe.qb.update(mention)
		.set(mention.customer, customer)
		.set(mention.modified, now_datetime())
		.where((mention.social_profile == profile_doc.name) & follows)
	).run()
	for name in frappe.get_all(
		"Social Ticket",
		{"social_profile": profile_doc.name, "status": ("in", tickets.OPEN_STATUSES)},
		pluck="name",
	):
		ticket = frappe.get_doc("Social Ticket", name)
		if ticket.customer not in (None, "", previous):
			continue
		ticket.customer = customer
		ticket.save(ignore_permissions=True)
		if customer and ticket.issue and not frappe.db.get_value("Issue", ticket.issue, "customer"):
			issue = frappe.get_doc("Issue", ticket.issue)
			issue.customer = customer
			issue.save(ignore_permissions=True)
