"""Fills a test site with what the hostile server sends, for the browser test (not run in CI).

    bench --site SITE execute social_crm.tests.browser.seed.run \
        --kwargs "{'base_url': 'http://127.0.0.1:8765', 'token': 'hostile-token', 'sentinel': 'SENTINEL-…'}"

Goes through the real paths: two Social Accounts on the hostile server (one with the right
token, one with the sentinel token, whose fetch and Test Connection fail), a fetch, a ticket
with its Issue for every stored mention, a second post of each author on the Issue's timeline,
and a Support Team user for the browser to log in as. Prints what it made, as JSON.
"""

import json

import frappe

from social_crm import tickets
from social_crm.api import create_ticket_for
from social_crm.ingest import fetch_account
from social_crm.tests.records import make_user

AGENT = "browser-agent@example.com"
AGENT_PASSWORD = "Browser-Agent-Pass-4711"
KEYWORD = "_Browser Hostile Acme"


def account(name: str, base_url: str, token: str) -> str:
	if frappe.db.exists("Social Account", name):
		frappe.delete_doc("Social Account", name, force=True, ignore_permissions=True)
	return (
		frappe.get_doc(
			{
				"doctype": "Social Account",
				"account_name": name,
				"platform": "Mastodon",
				"base_url": base_url,
				"own_handle": "acme",
				"access_token": token,
				"enabled": 0,
			}
		)
		.insert(ignore_permissions=True)
		.name
	)


def run(base_url: str, token: str = "hostile-token", sentinel: str = "SENTINEL-browser-token") -> dict:
	frappe.set_user("Administrator")
	if not frappe.db.exists("Monitored Keyword", KEYWORD):
		frappe.get_doc({"doctype": "Monitored Keyword", "keyword_name": KEYWORD, "query": "acme"}).insert()
	hostile = account("Hostile Mastodon", base_url, token)
	leaky = account("Sentinel Mastodon", base_url, sentinel)
	fetched = fetch_account(hostile)
	failed = fetch_account(leaky)
	try:
		frappe.get_doc("Social Account", leaky).test_connection()
	except frappe.ValidationError:
		frappe.clear_messages()
	made = []
	for name in frappe.get_all("Social Mention", {"social_account": hostile}, pluck="name"):
		mention = frappe.get_doc("Social Mention", name)
		if not mention.social_ticket:
			ticket = create_ticket_for(mention)
			issue = frappe.db.get_value("Social Ticket", ticket, "issue")
			tickets.add_communication(issue, mention)
			made.append(ticket)
	user = make_user(AGENT, "Support Team", full_name="Browser Agent")
	from frappe.utils.password import update_password

	update_password(user, AGENT_PASSWORD)
	frappe.db.commit()
	result = {
		"fetch": {k: fetched.get(k) for k in ("status", "new_mentions", "error")},
		"sentinel_fetch": {k: failed.get(k) for k in ("status", "error")},
		"tickets": len(made),
		"agent": AGENT,
	}
	print(json.dumps(result, default=str))
	return result
