"""Social Tickets: what the shell does with triage decisions, Issue status sync and replies.

The engine's triage decides (social_crm/engine/triage.py); this module only carries the
decision out, in one place for every caller:

- `open_tickets_for(mention)` lists the open tickets triage may thread a mention into, read
  from the database, so a ticket created for one mention of a fetch is found for the next one
  of the same transaction;
- `apply_decision(mention, decision)` stores the decision on the mention and opens a Social
  Ticket with its ERPNext Issue, appends to a ticket, or leaves the mention for an agent;
- `on_issue_update` / `on_ticket_update` keep the ticket's and the Issue's status in step;
- `retriage(mention)` decides again after an agent corrected the sentiment.

Replies (approval, sending, the record on the Issue) are in social_crm/replies.py.

Text from the platforms is untrusted: it is escaped before it becomes Issue or Communication
HTML, and links are only made of http(s) URLs. What is written into Issues and
Communications, and the triage reason text, is in the site's language (social_crm/reasons.py).
"""

import frappe
from frappe import _
from frappe.utils import escape_html

from social_crm import reasons
from social_crm.engine.mention import Platform
from social_crm.engine.triage import Action, Decision, OpenTicket, normalise_handle
from social_crm.engine.untrusted import clean_url
from social_crm.escaping import DATA_LENGTH, escape_once, refit
from social_crm.reasons import in_site_language
from social_crm.stored_mention import stored_text, to_utc

OPEN_STATUSES = ("Open", "Replied")
SUBJECT_LENGTH = 140
# Issue Priorities the shell can compare; a site's own priorities are never raised or lowered.
PRIORITY_RANK = {"Low": 0, "Medium": 1, "High": 2, "Urgent": 3}
# Social Ticket status -> Issue status and back. "On Hold" exists on Issue only: it leaves the ticket as it is.
ISSUE_STATUS_FOR_TICKET = {"Open": "Open", "Replied": "Replied", "Resolved": "Resolved", "Closed": "Closed"}
TICKET_STATUS_FOR_ISSUE = {"Open": "Open", "Replied": "Replied", "Resolved": "Resolved", "Closed": "Closed"}

# Reasons the shell gives itself (the engine's are in triage.REASON_TEMPLATES); in de.csv too.
R_AGENT_CREATED = "{user} opened a ticket for this mention"
R_RECLASSIFIED = "{user} corrected the sentiment to {label}"
R_CLOSED_AFTER_CORRECTION = "Closed: after the corrected sentiment triage no longer asks for a ticket"
REASON_TEMPLATES = (R_AGENT_CREATED, R_RECLASSIFIED, R_CLOSED_AFTER_CORRECTION)


# --- threading --------------------------------------------------------------------------------


def open_tickets_for(mention_doc) -> list[OpenTicket]:
	"""Open or Replied Social Tickets on the mention's platform that could thread it.

	Candidates share a post or conversation with the mention (its id, the post it replies to,
	its conversation id) or were opened by the same author; triage then decides which link
	holds. Read from the database, so tickets created earlier in this transaction count.
	"""
	refs = [
		ref for ref in (mention_doc.external_id, mention_doc.in_reply_to, mention_doc.conversation_id) if ref
	]
	handle = normalise_handle(mention_doc.author_handle or "")
	if not refs and not handle:
		return []
	conditions, values = [], {"platform": mention_doc.platform, "statuses": OPEN_STATUSES}
	if refs:
		values["refs"] = tuple(refs)
		conditions.append(
			"(m.platform = %(platform)s and m.external_id in %(refs)s) or m.conversation_id in %(refs)s"
		)
	if handle:
		# the collation compares case-insensitively; triage compares the normalised handles exactly
		values["handles"] = (handle, f"@{handle}")
		conditions.append("opening.author_handle in %(handles)s")
	names = frappe.db.sql(
		f"""
		select distinct t.name
		from `tabSocial Ticket` t
		join `tabSocial Ticket Mention` row on row.parent = t.name and row.parenttype = 'Social Ticket'
		join `tabSocial Mention` m on m.name = row.social_mention
		left join `tabSocial Mention` opening on opening.name = t.social_mention
		where t.platform = %(platform)s and t.status in %(statuses)s and ({" or ".join(conditions)})
		""",
		values,
		pluck=True,
	)
	return [open_ticket(name) for name in sorted(names)]


