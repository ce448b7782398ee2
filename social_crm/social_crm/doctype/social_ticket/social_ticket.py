# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from social_crm import tickets


class SocialTicket(Document):
	def onload(self):
		self.set_onload("reply_supported", tickets.reply_supported(self.platform))
		self.set_onload("can_approve_reply", tickets.is_reply_manager())

	def validate(self):
		tickets.protect_reply_fields(self)
		tickets.prepare_reply(self)
		tickets.note_activity(self)

	def on_update(self):
		tickets.on_ticket_update(self)


def on_doctype_update():
	# the author lookup of threading: an author's tickets active since a moment
	frappe.db.add_index("Social Ticket", ["social_profile", "last_activity_at"])
