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
