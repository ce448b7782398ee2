"""Integration tests of social_crm/tickets.py and api.py (run by `bench run-tests --app social_crm`)."""

import uuid
from datetime import datetime, timedelta, timezone

import frappe
from frappe.tests.utils import FrappeTestCase, change_settings
from frappe.utils import now_datetime

from social_crm import api, replies, tickets
from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.triage import R_NEGATIVE, Action, Decision, Priority, Reason, triage
from social_crm.stored_mention import engine_mention, to_utc
from social_crm.tests.records import make_customer, make_mention, make_profile, make_user

TOKEN = "tickets-test-token"
AGENT = "social-agent@example.com"


def uid() -> str:
	return uuid.uuid4().hex[:12]


def post_id() -> str:
	"""Fake servers number their posts from 1 each time; stored mentions must stay unique."""
	return str(uuid.uuid4().int)[:18]


def negative(priority=Priority.MEDIUM, action=Action.CREATE_TICKET, ticket=None) -> Decision:
	return Decision(
		action=action,
		priority=priority,
		reasons=(Reason(R_NEGATIVE, {"score": -0.72, "threshold": -0.3}),),
		ticket=ticket,
	)


def make_agent() -> str:
	return make_user(AGENT, "Support Team", full_name="Social Agent")


def make_account(base_url: str, platform: str = "Mastodon", token: str = TOKEN) -> str:
	name = f"_Test {platform} {uid()}"
	frappe.get_doc(
		{
			"doctype": "Social Account",
			"account_name": name,
			"platform": platform,
			"base_url": base_url,
			"own_handle": "acme",
			"access_token": token,
			"enabled": 0,
		}
	).insert(ignore_permissions=True)
	return name


