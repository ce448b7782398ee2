# Copyright (c) 2026, social_crm contributors
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from social_crm.tests.records import make_customer, make_mention


class TestSocialTicket(FrappeTestCase):
	def test_ticket_holds_its_thread(self):
		customer = make_customer()
		first = make_mention(external_id="t-1", customer=customer)
		second = make_mention(external_id="t-2", customer=customer, in_reply_to="t-1")
		ticket = frappe.get_doc(
			{
				"doctype": "Social Ticket",
				"subject": "Lieferung kaputt",
				"social_mention": first.name,
				"customer": customer,
				"platform": "Mastodon",
				"mentions": [{"social_mention": first.name}, {"social_mention": second.name}],
			}
		).insert(ignore_permissions=True)
		self.assertTrue(ticket.name.startswith("SOC-TKT-"))
		self.assertEqual(ticket.status, "Open")
		self.assertEqual(ticket.mentions[1].author_handle, "anna@mastodon.example")

	def test_issue_has_the_social_ticket_field(self):
		field = frappe.get_meta("Issue").get_field("social_ticket")
		self.assertIsNotNone(field)
		self.assertEqual(field.options, "Social Ticket")
		self.assertTrue(field.read_only)