def open_ticket(name: str) -> OpenTicket:
	"""One Social Ticket as the engine's threading sees it."""
	ticket = frappe.db.get_value(
		"Social Ticket", name, ["name", "platform", "creation", "replied_at", "social_mention"], as_dict=True
	)
	thread = frappe.db.sql(
		"""
		select m.external_id, m.conversation_id, m.posted_at
		from `tabSocial Ticket Mention` row join `tabSocial Mention` m on m.name = row.social_mention
		where row.parent = %s and row.parenttype = 'Social Ticket'
		""",
		name,
		as_dict=True,
	)
	opened_at = to_utc(ticket.creation)
	activity = [to_utc(row.posted_at) for row in thread if row.posted_at]
	if ticket.replied_at:
		activity.append(to_utc(ticket.replied_at))
	return OpenTicket(
		name=ticket.name,
		platform=Platform(ticket.platform),
		mention_external_ids=frozenset(row.external_id for row in thread),
		conversation_ids=frozenset(row.conversation_id for row in thread if row.conversation_id),
		author_handle=frappe.db.get_value("Social Mention", ticket.social_mention, "author_handle") or "",
		opened_at=opened_at,
		last_activity_at=max(activity) if activity else opened_at,
	)


# --- decisions --------------------------------------------------------------------------------


def apply_decision(mention_doc, decision: Decision) -> str | None:
	"""Carry out triage's decision for a stored mention; returns the Social Ticket it is on.

	Idempotent: a mention already on a ticket is never given a second one, and appending it
	again adds no second row.
	"""
	mention_doc.triage_action = str(decision.action)
	mention_doc.triage_priority = existing_priority(str(decision.priority))
	reasons.set_reasons(mention_doc, decision.reasons)
	mention_doc.opportunity = 1 if decision.opportunity else 0
	ticket = None
	if decision.action is Action.CREATE_TICKET:
		ticket = mention_doc.social_ticket or ticket_of_mention(mention_doc.name)
		if not ticket:
			ticket = create_ticket(mention_doc, decision)
	elif decision.action is Action.APPEND_TO_TICKET:
		if decision.ticket and frappe.db.exists("Social Ticket", decision.ticket):
			ticket = append_to_ticket(decision.ticket, mention_doc, decision)
		else:
			ticket = mention_doc.social_ticket or create_ticket(mention_doc, decision)
	if ticket:
		mention_doc.social_ticket = ticket
		if mention_doc.status in ("New", "Reviewed", "Ignored"):
			mention_doc.status = "Ticketed"
	mention_doc.save(ignore_permissions=True)
	return ticket


def ticket_of_mention(mention: str) -> str | None:
	return frappe.db.get_value(
		"Social Ticket Mention", {"social_mention": mention, "parenttype": "Social Ticket"}, "parent"
	)


def create_ticket(mention_doc, decision: Decision) -> str:
	"""A Social Ticket for the mention and its ERPNext Issue, inserted so ERPNext's SLA,
	assignment rules and notifications apply as for any Issue."""
	profile = profile_links(mention_doc)
	customer = mention_doc.customer or profile.get("customer")
	priority = existing_priority(str(decision.priority)) or settings().default_priority
	ticket = frappe.get_doc(
		{
			"doctype": "Social Ticket",
			"subject": ticket_subject(mention_doc),
			"status": "Open",
			"priority": priority,
			"customer": customer,
			"social_profile": mention_doc.social_profile,
			"author_email": mention_doc.author_email,
			"platform": mention_doc.platform,
			"social_account": mention_doc.social_account,
			"social_mention": mention_doc.name,
			"mentions": [{"social_mention": mention_doc.name}],
		}
	)
	reasons.set_reasons(ticket, decision.reasons)
	ticket.insert(ignore_permissions=True)
	issue = create_issue(ticket, mention_doc, profile)
	ticket.db_set("issue", issue, update_modified=False)
	return ticket.name


def create_issue(ticket, mention_doc, profile: dict) -> str:
	config = settings()
	contact = profile.get("contact")
	with in_site_language():
		description = post_html(mention_doc)
	issue = frappe.get_doc(
		{
			"doctype": "Issue",
			"subject": ticket.subject,
			"description": description,
			"customer": ticket.customer,
			"contact": contact,
			"raised_by": frappe.db.get_value("Contact", contact, "email_id") if contact else None,
			"issue_type": config.default_issue_type,
			"priority": ticket.priority or config.default_priority,
			"social_ticket": ticket.name,
		}
	)
	issue.insert(ignore_permissions=True)
	return issue.name


def append_to_ticket(ticket_name: str, mention_doc, decision: Decision) -> str:
	"""Adds the mention to the ticket's thread and the Issue's timeline; raises, never lowers,
	the priority; a customer writing again after our reply makes the ticket Open again."""
	ticket = frappe.get_doc("Social Ticket", ticket_name, for_update=True)
	if any(row.social_mention == mention_doc.name for row in ticket.mentions):
		return ticket.name
	ticket.append("mentions", {"social_mention": mention_doc.name})
	priority = existing_priority(str(decision.priority))
	if is_higher(priority, ticket.priority):
		ticket.priority = priority
	if ticket.status == "Replied":
		ticket.status = "Open"
	ticket.save(ignore_permissions=True)
	if ticket.issue:
		if is_higher(priority, frappe.db.get_value("Issue", ticket.issue, "priority")):
			issue = frappe.get_doc("Issue", ticket.issue)
			issue.priority = priority
			issue.save(ignore_permissions=True)
		add_communication(ticket.issue, mention_doc)
	return ticket.name