class TicketTestCase(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.handle = f"anna{uid()}@mastodon.example"

	def tearDown(self):
		frappe.set_user("Administrator")

	def mention(self, **values):
		"""A stored mention by the test's author, on the author's Social Profile as ingest stores it."""
		values.setdefault("author_handle", self.handle)
		if "social_profile" not in values:
			values["social_profile"] = profile_of(values["author_handle"], values.get("platform", "Mastodon"))
		return make_mention(external_id=values.pop("external_id", uid()), **values)


def profile_of(handle: str, platform: str = "Mastodon") -> str:
	return frappe.db.get_value("Social Profile", {"platform": platform, "handle": handle}) or (
		make_profile(handle=handle, platform=platform).name
	)


class TestTicketsFromTriage(TicketTestCase):
	def test_negative_mention_opens_ticket_and_issue(self):
		customer = make_customer()
		if not frappe.db.exists("Issue Type", "_Test Social"):
			frappe.get_doc({"doctype": "Issue Type", "name": "_Test Social"}).insert(ignore_permissions=True)
		text = "Acme <script>alert(1)</script> hat mein Geld genommen!\nNie wieder. " + "x" * 200
		mention = self.mention(
			text=text,
			customer=customer,
			sentiment_label="Negative",
			sentiment_score=-0.72,
			url="javascript:alert(1)",
		)
		with change_settings(
			"Social CRM Settings", {"default_issue_type": "_Test Social", "default_priority": "Low"}
		):
			name = tickets.apply_decision(mention, negative(Priority.HIGH))
		ticket = frappe.get_doc("Social Ticket", name)
		self.assertEqual(ticket.status, "Open")
		self.assertEqual(ticket.priority, "High")
		self.assertEqual(ticket.customer, customer)
		self.assertEqual(ticket.social_mention, mention.name)
		self.assertEqual([row.social_mention for row in ticket.mentions], [mention.name])
		self.assertLessEqual(len(ticket.subject), tickets.SUBJECT_LENGTH)
		self.assertNotIn("\n", ticket.subject)
		self.assertIn("-0.72", ticket.triage_reason)

		issue = frappe.get_doc("Issue", ticket.issue)
		self.assertEqual(issue.subject, ticket.subject)
		self.assertEqual(issue.customer, customer)
		self.assertEqual(issue.priority, "High")
		self.assertEqual(issue.issue_type, "_Test Social")
		self.assertEqual(issue.social_ticket, ticket.name)
		self.assertNotIn("<script>", issue.description)
		self.assertIn("&lt;script&gt;", issue.description)
		self.assertNotIn("javascript:", issue.description)

		mention.reload()
		self.assertEqual(mention.status, "Ticketed")
		self.assertEqual(mention.social_ticket, ticket.name)
		self.assertEqual(mention.triage_action, "Create Ticket")
		self.assertEqual(mention.triage_priority, "High")

	def test_settings_priority_applies_when_triage_priority_is_not_an_issue_priority(self):
		self.assertIsNone(tickets.existing_priority("Nonexistent"))
		self.assertEqual(tickets.existing_priority("Medium"), "Medium")
		medium = frappe.get_doc("Issue Priority", "Medium")
		with change_settings("Social CRM Settings", {"default_priority": "Low"}):
			frappe.db.delete("Issue Priority", {"name": "Medium"})
			try:
				name = tickets.apply_decision(self.mention(), negative(Priority.MEDIUM))
			finally:
				medium.db_insert()
		self.assertEqual(frappe.db.get_value("Social Ticket", name, "priority"), "Low")

	def test_applying_twice_creates_one_ticket(self):
		mention = self.mention()
		first = tickets.apply_decision(mention, negative())
		second = tickets.apply_decision(frappe.get_doc("Social Mention", mention.name), negative())
		self.assertEqual(first, second)
		self.assertEqual(frappe.db.count("Social Ticket", {"social_mention": mention.name}), 1)
		self.assertEqual(frappe.db.count("Issue", {"social_ticket": first}), 1)

	def test_second_mention_of_the_thread_is_appended(self):
		first = self.mention(text="Acme ist kaputt")
		ticket = tickets.apply_decision(first, negative(Priority.MEDIUM))
		reply = self.mention(text="Immer noch kaputt! <b>fett</b>", in_reply_to=first.external_id)
		open_tickets = tickets.open_tickets_for(reply)
		self.assertEqual([t.name for t in open_tickets], [ticket])
		self.assertIn(first.external_id, open_tickets[0].mention_external_ids)
		decision = triage(
			engine_mention(reply),
			signals_negative(),
			now=datetime.now(timezone.utc),
			open_tickets=open_tickets,
		)
		self.assertEqual(decision.action, Action.APPEND_TO_TICKET)
		self.assertEqual(decision.ticket, ticket)
		self.assertEqual(tickets.apply_decision(reply, decision), ticket)
		self.assertEqual(tickets.apply_decision(reply, decision), ticket)  # idempotent

		doc = frappe.get_doc("Social Ticket", ticket)
		self.assertEqual([row.social_mention for row in doc.mentions], [first.name, reply.name])
		self.assertEqual(doc.priority, "High")  # raised by the urgent reply
		self.assertEqual(frappe.db.get_value("Issue", doc.issue, "priority"), "High")
		self.assertEqual(frappe.db.count("Social Ticket", {"social_mention": reply.name}), 0)
		timeline = frappe.get_all(
			"Communication",
			{"reference_doctype": "Issue", "reference_name": doc.issue, "sent_or_received": "Received"},
			pluck="content",
		)
		self.assertEqual(len(timeline), 1)
		self.assertIn("&lt;b&gt;fett&lt;/b&gt;", timeline[0])
		self.assertEqual(frappe.db.get_value("Social Mention", reply.name, "status"), "Ticketed")

	def test_append_never_lowers_priority(self):
		first = self.mention()
		ticket = tickets.apply_decision(first, negative(Priority.HIGH))
		second = self.mention()
		tickets.apply_decision(second, negative(Priority.LOW, Action.APPEND_TO_TICKET, ticket))
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket, "priority"), "High")

	def test_ticket_of_a_batch_is_found_for_the_next_mention_by_the_same_author(self):
		first = self.mention(text="Acme antwortet nicht")
		ticket = tickets.apply_decision(first, negative())
		second = self.mention(text="Hallo?? Acme??")
		self.assertEqual([t.name for t in tickets.open_tickets_for(second)], [ticket])
		other = self.mention(author_handle=f"bob{uid()}@mastodon.example")
		self.assertEqual(tickets.open_tickets_for(other), [])

	def test_an_author_s_ticket_is_found_by_the_posts_own_times(self):
		"""A backfill: posts written days ago, one hour apart, thread by their own times, and a
		post of the same author written days after the ticket's last activity does not."""
		old = now_datetime() - timedelta(days=5)
		first = self.mention(posted_at=old)
		ticket = tickets.apply_decision(first, negative())
		self.assertEqual(
			[t.name for t in tickets.open_tickets_for(self.mention(posted_at=old + timedelta(hours=1)))],
			[ticket],
		)
		[found] = tickets.open_tickets_for(self.mention(posted_at=old + timedelta(hours=1)))
		self.assertEqual(found.opened_at, to_utc(first.posted_at))
		self.assertEqual(tickets.open_tickets_for(self.mention(posted_at=old + timedelta(days=3))), [])

	def test_closed_ticket_is_not_open_for_threading(self):
		first = self.mention()
		ticket = tickets.apply_decision(first, negative())
		frappe.get_doc("Social Ticket", ticket).update({"status": "Closed"}).save()
		self.assertEqual(tickets.open_tickets_for(self.mention()), [])

	def test_suggest_and_ignore_only_set_triage_fields(self):
		suggested = self.mention()
		self.assertIsNone(tickets.apply_decision(suggested, negative(Priority.LOW, Action.SUGGEST)))
		suggested.reload()
		self.assertEqual((suggested.status, suggested.triage_action), ("New", "Suggest"))
		self.assertFalse(suggested.social_ticket)
		ignored = self.mention()
		tickets.apply_decision(ignored, negative(Priority.LOW, Action.IGNORE))
		ignored.reload()
		self.assertEqual(
			(ignored.status, ignored.triage_action, ignored.triage_priority), ("New", "Ignore", "Low")
		)


