"""Social Tickets: what the shell does with triage decisions, Issue status sync and replies.

The engine's triage decides (social_crm/engine/triage.py); this module only carries the
decision out, in one place for every caller:

- `open_tickets_for(mention)` lists the open tickets triage may thread a mention into, read
  from the database, so a ticket created for one mention of a fetch is found for the next one
  of the same transaction;
- `apply_decision(mention, decision)` stores the decision on the mention and opens a Social
  Ticket with its ERPNext Issue, appends to a ticket, or leaves the mention for an agent;
- `on_issue_update` / `on_ticket_update` keep the ticket's and the Issue's status in step;
- `send_reply(ticket)` posts the agent's reply to the platform, at most once per reply text.

Text from the platforms is untrusted: it is escaped before it becomes Issue or Communication
HTML, and links are only made of http(s) URLs.
"""

import uuid
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import cint, escape_html, get_datetime, get_fullname, now_datetime

from social_crm.accounts import connector_for
from social_crm.engine.connectors.base import ConnectorError, connector_class
from social_crm.engine.mention import Platform
from social_crm.engine.triage import DEFAULT_THREAD_WINDOW, Action, Decision, OpenTicket
from social_crm.stored_mention import stored_text, to_system_time, to_utc

OPEN_STATUSES = ("Open", "Replied")
SUBJECT_LENGTH = 140
# Issue Priorities the shell can compare; a site's own priorities are never raised or lowered.
PRIORITY_RANK = {"Low": 0, "Medium": 1, "High": 2, "Urgent": 3}
# Social Ticket status -> Issue status and back. "On Hold" exists on Issue only: it leaves the ticket as it is.
ISSUE_STATUS_FOR_TICKET = {"Open": "Open", "Replied": "Replied", "Resolved": "Resolved", "Closed": "Closed"}
TICKET_STATUS_FOR_ISSUE = {"Open": "Open", "Replied": "Replied", "Resolved": "Resolved", "Closed": "Closed"}
REPLY_IN_FLIGHT = ("Sending", "Sent")
MANAGER_ROLES = ("Social Media Manager", "System Manager")

# Reasons the shell gives itself (the engine's are in triage.REASON_TEMPLATES); in de.csv too.
R_AGENT_CREATED = "{user} opened a ticket for this mention"
REASON_TEMPLATES = (R_AGENT_CREATED,)


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
	mention_doc.triage_reason = reason_text(decision, ticket_names)
	mention_doc.opportunity = 1 if decision.opportunity else 0


def put_on_ticket(mention_doc, ticket: str) -> None:
	mention_doc.social_ticket = ticket
	if mention_doc.status in (None, "", "New", "Reviewed", "Ignored"):
		mention_doc.status = "Ticketed"


