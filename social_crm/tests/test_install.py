"""Integration tests of what installing social_crm changes on ERPNext (run by bench run-tests)."""

import frappe
from frappe.tests.utils import FrappeTestCase

from social_crm.install import after_install
from social_crm.uninstall import before_uninstall


class TestInstall(FrappeTestCase):
	def test_customer_connections_show_the_social_group(self):
		data = frappe.get_meta("Customer").get_dashboard_data()
		social = [group for group in data.transactions if group.get("label") == "Social"]
		self.assertEqual(len(social), 1)
		self.assertEqual(social[0]["items"], ["Social Profile", "Social Mention", "Social Ticket"])

	def test_roles_exist(self):
		self.assertTrue(frappe.db.exists("Role", "Social Media Manager"))
		self.assertTrue(frappe.db.exists("Role", "Support Team"))

	def test_uninstall_removes_the_issue_field_and_install_restores_it(self):
		self.assertTrue(frappe.db.exists("Custom Field", {"dt": "Issue", "fieldname": "social_ticket"}))
		before_uninstall()
		try:
			self.assertFalse(frappe.db.exists("Custom Field", {"dt": "Issue", "fieldname": "social_ticket"}))
			self.assertIsNone(frappe.get_meta("Issue").get_field("social_ticket"))
		finally:
			after_install()
		self.assertTrue(frappe.db.exists("Custom Field", {"dt": "Issue", "fieldname": "social_ticket"}))
