# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document

from social_crm import incidents


class SocialIncident(Document):
	def onload(self):
		self.set_onload("can_answer", incidents.can_answer())