def signals_negative():
	from social_crm.engine.triage import Signals

	return Signals(score=-0.8, label="negative", urgency_terms=("kaputt",))


class TestStatusSync(TicketTestCase):
	def ticket(self):
		return frappe.get_doc("Social Ticket", tickets.apply_decision(self.mention(), negative()))

	def test_closing_the_issue_closes_the_ticket_and_reopening_reopens(self):
		ticket = self.ticket()
		issue = frappe.get_doc("Issue", ticket.issue)
		issue.status = "Closed"
		issue.save()
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket.name, "status"), "Closed")
		issue.reload()
		issue.status = "Open"
		issue.save()
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket.name, "status"), "Open")

	def test_resolving_the_ticket_resolves_the_issue_and_reopening_reopens(self):
		ticket = self.ticket()
		ticket.status = "Resolved"
		ticket.save()
		self.assertEqual(frappe.db.get_value("Issue", ticket.issue, "status"), "Resolved")
		ticket.reload()
		ticket.status = "Open"
		ticket.save()
		self.assertEqual(frappe.db.get_value("Issue", ticket.issue, "status"), "Open")

	def test_on_hold_leaves_the_ticket_alone(self):
		ticket = self.ticket()
		issue = frappe.get_doc("Issue", ticket.issue)
		issue.status = "On Hold"
		issue.save()
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket.name, "status"), "Open")


