"""Site data for the browser test, made through the production path (bench execute):

    bench --site S execute social_crm.tests.browser.fixtures.prepare --kwargs '{"base_url": ..., "token": ...}'

prepare() creates two agents and a manager (password "Inbox-Test-2026!"), a Mastodon account on
the local fake, the keyword "acme", and polls the account once with the real fetch job, so
the negative post becomes a Social Ticket as it would on a live site.
"""

import json

import frappe

from social_crm.ingest import fetch_account

PASSWORD = "Inbox-Test-2026!"
USERS = {
	"inbox-agent-1@example.com": ("Agnes Agent", "Support Team"),
	"inbox-agent-2@example.com": ("Bruno Agent", "Support Team"),
	"inbox-manager@example.com": ("Mia Manager", "Social Media Manager"),
}
ACCOUNT = "Acme on Mastodon (browser test)"
KEYWORD = "Acme (browser test)"


def make_users() -> None:
	for email, (full_name, role) in USERS.items():
		if not frappe.db.exists("User", email):
			first, last = full_name.split(" ", 1)
			user = frappe.get_doc(
				{
					"doctype": "User",
					"email": email,
					"first_name": first,
					"last_name": last,
					"send_welcome_email": 0,
					"language": "en",
				}
			).insert(ignore_permissions=True)
			user.add_roles(role)
		frappe.utils.password.update_password(email, PASSWORD)


def clean() -> None:
	"""What an earlier run left: the account's mentions, their tickets, Issues and profiles
	(the fake numbers its posts the same way each time it starts)."""
	mentions = frappe.get_all("Social Mention", {"social_account": ACCOUNT}, ["name", "social_profile"])
	names = [m.name for m in mentions]
	tickets = set(frappe.get_all("Social Ticket", {"social_account": ACCOUNT}, pluck="name"))
	if names:
		tickets |= set(frappe.get_all("Social Ticket", {"social_mention": ("in", names)}, pluck="name"))
	for ticket in tickets:
		for issue in frappe.get_all("Issue", {"social_ticket": ticket}, pluck="name"):
			frappe.delete_doc("Issue", issue, force=True, ignore_permissions=True)
		frappe.delete_doc("Social Ticket", ticket, force=True, ignore_permissions=True)
	for name in names:
		frappe.delete_doc("Social Mention", name, force=True, ignore_permissions=True)
	for profile in {m.social_profile for m in mentions if m.social_profile}:
		frappe.delete_doc("Social Profile", profile, force=True, ignore_permissions=True)


def prepare(base_url: str, token: str) -> None:
	make_users()
	clean()
	frappe.db.set_single_value("Social CRM Settings", {"enabled": 1, "reply_approval_required": 0})
	if not frappe.db.exists("Monitored Keyword", KEYWORD):
		frappe.get_doc({"doctype": "Monitored Keyword", "keyword_name": KEYWORD, "query": "acme"}).insert(
			ignore_permissions=True
		)
	if frappe.db.exists("Social Account", ACCOUNT):
		frappe.delete_doc("Social Account", ACCOUNT, force=True, ignore_permissions=True)
	frappe.get_doc(
		{
			"doctype": "Social Account",
			"account_name": ACCOUNT,
			"platform": "Mastodon",
			"base_url": base_url,
			"own_handle": "acme",
			"access_token": token,
			"enabled": 1,
		}
	).insert(ignore_permissions=True)
	frappe.db.commit()
	log = fetch_account(ACCOUNT)
	frappe.db.commit()
	print(json.dumps({"fetch": {k: str(v) for k, v in log.items()}, **state()}))


def approval(required: int = 1) -> None:
	frappe.db.set_single_value("Social CRM Settings", "reply_approval_required", int(required))
	frappe.db.commit()


def refetch() -> None:
	"""Polls again after the reply: the fake now holds our reply as a post by acme."""
	frappe.db.set_value("Social Account", ACCOUNT, "cursor_state", "{}")
	frappe.db.commit()
	log = fetch_account(ACCOUNT)
	frappe.db.commit()
	print(json.dumps({"fetch": {k: str(v) for k, v in log.items()}, **state()}))


def show() -> None:
	print(json.dumps(state(), default=str))


def state() -> dict:
	tickets = frappe.get_all(
		"Social Ticket",
		{"social_account": ACCOUNT},
		["name", "status", "reply_status", "reply_author", "reply_external_id"],
		order_by="creation asc",
	) or frappe.get_all(
		"Social Ticket",
		{
			"social_mention": (
				"in",
				frappe.get_all("Social Mention", {"social_account": ACCOUNT}, pluck="name"),
			)
		},
		["name", "status", "reply_status", "reply_author", "reply_external_id"],
		order_by="creation asc",
	)
	mentions = frappe.get_all(
		"Social Mention",
		{"social_account": ACCOUNT},
		["name", "author_handle", "status"],
		order_by="creation asc",
	)
	return {"tickets": tickets, "mentions": mentions}
