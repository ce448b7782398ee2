# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class SocialMention(Document):
	def validate(self):
		self.validate_unique_external_id()

	def validate_unique_external_id(self):
		"""A clear message before the database's unique key would reject the row."""
		duplicate = frappe.db.get_value(
			"Social Mention",
			{"platform": self.platform, "external_id": self.external_id, "name": ("!=", self.name)},
		)
		if duplicate:
			frappe.throw(
				_("This {0} post is already stored as Social Mention {1}.").format(
					_(self.platform), frappe.bold(duplicate)
				),
				frappe.DuplicateEntryError,
				title=_("Duplicate Social Mention"),
			)


def on_doctype_update():
	frappe.db.add_unique(
		"Social Mention", ["platform", "external_id"], constraint_name="unique_platform_external_id"
	)