def add_communication(issue: str, mention_doc) -> None:
	"""The new post on the Issue's timeline, as a message received from the author."""
	with in_site_language():
		content = post_html(mention_doc)
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Other",
			"sent_or_received": "Received",
			"subject": frappe.db.get_value("Issue", issue, "subject"),
			"content": content,
			"sender_full_name": refit(mention_doc.author_name or mention_doc.author_handle, DATA_LENGTH),
			"reference_doctype": "Issue",
			"reference_name": issue,
		}
	)
	communication.flags.skip_add_signature = True
	communication.insert(ignore_permissions=True)


# --- pieces -----------------------------------------------------------------------------------


def settings():
	return frappe.get_cached_doc("Social CRM Settings")


def existing_priority(priority: str | None) -> str | None:
	return priority if priority and frappe.db.exists("Issue Priority", priority) else None


def is_higher(priority: str | None, current: str | None) -> bool:
	"""Whether `priority` is above `current`; priorities the app does not know are left alone."""
	if not priority or priority not in PRIORITY_RANK:
		return False
	if not current:
		return True
	return current in PRIORITY_RANK and PRIORITY_RANK[priority] > PRIORITY_RANK[current]


def ticket_subject(mention_doc) -> str:
	"""The post's first words on one line, escaped once, at most SUBJECT_LENGTH characters
	(the Issue and its notifications show the subject as HTML)."""
	text = " ".join(stored_text(mention_doc.text).split())
	if not text:
		with in_site_language():
			text = _("Mention by {0} on {1}").format(
				stored_text(mention_doc.author_handle) or "?", _(mention_doc.platform)
			)
	if len(text) > SUBJECT_LENGTH:
		text = text[: SUBJECT_LENGTH - 1].rsplit(" ", 1)[0].rstrip() + "…"
	return escape_once(text, SUBJECT_LENGTH)


def profile_links(mention_doc) -> dict:
	if not mention_doc.social_profile:
		return {}
	return (
		frappe.db.get_value(
			"Social Profile", mention_doc.social_profile, ["customer", "contact"], as_dict=True
		)
		or {}
	)


def safe_url(url: str | None) -> str:
	"""The URL if it is a safe http(s) URL (engine/untrusted.py), else nothing: neither a
	javascript: link nor one with a quote that breaks out of the attribute is ever made."""
	return clean_url(url)


def post_html(mention_doc) -> str:
	"""The post for Issue descriptions and Communications: escaped text, link, author, sentiment."""
	text = escape_html(stored_text(mention_doc.text)).replace("\n", "<br>")
	author = mention_doc.author_name or ""  # stored escaped
	handle = mention_doc.author_handle or ""
	lines = [f"<p>{text}</p>"]
	details = [
		_("Author: {0}").format(f"{author} (@{handle})" if author else f"@{handle}"),
		_("Platform: {0}").format(escape_html(_(mention_doc.platform))),
	]
	if mention_doc.sentiment_label:
		score = mention_doc.sentiment_score or 0
		details.append(_("Sentiment: {0} ({1})").format(_(mention_doc.sentiment_label), f"{score:+.2f}"))
	url = safe_url(mention_doc.url)
	if url:
		details.append(
			f'<a href="{escape_html(url)}" target="_blank" rel="noopener noreferrer">{_("Open Post")}</a>'
		)
	lines.append("<p>" + "<br>".join(details) + "</p>")
	return "\n".join(lines)


# --- status sync ------------------------------------------------------------------------------


def on_issue_update(issue, method=None):
	"""doc_events Issue.on_update: closing, resolving or reopening the Issue does the same to its ticket."""
	if not issue.get("social_ticket") or issue.flags.from_social_ticket:
		return
	status = TICKET_STATUS_FOR_ISSUE.get(issue.status)
	if not status or not frappe.db.exists("Social Ticket", issue.social_ticket):
		return
	ticket = frappe.get_doc("Social Ticket", issue.social_ticket)
	if ticket.status == status:
		return
	ticket.status = status
	ticket.flags.from_issue = True
	ticket.save(ignore_permissions=True)


def on_ticket_update(ticket):
	"""Social Ticket.on_update: the ticket's status goes to its Issue (the reverse of on_issue_update)."""
	if not ticket.issue or ticket.flags.from_issue or not ticket.has_value_changed("status"):
		return
	status = ISSUE_STATUS_FOR_TICKET.get(ticket.status)
	current = frappe.db.get_value("Issue", ticket.issue, "status")
	if not status or current is None or current == status:
		return
	issue = frappe.get_doc("Issue", ticket.issue)
	issue.status = status
	issue.flags.from_social_ticket = True
	issue.save(ignore_permissions=True)