class TestReplies(TicketTestCase):
	def setUp(self):
		super().setUp()
		self.fake = FakeMastodon(token=TOKEN)
		self.fake.start()
		self.addCleanup(self.fake.stop)
		self.account = make_account(self.fake.base_url)

	def ticket(self, text="Ihr Support ist eine Katastrophe"):
		post = self.fake.add_post(text=text, author="anna", id=post_id())
		mention = self.mention(external_id=post.id, social_account=self.account)
		return frappe.get_doc("Social Ticket", tickets.apply_decision(mention, negative()))

	def posted(self):
		return [r for r in self.fake.requests_to("/api/v1/statuses") if r.method == "POST"]

	def test_reply_is_posted_and_recorded(self):
		ticket = self.ticket()
		state = api.send_reply(ticket.name, "Das tut uns leid, wir melden uns per DM.")
		self.assertEqual(state["reply_status"], "Sent")
		sent = self.posted()
		self.assertEqual(len(sent), 1)
		self.assertEqual(
			sent[0].json()["in_reply_to_id"],
			frappe.db.get_value("Social Mention", ticket.social_mention, "external_id"),
		)
		self.assertIn("Das tut uns leid", sent[0].json()["status"])
		self.assertTrue(sent[0].headers["idempotency-key"])

		ticket.reload()
		self.assertEqual((ticket.status, ticket.reply_status), ("Replied", "Sent"))
		self.assertTrue(ticket.reply_url.startswith("https://"))
		self.assertTrue(ticket.replied_at)
		self.assertEqual(frappe.db.get_value("Social Mention", ticket.social_mention, "status"), "Replied")
		self.assertEqual(frappe.db.get_value("Issue", ticket.issue, "status"), "Replied")
		self.assertTrue(
			frappe.db.exists(
				"Communication",
				{"reference_doctype": "Issue", "reference_name": ticket.issue, "sent_or_received": "Sent"},
			)
		)

	def test_second_send_does_not_post_twice(self):
		ticket = self.ticket()
		api.send_reply(ticket.name, "Wir kümmern uns.")
		again = api.send_reply(ticket.name, "Wir kümmern uns.")
		self.assertEqual(again["reply_status"], "Sent")
		replies.send_reply(ticket.name)
		self.assertEqual(len(self.posted()), 1)

	def test_failing_platform_keeps_the_text_and_shows_the_error(self):
		ticket = self.ticket()
		self.fake.fail("server_error", times=1, path="/api/v1/statuses", status=503)
		state = api.send_reply(ticket.name, "Bitte entschuldigen Sie.")
		self.assertEqual(state["reply_status"], "Failed")
		ticket.reload()
		self.assertEqual(ticket.reply_text, "Bitte entschuldigen Sie.")
		self.assertIn("503", ticket.reply_error)
		self.assertNotIn(TOKEN, ticket.reply_error)
		self.assertEqual(ticket.status, "Open")
		key = ticket.reply_idempotency_key
		# a retry after the outage uses the same key and succeeds
		self.assertEqual(api.send_reply(ticket.name)["reply_status"], "Sent")
		self.assertEqual({r.headers["idempotency-key"] for r in self.posted()}, {key})

	def test_wrong_token_fails_without_leaking_it(self):
		post = self.fake.add_post(text="kaputt", author="anna", id=post_id())
		account = make_account(self.fake.base_url, token="wrong-secret-token")
		mention = self.mention(external_id=post.id, social_account=account)
		ticket = tickets.apply_decision(mention, negative())
		state = api.send_reply(ticket, "Hallo")
		self.assertEqual(state["reply_status"], "Failed")
		self.assertIn("401", state["reply_error"])
		self.assertNotIn("wrong-secret-token", state["reply_error"])

	def test_platform_without_replies_says_so(self):
		mention = self.mention(platform="Hacker News", author_handle=f"hn{uid()}")
		ticket = tickets.apply_decision(mention, negative())
		with self.assertRaises(frappe.ValidationError):
			api.send_reply(ticket, "Hallo")
		self.assertFalse(replies.reply_supported("RSS/Atom"))
		self.assertTrue(replies.reply_supported("Mastodon"))

	def test_approval_required_waits_for_a_manager(self):
		agent = make_agent()
		ticket = self.ticket()
		with change_settings("Social CRM Settings", {"reply_approval_required": 1}):
			frappe.set_user(agent)
			state = api.send_reply(ticket.name, "Wir prüfen das.")
			self.assertEqual(state["reply_status"], "Awaiting Approval")
			self.assertEqual(self.posted(), [])
			with self.assertRaises(frappe.PermissionError):
				api.approve_reply(ticket.name)
			frappe.set_user("Administrator")
			state = api.approve_reply(ticket.name)
		self.assertEqual(state["reply_status"], "Sent")
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket.name, "approved_by"), "Administrator")
		self.assertEqual(len(self.posted()), 1)

	def test_form_save_cannot_mark_a_reply_approved(self):
		ticket = self.ticket()
		ticket.reply_text = "Hallo"
		ticket.save()
		self.assertEqual(ticket.reply_status, "Draft")
		ticket.reply_status = "Approved"
		ticket.save()
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket.name, "reply_status"), "Draft")

	def test_reply_from_the_issue(self):
		ticket = self.ticket()
		state = api.reply_from_issue(ticket.issue, "Antwort aus dem Issue")
		self.assertEqual(state["reply_status"], "Sent")
		self.assertIn("Antwort aus dem Issue", self.posted()[0].json()["status"])


class TestPermissions(TicketTestCase):
	def test_support_team_works_tickets_but_cannot_read_credentials(self):
		agent = make_agent()
		account = make_account("https://mastodon.example", token="very-secret-token")
		ticket = tickets.apply_decision(self.mention(), negative())
		frappe.set_user(agent)
		self.assertTrue(frappe.has_permission("Social Ticket", "write", ticket))
		self.assertTrue(
			frappe.has_permission(
				"Social Mention", "write", frappe.db.get_value("Social Ticket", ticket, "social_mention")
			)
		)
		doc = frappe.get_doc("Social Account", account)
		self.assertTrue(frappe.has_permission("Social Account", "read", doc))
		self.assertFalse(doc.has_permlevel_access_to("access_token"))
		from frappe.client import get

		values = get("Social Account", account)
		self.assertFalse(values.get("access_token"))
		self.assertNotIn("very-secret-token", frappe.as_json(values))

	def test_user_without_roles_cannot_use_list_actions(self):
		email = make_user("social-nobody@example.com")
		mention = self.mention()
		frappe.set_user(email)
		with self.assertRaises(frappe.PermissionError):
			api.ignore_mentions([mention.name])


