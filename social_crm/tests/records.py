"""Records the integration tests (FrappeTestCase, run by `bench run-tests`) build on.

Imports frappe, so only the integration tests use it; the engine tests never do.
"""

import frappe
from frappe.utils import now_datetime


def make_customer(name: str = "_Test Social Customer") -> str:
	if not frappe.db.exists("Customer", name):
		frappe.get_doc({"doctype": "Customer", "customer_name": name, "customer_type": "Company"}).insert(
			ignore_permissions=True
		)
	return name


def make_profile(handle: str = "anna@mastodon.example", platform: str = "Mastodon", **values):
	doc = frappe.get_doc({"doctype": "Social Profile", "platform": platform, "handle": handle, **values})
	return doc.insert(ignore_permissions=True)


def make_mention(external_id: str = "110000000000000001", platform: str = "Mastodon", **values):
	doc = frappe.get_doc(
		{
			"doctype": "Social Mention",
			"platform": platform,
			"external_id": external_id,
			"url": f"https://mastodon.example/@anna/{external_id}",
			"author_handle": "anna@mastodon.example",
			"author_name": "Anna",
			"text": "Die Lieferung von Acme kam kaputt an.",
			"posted_at": now_datetime(),
			"fetched_at": now_datetime(),
			**values,
		}
	)
	return doc.insert(ignore_permissions=True)


def make_user(email: str, *roles: str, full_name: str = "") -> str:
	"""A desk user with exactly the given roles added (none: a user who may do nothing here)."""
	if not frappe.db.exists("User", email):
		first, _, last = (full_name or email.split("@")[0]).partition(" ")
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": first, "last_name": last, "send_welcome_email": 0}
		).insert(ignore_permissions=True)
		if roles:
			user.add_roles(*roles)
	return email


def use_spike_settings(case, values: dict) -> None:
	"""Sets Social CRM Settings' spike values for one test and restores them afterwards.

	change_settings cannot restore a value that was never set (it stays changed), and the
	shipped defaults are what other tests and the site expect afterwards."""
	previous = {key: frappe.db.get_single_value("Social CRM Settings", key) for key in values}
	for key, value in values.items():
		frappe.db.set_single_value("Social CRM Settings", key, value)
	frappe.clear_document_cache("Social CRM Settings", "Social CRM Settings")

	def restore():
		meta = frappe.get_meta("Social CRM Settings")
		for key, value in previous.items():
			frappe.db.set_single_value("Social CRM Settings", key, value or meta.get_field(key).default)
		frappe.clear_document_cache("Social CRM Settings", "Social CRM Settings")
		# close_recovered commits (a scheduler job), so the test's values were committed too
		frappe.db.commit()

	case.addCleanup(restore)
