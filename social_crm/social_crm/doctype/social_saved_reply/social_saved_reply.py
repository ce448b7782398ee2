# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SocialSavedReply(Document):
	"""A reply agents insert and adapt in the Social Inbox; its placeholders are filled per
	ticket by engine/reply_text.fill (social_crm.api.saved_replies)."""

	pass
