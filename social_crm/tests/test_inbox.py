"""Integration tests of the Social Inbox's methods and of the desk fixes behind them
(run by `bench --site <site> run-tests --app social_crm --module social_crm.tests.test_inbox`).

What they assert is what an agent relies on: the inbox lists and opens only what the
permission engine lets the user read (a guest and a user without roles get nothing), the
account's own replies never come back as mentions, a corrected sentiment is triaged again,
a profile's customer reaches its history, and replies wait for approval with a notification
and a ToDo and are credited to their writer.
"""

import json
import uuid
from datetime import datetime, timezone

import frappe
from frappe.tests.utils import FrappeTestCase, change_settings

from social_crm import api, inbox, reasons, tickets
from social_crm.engine.keywords import KeywordSpec
from social_crm.engine.mention import Author, Mention
from social_crm.engine.pipeline import Pipeline
from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.triage import R_NEGATIVE, Action, Decision, Priority, Reason
from social_crm.ingest import store_mentions
from social_crm.tests.records import make_customer, make_mention, make_profile, make_user

AGENT = "inbox-agent@example.com"
OTHER_AGENT = "inbox-agent-2@example.com"
MANAGER = "inbox-manager@example.com"
NOBODY = "inbox-nobody@example.com"
TOKEN = "inbox-test-token"


def uid() -> str:
	return uuid.uuid4().hex[:12]


def post_id() -> str:
	return str(uuid.uuid4().int)[:18]


def negative() -> Decision:
	return Decision(
		action=Action.CREATE_TICKET,
		priority=Priority.MEDIUM,
		reasons=(Reason(R_NEGATIVE, {"score": -0.66, "threshold": -0.3}),),
	)


