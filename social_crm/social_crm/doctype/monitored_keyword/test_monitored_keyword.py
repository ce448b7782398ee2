# Copyright (c) 2026, social_crm contributors
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from social_crm.social_crm.doctype.monitored_keyword.monitored_keyword import check_query


def make_keyword(name, query, **values):
	return frappe.get_doc({"doctype": "Monitored Keyword", "keyword_name": name, "query": query, **values})


class TestMonitoredKeyword(FrappeTestCase):
	def test_keyword_with_platforms(self):
		keyword = make_keyword(
			"_Test Kündigung",
			'acme AND (kündig* OR "nie wieder")',
			platforms=[{"platform": "Mastodon"}, {"platform": "Bluesky"}],
			languages="DE, en, de",
		).insert(ignore_permissions=True)
		self.assertEqual([row.platform for row in keyword.platforms], ["Mastodon", "Bluesky"])
		self.assertEqual(keyword.languages, "de, en")
		self.assertTrue(keyword.enabled)

	def test_syntax_error_is_shown_on_save_with_its_position(self):
		keyword = make_keyword("_Test Broken", "acme AND (refund")
		with self.assertRaises(frappe.ValidationError) as raised:
			keyword.insert(ignore_permissions=True)
		self.assertIn("10", str(raised.exception))

	def test_check_query_escapes_what_it_echoes(self):
		check = check_query('<img src=x onerror=alert(1)> AND (')
		self.assertFalse(check["valid"])
		self.assertNotIn("<img", check["message"])

	def test_check_query_lists_search_terms(self):
		self.assertEqual(check_query("acme AND (kündigung OR vertrag)")["search_terms"], ["acme"])

	def test_threshold_override_must_be_a_score(self):
		keyword = make_keyword("_Test Threshold", "acme", override_threshold=1, ticket_threshold=-2)
		with self.assertRaises(frappe.ValidationError):
			keyword.insert(ignore_permissions=True)
