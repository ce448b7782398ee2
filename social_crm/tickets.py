"""Social Tickets: what the shell does with triage decisions, Issue status sync and replies.

The engine's triage decides (social_crm/engine/triage.py); this module only carries the
decision out, in one place for every caller:

- `open_tickets_for(mention)` lists the open tickets triage may thread a stored mention into,
  and `open_tickets_near(...)` those of a whole page of the fetch job (ingest.py), by index
  look-ups only, so their cost follows the page and not the tables;
- `apply_decision(mention, decision)` stores the decision on the mention and opens a Social
  Ticket with its ERPNext Issue, appends to a ticket, or leaves the mention for an agent;
- `on_issue_update` / `on_ticket_update` keep the ticket's and the Issue's status in step;
- `retriage(mention)` decides again after an agent corrected the sentiment.

Replies (approval, sending, the record on the Issue) are in social_crm/replies.py.

Text from the platforms is untrusted: it is escaped before it becomes Issue or Communication
HTML, and links are only made of http(s) URLs. What is written into Issues and
Communications, and the triage reason text, is in the site's language (social_crm/reasons.py).
"""

from dataclasses import replace
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import escape_html, get_datetime

from social_crm import reasons
from social_crm.engine.mention import Platform
from social_crm.engine.triage import DEFAULT_THREAD_WINDOW, Action, Decision, OpenTicket
from social_crm.engine.untrusted import clean_url
from social_crm.escaping import DATA_LENGTH, escape_once, refit
from social_crm.reasons import in_site_language
from social_crm.stored_mention import stored_text, to_system_time, to_utc

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
	"""Open or Replied Social Tickets on the mention's platform that could thread it: those
	sharing a post or conversation with it, and those of its author (Social Profile) active
	within the thread window of the post's time. Triage then decides which link holds."""
	refs = [
		ref for ref in (mention_doc.external_id, mention_doc.in_reply_to, mention_doc.conversation_id) if ref
	]
	posted_at = to_utc(mention_doc.posted_at)
	tickets = open_tickets_near(
		mention_doc.platform,
		refs,
		[mention_doc.social_profile] if mention_doc.social_profile and posted_at else [],
		posted_at,
	)
	return sorted(tickets.values(), key=lambda ticket: ticket.name)


def open_tickets_near(
	platform: str, refs, profiles, since, window: timedelta = DEFAULT_THREAD_WINDOW
) -> dict[str, OpenTicket]:
	"""The open tickets a page of mentions could thread into, by key lookups only.

	`refs` are the page's post ids, reply-to ids and conversation ids (a ticket whose thread
	has one of them); `profiles` the page's authors, whose tickets count when their last
	activity is at most `window` before `since`, the page's oldest post (triage checks the
	exact window). Each lookup walks an index, so the cost follows the page, not the number
	of tickets or mentions stored.
	"""
	refs, profiles = tuple(sorted(set(refs))), tuple(sorted(set(profiles)))
	parts, values = [], {"platform": platform, "statuses": OPEN_STATUSES}
	if refs:
		values["refs"] = refs
		for column in ("external_id", "conversation_id"):
			parts.append(
				f"""select row.parent as name from `tabSocial Mention` m
				join `tabSocial Ticket Mention` row on row.social_mention = m.name and row.parenttype = 'Social Ticket'
				where m.platform = %(platform)s and m.{column} in %(refs)s"""
			)
	if profiles and since:
		values.update(profiles=profiles, since=to_system_time(since - window))
		parts.append(
			"""select t.name from `tabSocial Ticket` t
			where t.social_profile in %(profiles)s and t.last_activity_at >= %(since)s
			and t.status in %(statuses)s"""
		)
	if not parts:
		return {}
	candidates = frappe.db.sql(" union ".join(parts), values, pluck=True)
	if not candidates:
		return {}
	names = frappe.db.sql(
		"""select name from `tabSocial Ticket`
		where name in %(names)s and platform = %(platform)s and status in %(statuses)s""",
		{**values, "names": tuple(candidates)},
		pluck=True,
	)
	return {ticket.name: ticket for ticket in load_open_tickets(names)}


