"""Replies to Social Tickets: writing, approval, sending once, and the record on the Issue.

The reply's state lives on the Social Ticket (reply_text, reply_status, reply_author,
approved_by, reply_idempotency_key, reply_external_id, ...) and changes only here:

- an agent writes a reply (`request_reply`): it is sent at once, or, when Social CRM Settings
  require approval and the writer is no manager, waits as "Awaiting Approval" with a
  Notification Log and a ToDo for every Social Media Manager;
- a manager approves (`approve_reply`): the approval ToDos are closed and the reply is sent;
- `send_reply` posts it at most once (row lock + idempotency key) and `record_reply` puts it
  on the ticket and, credited to its writer (not the approver), on the Issue's timeline.

What a platform allows (can it reply at all, how long may a reply be) is the engine's
(connectors' `supports_reply`, engine/reply_text.py); saved replies are filled there too.
"""

import uuid

import frappe
from frappe import _
from frappe.utils import cint, escape_html, get_fullname, now_datetime

from social_crm.accounts import connector_for
from social_crm.engine.connectors.base import ConnectorError, connector_class
from social_crm.engine.reply_text import reply_length, reply_limit, too_long
from social_crm.escaping import error_text
from social_crm.reasons import in_site_language
from social_crm.stored_mention import engine_mention
from social_crm.tickets import mirror_ticket, safe_url, settings

REPLY_IN_FLIGHT = ("Sending", "Sent")
MANAGER_ROLES = ("Social Media Manager", "System Manager")
APPROVER_ROLE = "Social Media Manager"
REPLY_STATE_FIELDS = (
	"reply_status",
	"reply_author",
	"approved_by",
	"reply_error",
	"reply_idempotency_key",
	"replied_at",
	"reply_url",
	"reply_external_id",
	"reply_to_mention",
)


def approval_required() -> bool:
	return bool(cint(settings().reply_approval_required))


def reply_supported(platform: str | None) -> bool:
	try:
		return bool(platform) and connector_class(platform).supports_reply
	except (ConnectorError, ValueError):
		return False


def is_reply_manager(user: str | None = None) -> bool:
	return bool(set(MANAGER_ROLES) & set(frappe.get_roles(user)))


# --- the ticket's controller ------------------------------------------------------------------


def protect_reply_fields(ticket) -> None:
	"""Social Ticket.validate: the reply's state changes only through this module, so a form
	save (or a crafted request) cannot mark a reply Approved or Sent."""
	previous = ticket.get_doc_before_save()
	if ticket.flags.reply_recorded:
		return
	for field in REPLY_STATE_FIELDS:
		ticket.set(field, previous.get(field) if previous else None)


def prepare_reply(ticket) -> None:
	"""Social Ticket.validate: a new reply text starts a new reply (Draft, fresh idempotency key,
	its writer the user who typed it).

	The key stays with the text: re-sending the same text after a failure uses the same key,
	so a platform that already took it does not post it twice.
	"""
	text = (ticket.reply_text or "").strip()
	if not ticket.is_new() and not ticket.has_value_changed("reply_text"):
		return
	if text and not reply_supported(ticket.platform):
		frappe.throw(not_possible_message(ticket.platform), title=_("Reply Not Possible"))
	previous = ticket.get_doc_before_save()
	if previous and previous.reply_status == "Sending":
		frappe.throw(_("The reply is being sent; it cannot be changed now."), title=_("Reply in Progress"))
	if not text:
		ticket.reply_status = ""
		ticket.reply_idempotency_key = ""
		ticket.reply_author = None
	else:
		ticket.reply_status = "Draft"
		ticket.reply_idempotency_key = new_idempotency_key(ticket)
		ticket.reply_author = frappe.session.user
	ticket.approved_by = None
	ticket.reply_error = ""


def new_idempotency_key(ticket) -> str:
	return f"{ticket.name or 'new'}-{uuid.uuid4().hex}"


# --- writing and approving --------------------------------------------------------------------


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
	check_length(ticket)
	if approval_required() and ticket.reply_status != "Approved":
		if not is_reply_manager():
			if ticket.reply_status != "Awaiting Approval":
				ticket.db_set("reply_status", "Awaiting Approval")
				with in_site_language():
					ticket.add_comment("Info", _("Reply submitted for approval"))
				ask_for_approval(ticket)
				publish_change(ticket.name)
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
	check_length(ticket)
	ticket.db_set({"reply_status": "Approved", "approved_by": frappe.session.user})
	close_approval_todos(ticket.name)
	return send_reply(ticket.name)


