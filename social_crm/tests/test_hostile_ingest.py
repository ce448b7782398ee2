"""Integration tests: a hostile Mastodon server through the real fetch job (bench run-tests).

What is stored must be escaped exactly once, hold only safe URLs, keep impostors apart, store
oversized posts shortened, move the cursor, and never hold a credential.
"""

import html
import json
from unittest.mock import patch

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime

from social_crm import privacy, tickets
from social_crm.engine.platform_fakes import hostile
from social_crm.engine.platform_fakes.hostile import HostileMastodon
from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.untrusted import SAFE_URL
from social_crm.ingest import fetch_account, load_cursor
from social_crm.profiles import handle_key
from social_crm.tests.records import make_user

TOKEN = "hostile-ingest-token-93b1"
SENTINEL = "SENTINEL-9f2e41c7-token"
ACCOUNT = "_Test Hostile Mastodon"
KEYWORD = "_Test Hostile Acme"
MARKUP = set("<>")


def clean():
	for doctype in ("Social Fetch Log", "Social Ticket", "Social Mention", "Social Profile"):
		frappe.db.delete(doctype)
	frappe.db.delete("Issue", {"social_ticket": ("is", "set")})
	frappe.db.delete("Social Account", {"name": ("like", f"{ACCOUNT}%")})
	frappe.db.delete("Error Log", {"error": ("like", f"%{SENTINEL}%")})
	for contact in frappe.get_all(
		"Contact", {"first_name": "Mallory", "last_name": ("is", "not set")}, pluck="name"
	):
		frappe.delete_doc("Contact", contact, force=True, ignore_permissions=True)
	frappe.db.commit()


class HostileTestCase(FrappeTestCase):
	def setUp(self):
		clean()
		if not frappe.db.exists("Monitored Keyword", KEYWORD):
			frappe.get_doc({"doctype": "Monitored Keyword", "keyword_name": KEYWORD, "query": "acme"}).insert(
				ignore_permissions=True
			)
		frappe.db.set_single_value("Social CRM Settings", "keep_raw_payload", 0)
		frappe.db.commit()

	def tearDown(self):
		frappe.set_user("Administrator")
		clean()
		frappe.db.delete("Monitored Keyword", {"name": KEYWORD})
		frappe.db.commit()

	def make_account(self, fake, token=TOKEN, suffix=""):
		return frappe.get_doc(
			{
				"doctype": "Social Account",
				"account_name": ACCOUNT + suffix,
				"platform": "Mastodon",
				"base_url": fake.base_url,
				"own_handle": "acme",
				"access_token": token,
			}
		).insert(ignore_permissions=True)

	def fetch_hostile(self):
		with HostileMastodon(token=TOKEN) as fake:
			account = self.make_account(fake)
			log = fetch_account(account.name)
		return account, log

	def mention_of(self, handle):
		name = frappe.db.get_value("Social Mention", {"author_handle": handle})
		self.assertTrue(name, f"no mention by {handle}")
		return frappe.get_doc("Social Mention", name)


