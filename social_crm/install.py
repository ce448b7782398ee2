"""What installing social_crm adds to a site beyond its own doctypes."""

import click

import frappe
from frappe import _
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields

ROLES = ("Social Media Manager",)
# ERPNext's Issue form reads Support Settings, which only System Managers may read: agents
# (Support Team) got "No permission for Support Settings" on every Issue. Granted at install as
# a Custom DocPerm (Role Permissions Manager shows it), taken back at uninstall.
GRANTED_READ = (("Support Settings", "Support Team"),)
# Saved replies a new site starts with (title, language, text); agents adapt or add their own.
SAVED_REPLIES = (
	(
		"Apology and follow-up",
		"en",
		"Hi {author_name}, we are sorry about this. We are looking into it and will get back to you shortly. {agent_name}",
	),
	(
		"Please send a direct message",
		"en",
		"Hi {author_name}, thanks for letting us know. Could you send us a direct message with your customer number so we can check? {agent_name}",
	),
	(
		"Entschuldigung und Rückmeldung",
		"de",
		"Hallo {author_name}, das tut uns leid. Wir kümmern uns darum und melden uns in Kürze. {agent_name}",
	),
	(
		"Bitte Direktnachricht senden",
		"de",
		"Hallo {author_name}, danke für den Hinweis. Schicken Sie uns bitte eine Direktnachricht mit Ihrer Kundennummer, damit wir das prüfen können. {agent_name}",
	),
)
# ERPNext's setup wizard creates these; a site set up without it still needs them for triage.
ISSUE_PRIORITIES = ("Low", "Medium", "High")
LEAD_SOURCE = "Social Media"
TICKET_BOARD = "Social Tickets"
TICKET_BOARD_COLOURS = {"Open": "Red", "Replied": "Orange", "Resolved": "Green", "Closed": "Gray"}


def after_install():
	create_roles()
	create_custom_fields(get_custom_fields(), ignore_validate=True)
	create_records()
	create_ticket_board()
	grant_reads()
	click.secho(_("Social CRM is installed. Add a Social Account and Monitored Keywords to start."), fg="green")


def create_roles():
	for role in ROLES:
		if not frappe.db.exists("Role", role):
			frappe.get_doc({"doctype": "Role", "role_name": role, "desk_access": 1}).insert(
				ignore_permissions=True
			)


def create_records():
	"""Issue Priorities triage names and the Lead Source of Leads made from mentions."""
	for priority in ISSUE_PRIORITIES:
		if not frappe.db.exists("Issue Priority", priority):
			frappe.get_doc({"doctype": "Issue Priority", "name": priority}).insert(ignore_permissions=True)
	if not frappe.db.exists("Lead Source", LEAD_SOURCE):
		frappe.get_doc({"doctype": "Lead Source", "source_name": LEAD_SOURCE}).insert(ignore_permissions=True)
	create_saved_replies()


def grant_reads():
	"""Read on ERPNext doctypes the app's users need (GRANTED_READ), as Custom DocPerms."""
	from frappe.permissions import add_permission

	for doctype, role in GRANTED_READ:
		if not frappe.db.exists("DocType", doctype) or has_read_rule(doctype, role):
			continue
		add_permission(doctype, role, 0, "read")
		frappe.clear_cache(doctype=doctype)


def has_read_rule(doctype: str, role: str) -> bool:
	table = "Custom DocPerm" if frappe.db.exists("Custom DocPerm", {"parent": doctype}) else "DocPerm"
	return bool(frappe.db.exists(table, {"parent": doctype, "role": role, "permlevel": 0, "read": 1}))


def create_saved_replies():
	for title, language, text in SAVED_REPLIES:
		if not frappe.db.exists("Social Saved Reply", title):
			frappe.get_doc(
				{"doctype": "Social Saved Reply", "title": title, "language": language, "reply": text}
			).insert(ignore_permissions=True)


def create_ticket_board():
	"""A public Kanban Board of Social Tickets by status (Kanban Boards are records, not app files)."""
	if frappe.db.exists("Kanban Board", TICKET_BOARD):
		return
	options = frappe.get_meta("Social Ticket").get_field("status").options.split("\n")
	board = frappe.get_doc(
		{
			"doctype": "Kanban Board",
			"kanban_board_name": TICKET_BOARD,
			"reference_doctype": "Social Ticket",
			"field_name": "status",
			"private": 0,
			"show_labels": 1,
			"fields": '["priority", "platform", "customer"]',
			"columns": [
				{"column_name": option, "status": "Active", "indicator": TICKET_BOARD_COLOURS.get(option, "Gray")}
				for option in options
				if option
			],
		}
	)
	board.insert(ignore_permissions=True)


def get_custom_fields():
	"""Fields social_crm adds to ERPNext's doctypes; uninstall removes exactly these."""
	return {
		"Issue": [
			{
				"fieldname": "social_ticket",
				"fieldtype": "Link",
				"label": _("Social Ticket"),
				"options": "Social Ticket",
				"insert_after": "issue_type",
				"read_only": 1,
				"search_index": 1,
				"translatable": 0,
			}
		],
	}
