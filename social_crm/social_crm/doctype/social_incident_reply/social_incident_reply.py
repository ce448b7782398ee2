# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

from frappe.model.document import Document


class SocialIncidentReply(Document):
	pass
