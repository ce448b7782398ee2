# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document

from social_crm import reasons, replies, ticket_edits, tickets
from social_crm.inbox import publish_conversation


class SocialTicket(Document):
	def onload(self):
		self.set_onload("reply_supported", replies.reply_supported(self.platform))
		self.set_onload("can_approve_reply", replies.is_reply_manager())
		reasons.show_in_reader_language(self)

	def validate(self):
		ticket_edits.keep_appended(self)
		reasons.keep_site_language(self)
		replies.protect_reply_fields(self)
		replies.prepare_reply(self)
		tickets.note_activity(self)

	def on_update(self):
		tickets.on_ticket_update(self)
		publish_conversation("Social Ticket", self.name)


def on_doctype_update():
	# the author lookup of threading: an author's tickets active since a moment
	frappe.db.add_index("Social Ticket", ["social_profile", "last_activity_at"])