def reason_text(decision: Decision, ticket_names: dict | None = None) -> str:
	"""The decision's reasons in the user's language, as the mention and ticket show them.

	`ticket_names` maps a name triage was given for a ticket not yet written to its real one."""
	texts = []
	for reason in decision.reasons:
		params = reason.params
		if ticket_names and params.get("ticket") in ticket_names:
			params = {**params, "ticket": ticket_names[params["ticket"]]}
		texts.append(_(reason.template).format(**params))
	return "; ".join(texts)


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
			"platform": mention_doc.platform,
			"social_account": mention_doc.social_account,
			"social_mention": mention_doc.name,
			"last_activity_at": mention_doc.posted_at,
			"triage_reason": reason_text(decision),
			"mentions": [
				{
					"social_mention": mention_doc.name,
					"posted_at": mention_doc.posted_at,
					"author_handle": mention_doc.author_handle,
				}
			],
		}
	)
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
	issue = frappe.get_doc(
		{
			"doctype": "Issue",
			"subject": ticket.subject,
			"description": post_html(mention_doc),
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
	# Always written, so `modified` moves on: an agent's form opened before this row was added
	# cannot be saved over it (Frappe refuses a save of a document modified since it was opened).
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
		frappe.db.set_value("Social Ticket", ticket_name, values)
	if ticket.issue:
		if is_higher(priority, frappe.db.get_value("Issue", ticket.issue, "priority")):
			issue = frappe.get_doc("Issue", ticket.issue)
			issue.priority = priority
			issue.save(ignore_permissions=True)
		add_communication(ticket.issue, mention_doc)
	return ticket_name


def add_communication(issue: str, mention_doc) -> None:
	"""The new post on the Issue's timeline, as a message received from the author."""
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Other",
			"sent_or_received": "Received",
			"subject": frappe.db.get_value("Issue", issue, "subject"),
			"content": post_html(mention_doc),
			"sender_full_name": mention_doc.author_name or mention_doc.author_handle,
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
	"""The post's first words on one line, at most SUBJECT_LENGTH characters."""
	text = " ".join(stored_text(mention_doc.text).split())
	if not text:
		text = _("Mention by {0} on {1}").format(mention_doc.author_handle or "?", _(mention_doc.platform))
	if len(text) > SUBJECT_LENGTH:
		text = text[: SUBJECT_LENGTH - 1].rsplit(" ", 1)[0].rstrip() + "…"
	return text


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
	"""The URL if it is http(s), else nothing: a javascript: link must never become clickable."""
	url = (url or "").strip()
	return url if url.lower().startswith(("https://", "http://")) else ""


def post_html(mention_doc) -> str:
	"""The post for Issue descriptions and Communications: escaped text, link, author, sentiment."""
	text = escape_html(stored_text(mention_doc.text)).replace("\n", "<br>")
	author = escape_html(mention_doc.author_name or "")
	handle = escape_html(mention_doc.author_handle or "")
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


# --- replies ----------------------------------------------------------------------------------


def reply_supported(platform: str | None) -> bool:
	try:
		return bool(platform) and connector_class(platform).supports_reply
	except (ConnectorError, ValueError):
		return False


REPLY_STATE_FIELDS = (
	"reply_status",
	"approved_by",
	"reply_error",
	"reply_idempotency_key",
	"replied_at",
	"reply_url",
	"reply_to_mention",
)


def protect_reply_fields(ticket) -> None:
	"""Social Ticket.validate: the reply's state changes only through this module, so a form
	save (or a crafted request) cannot mark a reply Approved or Sent."""
	previous = ticket.get_doc_before_save()
	if ticket.flags.reply_recorded:
		return
	for field in REPLY_STATE_FIELDS:
		ticket.set(field, previous.get(field) if previous else None)


def prepare_reply(ticket) -> None:
	"""Social Ticket.validate: a new reply text starts a new reply (Draft, fresh idempotency key).

	The key stays with the text: re-sending the same text after a failure uses the same key,
	so a platform that already took it does not post it twice.
	"""
	text = (ticket.reply_text or "").strip()
	if not ticket.is_new() and not ticket.has_value_changed("reply_text"):
		return
	previous = ticket.get_doc_before_save()
	if previous and previous.reply_status == "Sending":
		frappe.throw(_("The reply is being sent; it cannot be changed now."), title=_("Reply in Progress"))
	if not text:
		ticket.reply_status = ""
		ticket.reply_idempotency_key = ""
	else:
		ticket.reply_status = "Draft"
		ticket.reply_idempotency_key = new_idempotency_key(ticket)
	ticket.approved_by = None
	ticket.reply_error = ""


def new_idempotency_key(ticket) -> str:
	return f"{ticket.name or 'new'}-{uuid.uuid4().hex}"


def is_reply_manager(user: str | None = None) -> bool:
	return bool(set(MANAGER_ROLES) & set(frappe.get_roles(user)))


def request_reply(ticket_name: str, text: str | None = None) -> dict:
	"""An agent's "Send Reply": stores the text and sends it, or waits for a manager's approval."""
	ticket = frappe.get_doc("Social Ticket", ticket_name)
	ticket.check_permission("write")
	check_reply_possible(ticket)
	if text is not None and (text or "").strip() != (ticket.reply_text or "").strip():
		if ticket.reply_status in REPLY_IN_FLIGHT and ticket.reply_status != "Sent":
			frappe.throw(
				_("The reply is being sent; it cannot be changed now."), title=_("Reply in Progress")
			)
		ticket.reply_text = text.strip()
		ticket.save()
	if not (ticket.reply_text or "").strip():
		frappe.throw(_("Write the reply first."), title=_("No Reply Text"))
	if ticket.reply_status == "Sent":
		return reply_state(ticket)
	if cint(settings().reply_approval_required) and ticket.reply_status != "Approved":
		if not is_reply_manager():
			if ticket.reply_status != "Awaiting Approval":
				ticket.db_set("reply_status", "Awaiting Approval")
				ticket.add_comment("Info", _("Reply submitted for approval"))
			return reply_state(ticket)
		ticket.db_set({"reply_status": "Approved", "approved_by": frappe.session.user})
	return send_reply(ticket.name)


def approve_reply(ticket_name: str) -> dict:
	"""A Social Media Manager approves the waiting reply, which is then sent."""
	ticket = frappe.get_doc("Social Ticket", ticket_name)
	ticket.check_permission("write")
	if not is_reply_manager():
		frappe.throw(_("Only a Social Media Manager can approve replies."), frappe.PermissionError)
	if ticket.reply_status not in ("Awaiting Approval", "Draft", "Failed", "Approved"):
		return reply_state(ticket)
	if not (ticket.reply_text or "").strip():
		frappe.throw(_("Write the reply first."), title=_("No Reply Text"))
	ticket.db_set({"reply_status": "Approved", "approved_by": frappe.session.user})
	return send_reply(ticket.name)


def check_reply_possible(ticket) -> None:
	if not reply_supported(ticket.platform):
		frappe.throw(
			_(
				"Replies cannot be posted on {0}. Answer on the platform itself, then resolve the ticket."
			).format(_(ticket.platform or "")),
			title=_("Reply Not Possible"),
		)


def send_reply(ticket_name: str) -> dict:
	"""Posts the ticket's reply once. The row lock makes a second call (a double click) wait
	for the first and then find the reply Sent, so it posts nothing; the idempotency key
	covers a transaction lost after the platform took the reply."""
	frappe.db.get_value("Social Ticket", ticket_name, "name", for_update=True)
	ticket = frappe.get_doc("Social Ticket", ticket_name)
	if ticket.reply_status in REPLY_IN_FLIGHT:
		return reply_state(ticket)
	if cint(settings().reply_approval_required) and ticket.reply_status != "Approved":
		frappe.throw(
			_("This reply needs a Social Media Manager's approval first."), title=_("Approval Required")
		)
	check_reply_possible(ticket)
	target = latest_mention(ticket)
	account = reply_account(ticket, target)
	if not ticket.reply_idempotency_key:
		ticket.db_set("reply_idempotency_key", new_idempotency_key(ticket), update_modified=False)
	ticket.db_set("reply_status", "Sending", update_modified=False)
	from social_crm.stored_mention import engine_mention

	try:
		result = connector_for(account).reply(
			engine_mention(target), ticket.reply_text.strip(), ticket.reply_idempotency_key
		)
	except ConnectorError as error:
		message = _("The reply could not be posted on {0}: {1}").format(_(ticket.platform), str(error))
		ticket.db_set({"reply_status": "Failed", "reply_error": message})
		return reply_state(ticket)
	record_reply(ticket, target, result)
	return reply_state(ticket)


def latest_mention(ticket):
	rows = frappe.db.sql(
		"""
		select m.name from `tabSocial Ticket Mention` row join `tabSocial Mention` m on m.name = row.social_mention
		where row.parent = %s and row.parenttype = 'Social Ticket'
		order by m.posted_at desc, row.idx desc limit 1
		""",
		ticket.name,
		pluck=True,
	)
	name = rows[0] if rows else ticket.social_mention
	return frappe.get_doc("Social Mention", name)


def reply_account(ticket, mention_doc):
	"""The Social Account to answer with: the ticket's, the mention's, or the platform's only enabled one."""
	name = ticket.social_account or mention_doc.social_account
	if not name:
		accounts = frappe.get_all("Social Account", {"platform": ticket.platform, "enabled": 1}, pluck="name")
		name = accounts[0] if len(accounts) == 1 else None
	if not name:
		frappe.throw(_("Choose the Social Account to reply with."), title=_("No Social Account"))
	if not ticket.social_account:
		ticket.db_set("social_account", name, update_modified=False)
	return frappe.get_doc("Social Account", name)


def record_reply(ticket, target, result) -> None:
	"""A sent reply: on the ticket, on the Issue's timeline, and the thread's mentions Replied."""
	now = now_datetime()
	url = safe_url(result.url)
	ticket.reload()
	ticket.reply_status = "Sent"
	ticket.reply_error = ""
	ticket.reply_url = url
	ticket.replied_at = now
	ticket.reply_to_mention = target.name
	if ticket.status == "Open":
		ticket.status = "Replied"
	ticket.flags.reply_recorded = True
	ticket.save(ignore_permissions=True)
	for row in ticket.mentions:
		frappe.db.set_value("Social Mention", row.social_mention, "status", "Replied")
	if ticket.issue:
		link = (
			f'<p><a href="{escape_html(url)}" target="_blank" rel="noopener noreferrer">{_("Open Post")}</a></p>'
			if url
			else ""
		)
		communication = frappe.get_doc(
			{
				"doctype": "Communication",
				"communication_type": "Communication",
				"communication_medium": "Other",
				"sent_or_received": "Sent",
				"subject": _("Reply on {0}").format(_(ticket.platform)),
				"content": "<p>" + escape_html(ticket.reply_text or "").replace("\n", "<br>") + "</p>" + link,
				"sender": sender_email(),
				"sender_full_name": get_fullname(frappe.session.user),
				"reference_doctype": "Issue",
				"reference_name": ticket.issue,
			}
		)
		communication.flags.skip_add_signature = True
		communication.insert(ignore_permissions=True)


def sender_email() -> str | None:
	email = frappe.db.get_value("User", frappe.session.user, "email")
	return email if email and frappe.utils.validate_email_address(email) else None


def reply_state(ticket) -> dict:
	values = frappe.db.get_value(
		"Social Ticket",
		ticket.name,
		["reply_status", "reply_error", "reply_url", "replied_at", "status"],
		as_dict=True,
	)
	return dict(values or {}, name=ticket.name)