def approvers() -> list[str]:
	"""Enabled desk users with the Social Media Manager role (System Managers if there are none)."""
	for role in (APPROVER_ROLE, "System Manager"):
		users = frappe.get_all(
			"User",
			filters={
				"enabled": 1,
				"user_type": "System User",
				"name": (
					"in",
					frappe.get_all("Has Role", {"role": role, "parenttype": "User"}, pluck="parent"),
				),
			},
			pluck="name",
			order_by="name",
		)
		users = [user for user in users if user not in ("Guest",)]
		if users:
			return users
	return []


def ask_for_approval(ticket) -> None:
	"""A Notification Log (the bell) and an open ToDo for each approver other than the writer."""
	writer = ticket.reply_author or frappe.session.user
	with in_site_language():
		subject = _("Reply awaiting your approval: {0}").format(ticket.subject or ticket.name)  # the subject is stored escaped
		description = _("{0} wrote a reply on {1} that waits for your approval.").format(
			escape_html(get_fullname(writer)), escape_html(_(ticket.platform or ""))
		)
	for user in approvers():
		if user == writer:
			continue
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"from_user": writer,
				"type": "Alert",
				"document_type": "Social Ticket",
				"document_name": ticket.name,
				"subject": subject,
				"email_content": description
				+ "<blockquote>"
				+ escape_html(ticket.reply_text or "")
				+ "</blockquote>",
			}
		).insert(ignore_permissions=True)
		if not frappe.db.exists(
			"ToDo",
			{
				"allocated_to": user,
				"reference_type": "Social Ticket",
				"reference_name": ticket.name,
				"status": "Open",
			},
		):
			frappe.get_doc(
				{
					"doctype": "ToDo",
					"allocated_to": user,
					"assigned_by": writer,
					"reference_type": "Social Ticket",
					"reference_name": ticket.name,
					"description": description,
					"priority": "High" if ticket.priority in ("High", "Urgent") else "Medium",
				}
			).insert(ignore_permissions=True)


def close_approval_todos(ticket_name: str) -> None:
	"""The approvers' ToDos are done once one of them approved."""
	for name in frappe.get_all(
		"ToDo",
		{
			"reference_type": "Social Ticket",
			"reference_name": ticket_name,
			"status": "Open",
			"allocated_to": ("in", approvers() or [""]),
		},
		pluck="name",
	):
		todo = frappe.get_doc("ToDo", name)
		todo.status = "Closed"
		todo.save(ignore_permissions=True)


def not_possible_message(platform: str | None) -> str:
	return _(
		"Replies cannot be posted on {0}. Answer on the platform itself, then resolve the ticket."
	).format(_(platform or ""))


def check_reply_possible(ticket) -> None:
	if not reply_supported(ticket.platform):
		frappe.throw(not_possible_message(ticket.platform), title=_("Reply Not Possible"))


def check_length(ticket) -> None:
	text = (ticket.reply_text or "").strip()
	if too_long(ticket.platform, text):
		limit = reply_limit(ticket.platform)
		frappe.throw(
			_("The reply has {0} characters; {1} allows {2}.").format(
				reply_length(ticket.platform, text), _(ticket.platform), limit.limit
			),
			title=_("Reply Too Long"),
		)


# --- sending ----------------------------------------------------------------------------------