def load_open_tickets(names) -> list[OpenTicket]:
	"""Tickets as the engine's threading sees them, in two queries for all of them. A ticket
	opens at its first post and was last active at its latest post or our reply."""
	if not names:
		return []
	tickets = frappe.db.sql(
		"""
		select t.name, t.platform, t.creation, t.replied_at, opening.author_handle
		from `tabSocial Ticket` t left join `tabSocial Mention` opening on opening.name = t.social_mention
		where t.name in %(names)s
		""",
		{"names": tuple(names)},
		as_dict=True,
	)
	threads = {}
	for row in frappe.db.sql(
		"""
		select row.parent, m.external_id, m.conversation_id, m.posted_at
		from `tabSocial Ticket Mention` row join `tabSocial Mention` m on m.name = row.social_mention
		where row.parent in %(names)s and row.parenttype = 'Social Ticket'
		""",
		{"names": tuple(names)},
		as_dict=True,
	):
		threads.setdefault(row.parent, []).append(row)
	result = []
	for ticket in tickets:
		thread = threads.get(ticket.name, [])
		posted = [to_utc(row.posted_at) for row in thread if row.posted_at]
		opened_at = min(posted) if posted else to_utc(ticket.creation)
		activity = [*posted, opened_at]
		if ticket.replied_at:
			activity.append(to_utc(ticket.replied_at))
		result.append(
			OpenTicket(
				name=ticket.name,
				platform=Platform(ticket.platform),
				mention_external_ids=frozenset(row.external_id for row in thread),
				conversation_ids=frozenset(row.conversation_id for row in thread if row.conversation_id),
				author_handle=ticket.author_handle or "",
				opened_at=opened_at,
				last_activity_at=max(activity),
			)
		)
	return result


def open_ticket(name: str) -> OpenTicket:
	"""One Social Ticket as the engine's threading sees it."""
	return load_open_tickets([name])[0]


def note_activity(ticket) -> None:
	"""Social Ticket.validate: `last_activity_at` (the author lookup's index) follows our reply."""
	if ticket.replied_at and (
		not ticket.last_activity_at or get_datetime(ticket.replied_at) > get_datetime(ticket.last_activity_at)
	):
		ticket.last_activity_at = ticket.replied_at


# --- decisions --------------------------------------------------------------------------------


def apply_decision(mention_doc, decision: Decision) -> str | None:
	"""Carry out triage's decision for a stored mention; returns the Social Ticket it is on.

	Idempotent: a mention already on a ticket is never given a second one, and appending it
	again adds no second row. (The fetch job writes new mentions with their decision in one
	insert instead: see ingest.write_mention.)
	"""
	set_decision(mention_doc, decision)
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
		put_on_ticket(mention_doc, ticket)
	mention_doc.save(ignore_permissions=True)
	return ticket


def set_decision(mention_doc, decision: Decision, ticket_names: dict | None = None) -> None:
	"""The decision's fields on the mention; `ticket_names` renames tickets in the reasons."""
	mention_doc.triage_action = str(decision.action)
	mention_doc.triage_priority = existing_priority(str(decision.priority))
	reasons.set_reasons(mention_doc, renamed_reasons(decision, ticket_names))
	mention_doc.opportunity = 1 if decision.opportunity else 0


def put_on_ticket(mention_doc, ticket: str) -> None:
	mention_doc.social_ticket = ticket
	if mention_doc.status in (None, "", "New", "Reviewed", "Ignored"):
		mention_doc.status = "Ticketed"


def renamed_reasons(decision: Decision, ticket_names: dict | None = None) -> list:
	"""The decision's reasons (template and params, see reasons.py), with `ticket_names`
	mapping a name triage was given for a ticket not yet written to its real one."""
	if not ticket_names:
		return list(decision.reasons)
	return [
		replace(reason, params={**reason.params, "ticket": ticket_names[reason.params["ticket"]]})
		if reason.params.get("ticket") in ticket_names
		else reason
		for reason in decision.reasons
	]


def ticket_of_mention(mention: str) -> str | None:
	return frappe.db.get_value(
		"Social Ticket Mention", {"social_mention": mention, "parenttype": "Social Ticket"}, "parent"
	)


