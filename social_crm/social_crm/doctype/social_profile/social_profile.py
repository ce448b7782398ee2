# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from social_crm.corrections import propagate_customer


class SocialProfile(Document):
	def validate(self):
		self.handle = (self.handle or "").strip().lstrip("@")
		if not self.handle:
			frappe.throw(_("A Social Profile needs a handle."), frappe.MandatoryError)
		self.validate_unique_handle()

	def on_update(self):
		propagate_customer(self)

	def validate_unique_handle(self):
		"""A clear message before the database's unique key would reject the row."""
		duplicate = frappe.db.get_value(
			"Social Profile",
			{"platform": self.platform, "handle": self.handle, "name": ("!=", self.name)},
		)
		if duplicate:
			frappe.throw(
				_("{0} on {1} already has a Social Profile: {2}").format(
					frappe.bold(self.handle), _(self.platform), frappe.bold(duplicate)
				),
				frappe.DuplicateEntryError,
				title=_("Duplicate Social Profile"),
			)


def on_doctype_update():
	frappe.db.add_unique("Social Profile", ["platform", "handle"], constraint_name="unique_platform_handle")
