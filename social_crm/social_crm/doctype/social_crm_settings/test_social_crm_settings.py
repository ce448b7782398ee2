# Copyright (c) 2026, social_crm contributors
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase


class TestSocialCRMSettings(FrappeTestCase):
	def test_defaults(self):
		settings = frappe.get_single("Social CRM Settings")
		self.assertEqual(settings.ticket_creation_mode, "Automatic")

	def test_threshold_outside_score_range_is_rejected(self):
		settings = frappe.get_single("Social CRM Settings")
		settings.negative_threshold = -1.5
		with self.assertRaises(frappe.ValidationError):
			settings.save(ignore_permissions=True)