class TestHostileIngest(HostileTestCase):
	def test_every_payload_is_stored_escaped_once_and_the_cursor_moves(self):
		account, log = self.fetch_hostile()
		self.assertEqual(log["status"], "Success", log.get("error"))
		self.assertEqual(log["new_mentions"], len(hostile.hostile_posts()), "every post, impostors' too")
		self.assertTrue(load_cursor(frappe.get_doc("Social Account", account.name)), "the cursor moved")
		for row in frappe.get_all("Social Mention", fields=["text", "author_name", "author_handle"]):
			for value in row.values():
				self.assertFalse(MARKUP & set(value or ""), f"markup stored: {value[:80]!r}")
		json_post = self.mention_of("json@evil.example")
		plain = html.unescape(json_post.text)
		self.assertTrue(json.loads(plain).startswith("<img src=x onerror="), "the author's text, as written")
		self.assertEqual(json_post.text, html.escape(plain), "escaped exactly once")
		self.assertNotIn("&amp;lt;", json_post.text)
		script = self.mention_of("script@evil.example")
		self.assertEqual(html.unescape(script.author_name), hostile.XSS_SCRIPT)
		self.assertNotIn("window.__xss='raw'", script.text, "script bodies in markup are not text")
		for row in frappe.get_all("Social Profile", fields=["display_name", "bio", "handle"]):
			for value in row.values():
				self.assertFalse(MARKUP & set(value or ""), f"markup stored on a profile: {value!r}")

	def test_urls_are_clean_and_raw_payloads_are_not_kept(self):
		self.fetch_hostile()
		links = self.mention_of("links@evil.example")
		self.assertEqual(links.url or "", "")
		profile = frappe.get_doc("Social Profile", links.social_profile)
		self.assertEqual((profile.profile_url or "", profile.avatar_url or ""), ("", ""))
		for row in frappe.get_all("Social Mention", fields=["url", "raw_payload"]):
			self.assertTrue(not row.url or SAFE_URL.fullmatch(row.url), row.url)
			self.assertFalse(row.raw_payload, "dropped after analysis unless Settings keep it")
		for row in frappe.get_all("Social Profile", fields=["profile_url", "avatar_url"]):
			for url in row.values():
				self.assertTrue(not url or SAFE_URL.fullmatch(url), url)

	def test_raw_payloads_are_kept_when_settings_say_so_and_never_printed(self):
		frappe.db.set_single_value("Social CRM Settings", "keep_raw_payload", 1)
		frappe.clear_document_cache("Social CRM Settings", "Social CRM Settings")
		self.fetch_hostile()
		script = self.mention_of("script@evil.example")
		self.assertIn("<script>", script.raw_payload, "kept as the platform sent it")
		field = frappe.get_meta("Social Mention").get_field("raw_payload")
		self.assertEqual((field.print_hide, field.report_hide, field.hidden), (1, 1, 1))

	def test_impostors_get_profiles_of_their_own(self):
		self.fetch_hostile()
		handles = dict(frappe.get_all("Social Profile", fields=["handle", "name"], as_list=True))
		self.assertIn("mallory@evil.example", handles)
		self.assertIn("mallóry@evil.example", handles, "the accent variant is another person")
		self.assertNotEqual(handles["mallory@evil.example"], handles["mallóry@evil.example"])
		self.assertNotIn(
			"MALLORY@evil.example", handles, "Mastodon handles are case-insensitive: same account"
		)
		self.assertEqual(
			frappe.db.get_value("Social Profile", handles["mallory@evil.example"], "mention_count"),
			3,
			"the real one, its upper-case spelling and the zero-width copy (which reads the same)",
		)
		self.assertIn("acme@evil.example", handles)
		self.assertIn("emca@evil.example", handles)
		self.assertFalse(any("\u200b" in h or "\u202e" in h for h in handles))

	def test_oversized_values_are_stored_shortened_not_failed(self):
		_, log = self.fetch_hostile()
		self.assertEqual(log["status"], "Success")
		long = self.mention_of("long@evil.example")
		self.assertGreater(len(long.text.encode()), 65_535, "Long Text holds it")
		self.assertLessEqual(len(long.author_name), 255)
		self.assertTrue(long.author_name.endswith("…"))
		profile = frappe.get_doc("Social Profile", long.social_profile)
		self.assertLessEqual(len(profile.display_name), 255)

	def test_tickets_issues_and_timeline_hold_no_markup(self):
		from social_crm.api import create_ticket_for

		self.fetch_hostile()
		json_post, script, long = (
			self.mention_of(h) for h in ("json@evil.example", "script@evil.example", "long@evil.example")
		)
		ticket = frappe.get_doc("Social Ticket", create_ticket_for(json_post))
		issue = frappe.get_doc("Issue", ticket.issue)
		for value in (ticket.subject, issue.subject):
			self.assertFalse(MARKUP & set(value), value)
			self.assertLessEqual(len(value), 140)
		self.assertNotIn("<img", issue.description)
		tickets.add_communication(issue.name, script)
		tickets.add_communication(issue.name, long)
		for row in frappe.get_all(
			"Communication",
			{"reference_doctype": "Issue", "reference_name": issue.name},
			["sender_full_name", "content", "subject"],
		):
			self.assertFalse(MARKUP & set(row.sender_full_name or ""), row.sender_full_name)
			self.assertLessEqual(len(row.sender_full_name or ""), 140)
			self.assertNotIn("<script", row.content)
			self.assertNotIn("<img", row.content)

	def test_a_mention_that_cannot_be_stored_is_skipped_with_a_record_and_the_cursor_moves(self):
		from social_crm import ingest

		real = ingest.new_mention

		def failing(account, item, *args):
			if item.mention.author.handle == "phish@evil.example":
				raise frappe.CharacterLengthExceededError("too long")
			return real(account, item, *args)

		# every mention of a fetch is made by new_mention (a page's bulk write, then one by one
		# when that fails, and insert_mention)
		with patch.object(ingest, "new_mention", failing):
			account, log = self.fetch_hostile()
		self.assertEqual(log["status"], "Partly Stored")
		self.assertIn("could not be stored", log["error"])
		self.assertTrue(load_cursor(frappe.get_doc("Social Account", account.name)), "not held back")
		self.assertEqual(frappe.db.count("Social Fetch Log", {"status": "Partly Stored"}), 1)

	def test_two_servers_with_the_same_ids_do_not_drop_each_others_posts(self):
		with (
			FakeMastodon(token=TOKEN, host="one.example") as one,
			FakeMastodon(token=TOKEN, host="two.example") as two,
		):
			for fake in (one, two):
				fake.add_post(text="<p>acme ist kaputt</p>", author="anna")
			self.assertEqual(one.posts[0].id, two.posts[0].id, "Mastodon ids are per server")
			fetch_account(self.make_account(one).name)
			fetch_account(self.make_account(two, suffix=" 2").name)
		self.assertEqual(frappe.db.count("Social Mention"), 2)
		self.assertEqual(
			sorted(frappe.get_all("Social Profile", pluck="handle")), ["anna@one.example", "anna@two.example"]
		)


