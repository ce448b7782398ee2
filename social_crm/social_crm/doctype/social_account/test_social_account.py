# Copyright (c) 2026, social_crm contributors
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase


class TestSocialAccount(FrappeTestCase):
	def test_credentials_are_stored_encrypted(self):
		account = frappe.get_doc(
			{
				"doctype": "Social Account",
				"account_name": "_Test Acme Mastodon",
				"platform": "Mastodon",
				"base_url": "https://mastodon.example",
				"access_token": "s3cret-token-value",
			}
		).insert(ignore_permissions=True)
		stored = frappe.db.get_value("Social Account", account.name, "access_token")
		self.assertNotIn("s3cret", stored or "")
		self.assertEqual(account.get_password("access_token"), "s3cret-token-value")

	def test_support_team_cannot_see_credentials(self):
		meta = frappe.get_meta("Social Account")
		for fieldname in ("client_secret", "access_token", "password"):
			self.assertEqual(meta.get_field(fieldname).fieldtype, "Password")
			self.assertEqual(meta.get_field(fieldname).permlevel, 1)
		support_levels = {p.permlevel for p in meta.permissions if p.role == "Support Team"}
		self.assertEqual(support_levels, {0})
