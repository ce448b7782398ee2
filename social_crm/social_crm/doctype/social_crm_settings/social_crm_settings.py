# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document


class SocialCRMSettings(Document):
	def validate(self):
		if not -1 <= (self.negative_threshold or 0) <= 1:
			frappe.throw(
				_("The Negative Threshold must lie between -1 and 1, as sentiment scores do."),
				title=_("Invalid Threshold"),
			)
