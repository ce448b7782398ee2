"""Removes what install.py added to other apps' doctypes, as frappe/hrms does."""

import click

import frappe
from frappe import _

from social_crm.install import GRANTED_READ, get_custom_fields


def before_uninstall():
	delete_custom_fields(get_custom_fields())
	revoke_reads()
	click.secho(_("Social CRM customisations have been removed."), fg="green")


def delete_custom_fields(custom_fields: dict):
	for doctype, fields in custom_fields.items():
		for field in fields:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)


def revoke_reads():
	"""Takes back the Custom DocPerm read rules install.grant_reads added. A rule that gives
	more than read (an admin widened it) is left alone. When what remains are exactly the
	standard rules Frappe copied to make room for ours, they go too, so the doctype is back on
	its standard permissions."""
	from frappe.permissions import reset_perms

	# rights beyond reading (Custom DocPerm defaults export to 1, so that does not count)
	rights = ("write", "create", "delete", "submit", "cancel", "amend")
	for doctype, role in GRANTED_READ:
		for rule in frappe.get_all(
			"Custom DocPerm", {"parent": doctype, "role": role, "permlevel": 0, "read": 1}, ["name", *rights]
		):
			if not any(rule.get(right) for right in rights):
				frappe.delete_doc("Custom DocPerm", rule.name, ignore_permissions=True, force=True)
		if custom_equals_standard(doctype):
			reset_perms(doctype)
		frappe.clear_cache(doctype=doctype)


def custom_equals_standard(doctype: str) -> bool:
	fields = [
		"role",
		"permlevel",
		"if_owner",
		"read",
		"write",
		"create",
		"delete",
		"report",
		"export",
		"print",
		"email",
		"share",
	]
	key = lambda rows: sorted(tuple(row.get(field) or 0 for field in fields) for row in rows)  # noqa: E731
	custom = frappe.get_all("Custom DocPerm", {"parent": doctype}, fields)
	return bool(custom) and key(custom) == key(frappe.get_all("DocPerm", {"parent": doctype}, fields))
