# Copyright (c) 2026, social_crm contributors
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase


class TestMonitoredKeyword(FrappeTestCase):
	def test_keyword_with_platforms(self):
		keyword = frappe.get_doc(
			{
				"doctype": "Monitored Keyword",
				"keyword_name": "_Test Kündigung",
				"query": 'acme AND (kündig* OR "nie wieder")',
				"platforms": [{"platform": "Mastodon"}, {"platform": "Bluesky"}],
			}
		).insert(ignore_permissions=True)
		self.assertEqual([row.platform for row in keyword.platforms], ["Mastodon", "Bluesky"])
		self.assertTrue(keyword.enabled)