class TestMentionActions(TicketTestCase):
	def test_create_ticket_from_the_list(self):
		make_agent()
		mention = self.mention(triage_priority="Low")
		frappe.set_user(AGENT)
		[name] = api.create_tickets(frappe.as_json([mention.name]))
		frappe.set_user("Administrator")
		ticket = frappe.get_doc("Social Ticket", name)
		self.assertEqual(ticket.priority, "Low")
		self.assertIn("Social Agent", ticket.triage_reason)
		self.assertTrue(ticket.issue)
		self.assertEqual(api.create_tickets([mention.name]), [name])

	def test_ignore(self):
		mention = self.mention()
		api.ignore_mentions([mention.name])
		self.assertEqual(frappe.db.get_value("Social Mention", mention.name, "status"), "Ignored")

	def test_reclassify(self):
		mention = self.mention(sentiment_label="Negative", sentiment_score=-0.4)
		api.reclassify_sentiment([mention.name], "Positive")
		mention.reload()
		self.assertEqual(
			(mention.sentiment_label, mention.sentiment_score, mention.sentiment_corrected),
			("Positive", 0.6, 1),
		)
		with self.assertRaises(frappe.ValidationError):
			api.reclassify_sentiment([mention.name], "Angry")

	def test_link_to_customer_updates_earlier_mentions_and_open_tickets(self):
		customer = make_customer(f"_Test Linked {uid()}")
		profile = make_profile(handle=self.handle)
		earlier = self.mention(social_profile=profile.name)
		ticket = tickets.apply_decision(earlier, negative())
		latest = self.mention(social_profile=profile.name)
		result = api.link_to_customer([latest.name], customer)
		self.assertEqual(result["profiles"], 1)
		self.assertEqual(frappe.db.get_value("Social Profile", profile.name, "customer"), customer)
		self.assertEqual(frappe.db.get_value("Social Mention", earlier.name, "customer"), customer)
		self.assertEqual(frappe.db.get_value("Social Mention", latest.name, "customer"), customer)
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket, "customer"), customer)
		issue = frappe.db.get_value("Social Ticket", ticket, "issue")
		self.assertEqual(frappe.db.get_value("Issue", issue, "customer"), customer)

	def test_customer_suggestions_come_with_translated_reasons(self):
		name = f"Zyxo Bau {uid()}"
		customer = make_customer(name)
		frappe.db.set_value("Customer", customer, "website", "https://zyxo-bau.example")
		profile = make_profile(
			handle=f"info{uid()}@zyxo-bau.example", profile_url="https://zyxo-bau.example/@info"
		)
		mention = self.mention(social_profile=profile.name, author_handle=profile.handle, author_name=name)
		suggestions = api.customer_suggestions(mention.name)
		self.assertEqual(suggestions[0]["customer"], customer)
		self.assertTrue(suggestions[0]["reason"])

	def test_create_lead_and_opportunity(self):
		customer = make_customer()
		mention = self.mention(
			author_name="Berta Beispiel",
			text="Suche eine <i>Alternative</i> zu Acme",
			opportunity=1,
			customer=customer,
		)
		lead = api.create_lead(mention.name)
		doc = frappe.get_doc("Lead", lead)
		self.assertEqual(doc.lead_name, "Berta Beispiel")
		self.assertEqual(doc.source, "Social Media")
		self.assertIn("&lt;i&gt;Alternative&lt;/i&gt;", doc.notes[0].note)
		self.assertIn(mention.url, doc.notes[0].note)
		self.assertEqual(frappe.db.get_value("Social Mention", mention.name, "lead"), lead)
		self.assertEqual(api.create_lead(mention.name), lead)
		opportunity = api.create_opportunity(mention.name)
		self.assertEqual(frappe.db.get_value("Opportunity", opportunity, "party_name"), customer)
		self.assertEqual(
			frappe.db.get_value("Social Mention", mention.name, "sales_opportunity"), opportunity
		)


class TestReplyInfo(TicketTestCase):
	def test_users_without_ticket_access_get_no_reply_button(self):
		ticket = tickets.apply_decision(self.mention(), negative())
		self.assertTrue(api.reply_info(ticket)["reply_supported"])
		email = make_user("social-nobody@example.com")
		frappe.set_user(email)
		self.assertIsNone(api.reply_info(ticket))
