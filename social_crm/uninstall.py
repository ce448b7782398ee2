"""Removes what install.py added to other apps' doctypes, as frappe/hrms does."""

import click

import frappe
from frappe import _

from social_crm.install import get_custom_fields


def before_uninstall():
	delete_custom_fields(get_custom_fields())
	click.secho(_("Social CRM customisations have been removed."), fg="green")


def delete_custom_fields(custom_fields: dict):
	for doctype, fields in custom_fields.items():
		for field in fields:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)