class InboxTestCase(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		make_user(AGENT, "Support Team", full_name="Inbox Agent")
		make_user(OTHER_AGENT, "Support Team", full_name="Other Agent")
		make_user(MANAGER, "Social Media Manager", full_name="Inbox Manager")
		make_user(NOBODY)
		self.handle = f"anna{uid()}@mastodon.example"

	def tearDown(self):
		frappe.set_user("Administrator")

	def mention(self, **values):
		values.setdefault("author_handle", self.handle)
		values.setdefault("sentiment_label", "Negative")
		values.setdefault("sentiment_score", -0.66)
		return make_mention(external_id=values.pop("external_id", post_id()), **values)

	def ticket(self, **values):
		return tickets.apply_decision(self.mention(**values), negative())

	def names(self, filters=None):
		return {
			(item["doctype"], item["name"]) for item in inbox.conversations(filters, page_length=100)["items"]
		}


class TestInboxPermissions(InboxTestCase):
	def test_agent_sees_tickets_and_mentions_needing_a_decision(self):
		ticket = self.ticket(
			text="Acme <img src=x onerror=alert(1)> ist kaputt https://status.example/x javascript:alert(1)"
		)
		suggested = self.mention(status="New", triage_action="Suggest")
		ignored = self.mention(status="New", triage_action="Ignore")
		frappe.set_user(AGENT)
		names = self.names()
		self.assertIn(("Social Ticket", ticket), names)
		self.assertIn(("Social Mention", suggested.name), names)
		self.assertNotIn(("Social Mention", ignored.name), names)
		item = inbox.conversation_item("Social Ticket", ticket)
		html = item["mention"]["text_html"]
		self.assertNotIn("<img", html)
		self.assertIn("&lt;img", html)
		self.assertIn('href="https://status.example/x"', html)
		self.assertNotIn('href="javascript', html)
		self.assertIn("-0.66", item["reason"])

	def test_user_permissions_limit_what_an_agent_reads(self):
		mine, theirs = make_customer("_Test Inbox Mine"), make_customer("_Test Inbox Theirs")
		visible = self.ticket(customer=mine)
		hidden = self.ticket(customer=theirs, author_handle=f"bob{uid()}@mastodon.example")
		frappe.get_doc(
			{"doctype": "User Permission", "user": AGENT, "allow": "Customer", "for_value": mine}
		).insert(ignore_permissions=True)
		try:
			frappe.set_user(AGENT)
			names = self.names({"status": "all"})
			self.assertIn(("Social Ticket", visible), names)
			self.assertNotIn(("Social Ticket", hidden), names)
			self.assertIsNone(inbox.conversation_item("Social Ticket", hidden))
			with self.assertRaises(frappe.PermissionError):
				inbox.conversation("Social Ticket", hidden)
			with self.assertRaises(frappe.PermissionError):
				inbox.mark_done("Social Ticket", hidden)
			self.assertEqual(inbox.conversation("Social Ticket", visible)["name"], visible)
		finally:
			frappe.set_user("Administrator")
			frappe.db.delete("User Permission", {"user": AGENT})

	def test_guest_and_users_without_roles_get_nothing(self):
		ticket = self.ticket()
		for user in ("Guest", NOBODY):
			frappe.set_user(user)
			self.assertEqual(inbox.conversations()["items"], [])
			self.assertIsNone(inbox.conversation_item("Social Ticket", ticket))
			with self.assertRaises(frappe.PermissionError):
				inbox.conversation("Social Ticket", ticket)
			with self.assertRaises(frappe.PermissionError):
				inbox.viewing("Social Ticket", ticket)
		frappe.set_user("Guest")
		for method in ("conversations", "conversation", "viewing", "save_filters", "assign"):
			with self.assertRaises(frappe.PermissionError):
				frappe.is_whitelisted(getattr(inbox, method))

	def test_only_inbox_doctypes_can_be_opened(self):
		frappe.set_user(AGENT)
		with self.assertRaises(frappe.PermissionError):
			inbox.conversation("User", "Administrator")


class TestInboxStream(InboxTestCase):
	def test_filters_are_saved_per_user(self):
		frappe.set_user(AGENT)
		saved = inbox.save_filters(json.dumps({"platform": "Mastodon", "status": "bogus", "evil": "x"}))
		self.assertEqual(saved["platform"], "Mastodon")
		self.assertEqual(saved["status"], "open")
		self.assertNotIn("evil", saved)
		self.assertEqual(inbox.get_filters()["platform"], "Mastodon")
		frappe.set_user(OTHER_AGENT)
		self.assertNotIn("platform", inbox.get_filters())

	def test_filters_narrow_the_stream(self):
		keyword = uid()
		negative_ticket = self.ticket(text=f"{keyword} kaputt", language="de")
		positive = self.mention(
			text=f"{keyword} super",
			sentiment_label="Positive",
			sentiment_score=0.7,
			status="New",
			opportunity=1,
		)
		frappe.set_user(AGENT)
		self.assertEqual(
			self.names({"keyword": keyword}),
			{("Social Ticket", negative_ticket), ("Social Mention", positive.name)},
		)
		self.assertEqual(
			self.names({"keyword": keyword, "sentiment": "Positive"}), {("Social Mention", positive.name)}
		)
		self.assertEqual(
			self.names({"keyword": keyword, "language": "de"}), {("Social Ticket", negative_ticket)}
		)
		self.assertEqual(self.names({"keyword": keyword, "platform": "Reddit"}), set())
		inbox.assign("Social Ticket", negative_ticket)
		self.assertEqual(
			self.names({"keyword": keyword, "assigned": "me"}), {("Social Ticket", negative_ticket)}
		)
		self.assertEqual(
			self.names({"keyword": keyword, "assigned": "unassigned"}), {("Social Mention", positive.name)}
		)

	def test_urgent_first_puts_high_priority_on_top(self):
		keyword = uid()
		low = self.ticket(text=f"{keyword} eins")
		frappe.db.set_value("Social Ticket", low, "priority", "Low")
		high = self.ticket(text=f"{keyword} zwei", author_handle=f"c{uid()}@mastodon.example")
		frappe.db.set_value("Social Ticket", high, "priority", "High")
		frappe.set_user(AGENT)
		items = inbox.conversations({"keyword": keyword, "sort": "urgent"})["items"]
		self.assertEqual([item["name"] for item in items], [high, low])

	def test_conversation_shows_the_thread_and_our_reply_credited_to_the_writer(self):
		fake = FakeMastodon(token=TOKEN)
		fake.start()
		self.addCleanup(fake.stop)
		account = make_account(fake.base_url)
		post = fake.add_post(text="Acme kaputt", author="anna", id=post_id())
		ticket = tickets.apply_decision(self.mention(external_id=post.id, social_account=account), negative())
		frappe.set_user(AGENT)
		state = api.send_reply(ticket, "Das tut uns leid, {author_name}!")
		self.assertEqual(state["reply_status"], "Sent")
		frappe.set_user("Administrator")
		self.assertTrue(frappe.db.get_value("Social Ticket", ticket, "reply_external_id"))
		issue = frappe.db.get_value("Social Ticket", ticket, "issue")
		sent = frappe.get_all(
			"Communication",
			{"reference_doctype": "Issue", "reference_name": issue, "sent_or_received": "Sent"},
			["sender", "sender_full_name"],
		)
		self.assertEqual(sent[0].sender, AGENT)
		self.assertEqual(sent[0].sender_full_name, "Inbox Agent")
		frappe.set_user(AGENT)
		thread = inbox.conversation("Social Ticket", ticket)["thread"]
		self.assertEqual([entry["direction"] for entry in thread], ["received", "sent"])


def make_account(base_url: str, own_handle: str = "acme") -> str:
	name = f"_Test Inbox Mastodon {uid()}"
	frappe.get_doc(
		{
			"doctype": "Social Account",
			"account_name": name,
			"platform": "Mastodon",
			"base_url": base_url,
			"own_handle": own_handle,
			"access_token": TOKEN,
			"enabled": 0,
		}
	).insert(ignore_permissions=True)
	return name


class TestApproval(InboxTestCase):
	def setUp(self):
		super().setUp()
		self.fake = FakeMastodon(token=TOKEN)
		self.fake.start()
		self.addCleanup(self.fake.stop)
		self.account = make_account(self.fake.base_url)

	def test_waiting_reply_notifies_managers_and_the_approval_closes_their_todo(self):
		post = self.fake.add_post(text="Acme kaputt", author="anna", id=post_id())
		ticket = tickets.apply_decision(
			self.mention(external_id=post.id, social_account=self.account), negative()
		)
		with change_settings("Social CRM Settings", {"reply_approval_required": 1}):
			frappe.set_user(AGENT)
			self.assertEqual(api.send_reply(ticket, "Wir prüfen das.")["reply_status"], "Awaiting Approval")
			frappe.set_user("Administrator")
			self.assertTrue(
				frappe.db.exists(
					"Notification Log",
					{"for_user": MANAGER, "document_type": "Social Ticket", "document_name": ticket},
				)
			)
			todo = {"allocated_to": MANAGER, "reference_type": "Social Ticket", "reference_name": ticket}
			self.assertEqual(frappe.db.get_value("ToDo", todo, "status"), "Open")
			self.assertFalse(frappe.db.exists("ToDo", {**todo, "allocated_to": AGENT}))
			frappe.set_user(MANAGER)
			self.assertEqual(api.approve_reply(ticket)["reply_status"], "Sent")
			frappe.set_user("Administrator")
		self.assertEqual(frappe.db.get_value("ToDo", todo, "status"), "Closed")
		doc = frappe.get_doc("Social Ticket", ticket)
		self.assertEqual((doc.reply_author, doc.approved_by), (AGENT, MANAGER))
		sender = frappe.db.get_value(
			"Communication", {"reference_name": doc.issue, "sent_or_received": "Sent"}, "sender"
		)
		self.assertEqual(sender, AGENT)

	def test_no_reply_text_on_feeds_and_hacker_news(self):
		ticket = self.ticket(platform="Hacker News", author_handle=f"hn{uid()}")
		doc = frappe.get_doc("Social Ticket", ticket)
		doc.reply_text = "Hallo"
		with self.assertRaises(frappe.ValidationError):
			doc.save()
		self.assertFalse(api.reply_info(ticket)["reply_supported"])

	def test_too_long_reply_is_not_posted(self):
		post = self.fake.add_post(text="Acme kaputt", author="anna", id=post_id())
		ticket = tickets.apply_decision(
			self.mention(external_id=post.id, social_account=self.account), negative()
		)
		with self.assertRaises(frappe.ValidationError):
			api.send_reply(ticket, "x" * 501)
		self.assertEqual([r for r in self.fake.requests_to("/api/v1/statuses") if r.method == "POST"], [])
		self.assertEqual(api.reply_info(ticket)["limit"], 500)

	def test_saved_replies_are_filled_for_the_ticket(self):
		if not frappe.db.exists("Social Saved Reply", "_Test Hallo"):
			frappe.get_doc(
				{
					"doctype": "Social Saved Reply",
					"title": "_Test Hallo",
					"language": "de",
					"reply": "Hallo {author_name}, {agent_name}",
				}
			).insert(ignore_permissions=True)
		ticket = self.ticket(author_name="Anna Schmidt")
		frappe.set_user(AGENT)
		saved = {row["name"]: row for row in api.saved_replies(ticket)}
		self.assertEqual(saved["_Test Hallo"]["text"], "Hallo Anna Schmidt, Inbox Agent")
		frappe.set_user(NOBODY)
		with self.assertRaises(frappe.PermissionError):
			api.saved_replies(ticket)


class TestOwnPosts(InboxTestCase):
	def test_our_reply_and_posts_by_the_account_never_become_mentions(self):
		fake = FakeMastodon(token=TOKEN)
		fake.start()
		self.addCleanup(fake.stop)
		host = fake.base_url.split("//", 1)[1].split(":", 1)[0].split("/", 1)[0]
		account = frappe.get_doc("Social Account", make_account(fake.base_url))
		ticket = self.ticket()
		sent_id = post_id()
		frappe.db.set_value("Social Ticket", ticket, "reply_external_id", sent_id)
		now = datetime.now(timezone.utc)

		def post(handle, external_id, text="@anna Acme kümmert sich, sorry!"):
			return Mention(
				platform="Mastodon",
				external_id=external_id,
				url=f"https://{host}/@x/{external_id}",
				author=Author(handle=handle),
				text=text,
				posted_at=now,
			)

		ours = post(f"acme@{host}", post_id())
		sent = post(f"renamed@{host}", sent_id)
		customer = post(f"lena{uid()}@{host}", post_id(), "Acme ist immer noch kaputt")
		if not frappe.db.exists("Monitored Keyword", "_Test Inbox Acme"):
			frappe.get_doc(
				{"doctype": "Monitored Keyword", "keyword_name": "_Test Inbox Acme", "query": "acme"}
			).insert(ignore_permissions=True)
		pipeline = Pipeline([KeywordSpec("_Test Inbox Acme", "acme")])
		counts = store_mentions(account, [ours, sent, customer], pipeline)
		self.assertEqual(counts, {"new": 1, "duplicates": 0, "dropped": 2, "failed": []})
		for mention in (ours, sent):
			self.assertFalse(
				frappe.db.exists(
					"Social Mention", {"platform": "Mastodon", "external_id": mention.external_id}
				)
			)
		self.assertTrue(
			frappe.db.exists("Social Mention", {"platform": "Mastodon", "external_id": customer.external_id})
		)


class TestCorrections(InboxTestCase):
	def test_reclassify_to_neutral_triages_again_and_closes_the_ticket_it_alone_opened(self):
		mention = self.mention(text="Acme, na ja")
		ticket = tickets.apply_decision(mention, negative())
		frappe.set_user(AGENT)
		inbox.reclassify("Social Ticket", ticket, "Neutral")
		frappe.set_user("Administrator")
		mention.reload()
		self.assertNotIn("at or below", mention.triage_reason)
		self.assertIn("above the threshold", mention.triage_reason)
		self.assertEqual(mention.triage_action, "Ignore")
		self.assertEqual(mention.status, "Reviewed")
		doc = frappe.get_doc("Social Ticket", ticket)
		self.assertEqual(doc.status, "Closed")
		self.assertEqual(frappe.db.get_value("Issue", doc.issue, "status"), "Closed")

	def test_reclassify_keeps_a_ticket_with_more_of_the_conversation(self):
		first = self.mention(text="Acme kaputt")
		ticket = tickets.apply_decision(first, negative())
		second = self.mention(text="Immer noch", in_reply_to=first.external_id)
		tickets.apply_decision(second, Decision(Action.APPEND_TO_TICKET, Priority.MEDIUM, (), ticket=ticket))
		api.reclassify_sentiment([first.name], "Neutral")
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket, "status"), "Open")
		self.assertIn("Neutral", frappe.db.get_value("Social Ticket", ticket, "triage_reason"))

	def test_reclassify_to_negative_opens_the_ticket(self):
		mention = self.mention(text="Acme", sentiment_label="Neutral", sentiment_score=0.0, status="New")
		api.reclassify_sentiment([mention.name], "Negative")
		mention.reload()
		self.assertTrue(mention.social_ticket)
		self.assertEqual(frappe.db.get_value("Social Ticket", mention.social_ticket, "status"), "Open")

	def test_customer_set_on_the_profile_reaches_mentions_and_open_tickets(self):
		customer = make_customer("_Test Inbox Profile Customer")
		profile = make_profile(handle=self.handle)
		earlier = self.mention(social_profile=profile.name)
		ticket = self.ticket(social_profile=profile.name)
		other = make_customer("_Test Inbox Other Customer")
		kept = self.mention(social_profile=profile.name, customer=other)
		profile.customer = customer
		profile.save()
		self.assertEqual(frappe.db.get_value("Social Mention", earlier.name, "customer"), customer)
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket, "customer"), customer)
		issue = frappe.db.get_value("Social Ticket", ticket, "issue")
		self.assertEqual(frappe.db.get_value("Issue", issue, "customer"), customer)
		self.assertEqual(frappe.db.get_value("Social Mention", kept.name, "customer"), other)


