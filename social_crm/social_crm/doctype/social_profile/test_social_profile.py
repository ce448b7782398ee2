# Copyright (c) 2026, social_crm contributors
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from social_crm.tests.records import make_customer, make_profile


class TestSocialProfile(FrappeTestCase):
	def test_profile_links_to_customer(self):
		customer = make_customer()
		profile = make_profile(handle="@acme_fan@mastodon.example", customer=customer, followers=120)
		self.assertEqual(profile.handle, "acme_fan@mastodon.example")
		self.assertEqual(frappe.db.get_value("Social Profile", profile.name, "customer"), customer)

	def test_duplicate_handle_on_same_platform_is_rejected(self):
		make_profile(handle="dup@mastodon.example")
		with self.assertRaises(frappe.DuplicateEntryError):
			make_profile(handle="dup@mastodon.example")

	def test_same_handle_on_another_platform_is_a_different_profile(self):
		make_profile(handle="acme.de", platform="Bluesky")
		other = make_profile(handle="acme.de", platform="Reddit")
		self.assertTrue(other.name)

	def test_database_unique_key_holds_without_the_controller(self):
		make_profile(handle="race@mastodon.example")
		twin = frappe.get_doc(
			{"doctype": "Social Profile", "platform": "Mastodon", "handle": "race@mastodon.example"}
		)
		twin.set_new_name()
		with self.assertRaises(frappe.UniqueValidationError):
			twin.db_insert()
