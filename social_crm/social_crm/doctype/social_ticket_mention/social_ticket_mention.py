# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document


class SocialTicketMention(Document):
	pass


def on_doctype_update():
	# threading reads each candidate ticket's first and latest post (tickets.load_open_tickets)
	frappe.db.add_index("Social Ticket Mention", ["parent", "posted_at"])
	# appending a page's posts reads each thread's last position from this index alone
	frappe.db.add_index("Social Ticket Mention", ["parent", "idx"])
