"""Integration tests: a poll cut short by a rate limit keeps what it fetched, and a Reddit
account logs in at its own token endpoint (run by bench run-tests)."""

from datetime import datetime, timedelta, timezone

import frappe
from frappe.tests.utils import FrappeTestCase

from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.platform_fakes.reddit import FakeReddit
from social_crm.engine.platform_fakes.server import SeedPost
from social_crm.ingest import fetch_account, load_cursor

TOKEN = "partial-test-token-51c2"
ACCOUNTS = ("_Test Partial Mastodon", "_Test Partial Reddit")
KEYWORD = "_Test Partial Acme"


def clean():
	for doctype in ("Social Fetch Log", "Social Ticket", "Social Mention", "Social Profile"):
		frappe.db.delete(doctype)
	frappe.db.delete("Issue", {"social_ticket": ("is", "set")})
	frappe.db.delete("Social Account", {"name": ("in", ACCOUNTS)})
	frappe.db.commit()


class TestPartialPoll(FrappeTestCase):
	def setUp(self):
		clean()
		if not frappe.db.exists("Monitored Keyword", KEYWORD):
			frappe.get_doc({"doctype": "Monitored Keyword", "keyword_name": KEYWORD, "query": "acme"}).insert(
				ignore_permissions=True
			)
		frappe.db.commit()

	def tearDown(self):
		clean()
		frappe.db.delete("Monitored Keyword", {"name": KEYWORD})
		frappe.db.commit()

	def test_a_rate_limit_on_page_two_stores_page_one_pauses_and_resumes_without_duplicates(self):
		with FakeMastodon(token=TOKEN) as fake:
			posts = [
				fake.add_post(text=f"<p>Acme Cloud Beitrag {n}</p>", author=f"user{n}") for n in range(90)
			]
			reset = datetime.now(timezone.utc) + timedelta(minutes=10)
			fake.fail(
				"rate_limit",
				path="/api/v2/search",
				skip=1,
				headers={
					"X-RateLimit-Remaining": "0",
					"X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
				},
			)
			account = frappe.get_doc(
				{
					"doctype": "Social Account",
					"account_name": ACCOUNTS[0],
					"platform": "Mastodon",
					"base_url": fake.base_url,
					"access_token": TOKEN,
				}
			).insert(ignore_permissions=True)
			log = fetch_account(account.name)
			self.assertEqual(log["status"], "Rate Limited")
			self.assertEqual(log["new_mentions"], 40, "page 1 (40 statuses) is kept")
			account.reload()
			self.assertTrue(account.paused_until)
			self.assertIn("rate limited", account.last_error)
			self.assertTrue(any("gap" in state for state in load_cursor(account).values()))
			frappe.db.set_value("Social Account", account.name, "paused_until", None)
			second = fetch_account(account.name)
		self.assertEqual(second["status"], "Success")
		self.assertEqual(second["duplicates"], 0, "no page was fetched twice")
		self.assertEqual(frappe.db.count("Social Mention"), len(posts))

	def test_reddit_logs_in_at_the_accounts_token_endpoint(self):
		with FakeReddit(client_secret="partial-secret", password="partial-password") as fake:
			fake.add_post(SeedPost(title="Acme Cloud Erfahrungen?", text="Ist Acme gut?", author="max_m"))
			account = frappe.get_doc(
				{
					"doctype": "Social Account",
					"account_name": ACCOUNTS[1],
					"platform": "Reddit",
					"base_url": fake.base_url,
					"auth_url": fake.base_url,
					"client_id": "reddit-client",
					"client_secret": "partial-secret",
					"username": "acme_support",
					"password": "partial-password",
				}
			).insert(ignore_permissions=True)
			self.assertIn("acme_support", account.test_connection())
			log = fetch_account(account.name)
			token_requests = fake.requests_to("/api/v1/access_token")
		self.assertEqual(log["status"], "Success")
		self.assertEqual(log["new_mentions"], 1)
		self.assertTrue(token_requests)