def send_reply(ticket_name: str) -> dict:
	"""Posts the ticket's reply once. The row lock makes a second call (a double click) wait
	for the first and then find the reply Sent, so it posts nothing; the idempotency key
	covers a transaction lost after the platform took the reply."""
	frappe.db.get_value("Social Ticket", ticket_name, "name", for_update=True)
	ticket = frappe.get_doc("Social Ticket", ticket_name)
	if ticket.reply_status in REPLY_IN_FLIGHT:
		return reply_state(ticket)
	if approval_required() and ticket.reply_status != "Approved":
		frappe.throw(
			_("This reply needs a Social Media Manager's approval first."), title=_("Approval Required")
		)
	check_reply_possible(ticket)
	check_length(ticket)
	target = latest_mention(ticket)
	account = reply_account(ticket, target)
	if not ticket.reply_idempotency_key:
		ticket.db_set("reply_idempotency_key", new_idempotency_key(ticket), update_modified=False)
	ticket.db_set("reply_status", "Sending", update_modified=False)
	try:
		result = connector_for(account).reply(
			engine_mention(target), ticket.reply_text.strip(), ticket.reply_idempotency_key
		)
	except ConnectorError as error:
		message = _("The reply could not be posted on {0}: {1}").format(_(ticket.platform), error_text(error))
		ticket.db_set({"reply_status": "Failed", "reply_error": message})
		publish_change(ticket.name)
		return reply_state(ticket)
	record_reply(ticket, target, result)
	publish_change(ticket.name)
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
	"""A sent reply: on the ticket (with the platform's id of it, so the next poll knows it as
	ours), on the Issue's timeline from its writer, and the thread's mentions Replied."""
	now = now_datetime()
	url = safe_url(result.url)
	ticket.reload()
	ticket.reply_status = "Sent"
	ticket.reply_error = ""
	ticket.reply_url = url
	ticket.reply_external_id = str(result.external_id or "")
	ticket.replied_at = now
	ticket.reply_to_mention = target.name
	if ticket.status == "Open":
		ticket.status = "Replied"
	ticket.flags.reply_recorded = True
	ticket.save(ignore_permissions=True)
	for row in ticket.mentions:
		frappe.db.set_value("Social Mention", row.social_mention, "status", "Replied")
	# a reply sent before the mirror job wrote the ticket's Issue writes it first
	ticket.issue = ticket.issue or mirror_ticket(ticket.name)
	if ticket.issue:
		add_sent_communication(ticket, url)


def add_sent_communication(ticket, url: str) -> None:
	writer = ticket.reply_author or frappe.session.user
	with in_site_language():
		link = (
			f'<p><a href="{escape_html(url)}" target="_blank" rel="noopener noreferrer">{_("Open Post")}</a></p>'
			if url
			else ""
		)
		subject = _("Reply on {0}").format(_(ticket.platform))
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Other",
			"sent_or_received": "Sent",
			"subject": subject,
			"content": "<p>" + escape_html(ticket.reply_text or "").replace("\n", "<br>") + "</p>" + link,
			"sender": sender_email(writer),
			"sender_full_name": get_fullname(writer),
			"user": writer,
			"reference_doctype": "Issue",
			"reference_name": ticket.issue,
		}
	)
	communication.flags.skip_add_signature = True
	communication.insert(ignore_permissions=True)


def sender_email(user: str) -> str | None:
	email = frappe.db.get_value("User", user, "email")
	return email if email and frappe.utils.validate_email_address(email) else None


def reply_state(ticket) -> dict:
	values = frappe.db.get_value(
		"Social Ticket",
		ticket.name,
		["reply_status", "reply_error", "reply_url", "replied_at", "status", "reply_author", "approved_by"],
		as_dict=True,
	)
	return dict(values or {}, name=ticket.name)


def sent_reply_ids(platform: str, external_ids) -> set[str]:
	"""Which of these platform ids are replies we sent (for the own-post check of a fetch)."""
	external_ids = [value for value in external_ids if value]
	if not external_ids:
		return set()
	return set(
		frappe.get_all(
			"Social Ticket",
			{"platform": platform, "reply_external_id": ("in", external_ids)},
			pluck="reply_external_id",
		)
	)


def publish_change(ticket_name: str) -> None:
	"""Tells open Social Inbox pages that the conversation changed (after the commit)."""
	from social_crm.inbox import publish_conversation

	publish_conversation("Social Ticket", ticket_name)


# --- saved replies ----------------------------------------------------------------------------


def saved_reply_values(ticket) -> dict:
	"""The placeholder values of a ticket's saved replies (engine/reply_text.PLACEHOLDERS)."""
	mention = (
		frappe.db.get_value(
			"Social Mention", ticket.social_mention, ["author_name", "author_handle"], as_dict=True
		)
		or {}
	)
	customer_name = (
		frappe.db.get_value("Customer", ticket.customer, "customer_name") if ticket.customer else ""
	)
	return {
		"author_name": mention.get("author_name") or mention.get("author_handle") or "",
		"author_handle": "@" + (mention.get("author_handle") or "").lstrip("@")
		if mention.get("author_handle")
		else "",
		"customer": customer_name or "",
		"agent_name": get_fullname(frappe.session.user),
		"ticket": ticket.name,
		"platform": _(ticket.platform or ""),
	}