def create_ticket(mention_doc, decision: Decision) -> str:
	"""A Social Ticket for the stored mention and its ERPNext Issue."""
	ticket = new_ticket(mention_doc, decision)
	insert_ticket(ticket, mention_doc)
	return ticket.name


def new_ticket(mention_doc, decision: Decision):
	"""The Social Ticket for a mention, named but not yet inserted, so a new mention can be
	written once with its ticket and the ticket inserted right after it."""
	profile = profile_links(mention_doc)
	ticket = frappe.get_doc(
		{
			"doctype": "Social Ticket",
			"subject": ticket_subject(mention_doc),
			"status": "Open",
			"priority": existing_priority(str(decision.priority)) or settings().default_priority,
			"customer": mention_doc.customer or profile.get("customer"),
			"social_profile": mention_doc.social_profile,
			"author_email": mention_doc.author_email,
			"platform": mention_doc.platform,
			"social_account": mention_doc.social_account,
			"social_mention": mention_doc.name,
			"last_activity_at": mention_doc.posted_at,
			"mentions": [
				{
					"social_mention": mention_doc.name,
					"posted_at": mention_doc.posted_at,
					"author_handle": mention_doc.author_handle,
				}
			],
		}
	)
	reasons.set_reasons(ticket, decision.reasons)
	ticket.set_new_name()
	return ticket


def insert_ticket(ticket, mention_doc) -> None:
	"""Inserts the ticket and its Issue, so ERPNext's SLA, assignment rules and notifications
	apply as for any Issue. The job's own first write of a ticket keeps no Version row."""
	ticket.flags.ignore_version = True
	ticket.insert(ignore_permissions=True)
	issue = create_issue(ticket, mention_doc, profile_links(mention_doc))
	frappe.db.set_value("Social Ticket", ticket.name, "issue", issue, update_modified=False)
	ticket.issue = issue


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
	the priority; a customer writing again after our reply makes the ticket Open again.

	The thread row is inserted on its own rather than by saving the ticket, which would load
	and rewrite every row of a long thread for each new post."""
	ticket = frappe.db.get_value(
		"Social Ticket",
		ticket_name,
		["name", "status", "priority", "issue", "last_activity_at"],
		as_dict=True,
		for_update=True,
	)
	if frappe.db.exists(
		"Social Ticket Mention",
		{"parent": ticket_name, "parenttype": "Social Ticket", "social_mention": mention_doc.name},
	):
		return ticket_name
	idx = frappe.db.sql(
		"select coalesce(max(idx), 0) from `tabSocial Ticket Mention` where parent = %s and parenttype = 'Social Ticket'",
		ticket_name,
	)[0][0]
	row = frappe.get_doc(
		{
			"doctype": "Social Ticket Mention",
			"parent": ticket_name,
			"parenttype": "Social Ticket",
			"parentfield": "mentions",
			"idx": idx + 1,
			"social_mention": mention_doc.name,
			"posted_at": mention_doc.posted_at,
			"author_handle": mention_doc.author_handle,
		}
	)
	row.db_insert()
	activity = [get_datetime(value) for value in (ticket.last_activity_at, mention_doc.posted_at) if value]
	# The job's own fields leave `modified` alone, so an agent's form opened before stays
	# saveable and its save keeps this row (ticket_edits.py); a field agents edit (priority,
	# status) moves it, so Frappe refuses such a form instead of it undoing the job's change.
	values = {"last_activity_at": max(activity) if activity else None}
	priority = existing_priority(str(decision.priority))
	if is_higher(priority, ticket.priority):
		values["priority"] = priority
	if ticket.status == "Replied":
		# the status goes to the Issue through the ticket's on_update
		doc = frappe.get_doc("Social Ticket", ticket_name)
		doc.update(values)
		doc.status = "Open"
		doc.save(ignore_permissions=True)
	else:
		frappe.db.set_value("Social Ticket", ticket_name, values, update_modified="priority" in values)
	if ticket.issue:
		if is_higher(priority, frappe.db.get_value("Issue", ticket.issue, "priority")):
			issue = frappe.get_doc("Issue", ticket.issue)
			issue.priority = priority
			issue.save(ignore_permissions=True)
		add_communication(ticket.issue, mention_doc)
	return ticket_name


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