class TestSecretsStayOut(HostileTestCase):
	def assert_no_sentinel(self):
		for doctype, fields in (
			("Error Log", ["error", "method"]),
			("Social Fetch Log", ["error"]),
			("Social Account", ["last_error", "cursor_state"]),
		):
			for row in frappe.get_all(doctype, fields=fields):
				for value in row.values():
					self.assertNotIn(SENTINEL, value or "", f"{doctype} holds the token")

	def test_a_failing_fetch_and_connection_test_never_record_the_token(self):
		with HostileMastodon(token="the-servers-real-token") as fake:
			account = self.make_account(fake, token=SENTINEL)
			log = fetch_account(account.name)
			self.assertEqual(log["status"], "Failed")
			self.assertTrue(fake.last_authorization.endswith(SENTINEL), "the server got it and echoed it")
			with self.assertRaises(frappe.ValidationError) as caught:
				frappe.get_doc("Social Account", account.name).test_connection()
		self.assertNotIn(SENTINEL, str(caught.exception))
		self.assertNotIn("<b>", str(caught.exception), "what the platform said is escaped")
		for message in frappe.get_message_log() if hasattr(frappe, "get_message_log") else []:
			self.assertNotIn(SENTINEL, str(message))
		self.assert_no_sentinel()

	def test_an_unexpected_error_is_logged_without_locals_or_the_token(self):
		with HostileMastodon(token=SENTINEL) as fake:
			account = self.make_account(fake, token=SENTINEL)
			# Not a malformed post (the connector skips and logs one of those and goes on), but
			# a failure of the poll itself.
			with patch(
				"social_crm.engine.connectors.mastodon.MastodonConnector.fetch",
				side_effect=OverflowError(f"boom {SENTINEL}"),
			):
				log = fetch_account(account.name)
		self.assertEqual(log["status"], "Failed")
		error = frappe.get_all("Error Log", {"reference_name": account.name}, ["error"], limit=1)
		self.assertTrue(error, "the failure is in the Error Log")
		self.assertIn("OverflowError", error[0].error)
		self.assert_no_sentinel()

	def test_test_connection_refuses_a_changed_server_for_stored_credentials(self):
		with HostileMastodon(token=TOKEN) as saved, HostileMastodon(token=TOKEN) as elsewhere:
			account = self.make_account(saved)
			unsaved = frappe.get_doc("Social Account", account.name)
			unsaved.base_url = elsewhere.base_url
			with self.assertRaises(frappe.PermissionError):
				unsaved.test_connection()
			self.assertEqual(elsewhere.requests, [], "the token never went to the other host")
			self.assertIn("acme", frappe.get_doc("Social Account", account.name).test_connection())


class TestQueryLimits(HostileTestCase):
	def test_an_oversized_query_is_a_validation_message_not_a_server_error(self):
		doc = frappe.get_doc(
			{"doctype": "Monitored Keyword", "keyword_name": "_Test Huge", "query": "acme " * 13_000}
		)
		with self.assertRaises(frappe.ValidationError) as caught:
			doc.insert(ignore_permissions=True)
		self.assertIn("2000", str(caught.exception))

	def test_check_query_is_for_social_media_managers_only(self):
		from social_crm.social_crm.doctype.monitored_keyword.monitored_keyword import check_query

		frappe.set_user(make_user("hostile-agent@example.com", "Support Team"))
		with self.assertRaises(frappe.PermissionError):
			check_query("acme")
		frappe.set_user(make_user("hostile-smm@example.com", "Social Media Manager"))
		self.assertTrue(check_query("acme")["valid"])