class TestLanguage(InboxTestCase):
	def test_store_time_text_is_in_the_site_language_and_reasons_in_the_readers(self):
		with change_settings("System Settings", {"language": "de"}):
			ticket = frappe.get_doc("Social Ticket", self.ticket())
			issue = frappe.db.get_value("Issue", ticket.issue, "description")
			self.assertIn("Plattform:", issue)
			self.assertIn("Stimmungswert -0.66", ticket.triage_reason)
		self.assertIn("Sentiment -0.66", reasons.render(ticket.triage_reasons, "en"))
		self.assertIn("Stimmungswert -0.66", reasons.render(ticket.triage_reasons, "de"))


class TestSupportSettings(FrappeTestCase):
	def test_agents_can_read_support_settings_and_uninstall_takes_it_back(self):
		from social_crm.install import grant_reads
		from social_crm.uninstall import revoke_reads

		make_user(AGENT, "Support Team")
		grant_reads()
		frappe.local.role_permissions = {}  # the request's permission cache
		self.assertTrue(frappe.has_permission("Support Settings", "read", user=AGENT))
		revoke_reads()
		try:
			frappe.local.role_permissions = {}
			self.assertFalse(frappe.has_permission("Support Settings", "read", user=AGENT))
		finally:
			grant_reads()
