"""The app's `before_tests` hook, for `bench --site <site> run-tests --app social_crm`.

Frappe runs only the tested app's own `before_tests` hooks, so on a freshly created site
nothing has run ERPNext's setup wizard: there is no Company, fiscal year or Warehouse Type, and
ERPNext's test records (Item, Company, Issue with its SLA) fail to build. ERPNext apps (hrms,
helpdesk) complete the wizard here; ERPNext's own hook does exactly that, so it is reused.
"""

import frappe


def before_tests():
	from erpnext.setup.utils import before_tests as erpnext_before_tests

	erpnext_before_tests()  # setup wizard when no Company exists yet, roles for Administrator
	frappe.db.commit()