class TestPrivacy(HostileTestCase):
	def test_erase_author_anonymises_profile_mentions_thread_and_timeline(self):
		from social_crm.api import create_ticket_for

		self.fetch_hostile()
		script = self.mention_of("script@evil.example")
		ticket = frappe.get_doc("Social Ticket", create_ticket_for(script))
		tickets.add_communication(ticket.issue, script)
		profile = script.social_profile
		frappe.set_user(make_user("hostile-agent@example.com", "Support Team"))
		with self.assertRaises(frappe.PermissionError):
			privacy.erase_author(profile)
		frappe.set_user("Administrator")
		counts = privacy.erase_author(profile)
		self.assertEqual((counts["mentions"], counts["tickets"]), (1, 1))
		self.assertGreaterEqual(counts["communications"], 1)
		script.reload()
		self.assertEqual((script.text, script.author_name), (privacy.ERASED, ""))
		self.assertEqual(script.author_handle, privacy.erased_handle(profile))
		self.assertEqual(frappe.db.get_value("Social Profile", profile, "display_name") or "", "")
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket.name, "subject"), privacy.ERASED)
		self.assertEqual(frappe.db.get_value("Issue", ticket.issue, "subject"), privacy.ERASED)
		row = frappe.get_all("Social Ticket Mention", {"parent": ticket.name}, pluck="author_handle")
		self.assertEqual(row, [privacy.erased_handle(profile)])
		contents = frappe.get_all(
			"Communication", {"reference_doctype": "Issue", "reference_name": ticket.issue}, pluck="content"
		)
		self.assertTrue(contents)
		self.assertFalse([c for c in contents if "__xss" in c or "script" in c.lower()])
		self.assertFalse(frappe.get_all("Version", {"ref_doctype": "Social Mention", "docname": script.name}))

	def test_a_profile_can_be_deleted_and_its_mentions_keep_consistent_links(self):
		self.fetch_hostile()
		phish = self.mention_of("phish@evil.example")
		frappe.delete_doc("Social Profile", phish.social_profile)
		phish.reload()
		self.assertFalse(phish.social_profile)
		self.assertEqual(phish.text, privacy.ERASED)

	def test_retention_deletes_permanently_recounts_and_expires_profiles(self):
		self.fetch_hostile()
		real = frappe.db.get_value(
			"Social Profile", {"handle_key": handle_key("Mastodon", "mallory@evil.example")}
		)
		old = frappe.get_all("Social Mention", {"social_profile": real}, pluck="name")[:2]
		for name in old:
			ticket = frappe.db.get_value("Social Mention", name, "social_ticket")
			if ticket:  # triage opened one; retention keeps what a ticket refers to
				frappe.delete_doc("Social Ticket", ticket, force=True, ignore_permissions=True)
			frappe.db.set_value(
				"Social Mention", name, {"posted_at": add_days(now_datetime(), -400), "social_ticket": None}
			)
		phish = self.mention_of("phish@evil.example")
		frappe.db.set_value("Social Mention", phish.name, "posted_at", add_days(now_datetime(), -400))
		frappe.db.set_value(
			"Social Profile", phish.social_profile, "last_mention_at", add_days(now_datetime(), -400)
		)
		deleted = privacy.delete_expired(365)
		self.assertEqual(deleted["mentions"], 3)
		self.assertFalse(frappe.get_all("Deleted Document", {"deleted_name": ("in", [*old, phish.name])}))
		self.assertEqual(frappe.db.get_value("Social Profile", real, "mention_count"), 1)
		self.assertFalse(
			frappe.db.exists("Social Profile", phish.social_profile), "left with nothing: expired"
		)
		self.assertEqual(deleted["profiles"], 1)

	def test_user_data_fields_let_a_data_subject_request_find_the_author(self):
		hooks = {entry["doctype"]: entry for entry in frappe.get_hooks("user_data_fields")}
		for doctype in ("Social Profile", "Social Mention", "Social Ticket"):
			self.assertIn(doctype, hooks)
			meta = frappe.get_meta(doctype)
			self.assertTrue(meta.get_field(hooks[doctype]["filter_by"]))
			for field in hooks[doctype]["redact_fields"]:
				self.assertTrue(meta.get_field(field), f"{doctype}.{field}")
		self.fetch_hostile()
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Mallory",
				"email_ids": [{"email_id": "mallory@customer.example", "is_primary": 1}],
			}
		).insert(ignore_permissions=True)
		profile = frappe.get_doc(
			"Social Profile", {"handle_key": handle_key("Mastodon", "mallory@evil.example")}
		)
		profile.contact = contact.name
		profile.save()
		found = frappe.get_all("Social Mention", {"author_email": ("like", "%mallory@customer.example%")})
		self.assertEqual(len(found), 3)
		self.assertEqual(
			frappe.db.get_value("Social Profile", profile.name, "email"), "mallory@customer.example"
		)
