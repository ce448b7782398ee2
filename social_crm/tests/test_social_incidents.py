"""Integration tests of incidents.py: a burst stored through ingest becomes one Social Incident
(run by `bench run-tests --app social_crm`)."""

import uuid
from datetime import datetime, timedelta, timezone

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils import now_datetime

from social_crm import incidents, ingest
from social_crm.engine.keywords import KeywordSpec
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.pipeline import Analysis, Pipeline
from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.sentiment import Sentiment
from social_crm.tests.records import make_user, use_spike_settings

MANAGER = "social-incident-manager@example.com"
TOKEN = "incident-test-token"
SPIKE = {
	"spike_min_count": 3,
	"spike_window_minutes": 60,
	"spike_margin": 3,
	"spike_recovery_minutes": 60,
	"spike_baseline_days": 28,
}


class TestSocialIncidents(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.tag = uuid.uuid4().hex[:8]
		self.keyword = f"_Test Incident {self.tag}"
		frappe.get_doc(
			{
				"doctype": "Monitored Keyword",
				"keyword_name": self.keyword,
				"query": f"acme{self.tag}",
				"enabled": 0,
			}
		).insert(ignore_permissions=True)
		self.spec = KeywordSpec(name=self.keyword, query=f"acme{self.tag}")
		self.pipeline = Pipeline(keywords=[self.spec])
		make_user(MANAGER, "Social Media Manager", full_name="Incident Manager")
		use_spike_settings(self, SPIKE)

	def store(self, text, handle=None, label="negative", score=-0.7, name="", account=None, external_id=None):
		mention = Mention(
			platform=Platform.MASTODON,
			external_id=external_id or str(uuid.uuid4().int)[:18],
			url="https://mastodon.example/@someone/1",
			author=Author(handle=handle or f"user{uuid.uuid4().hex[:6]}@mastodon.example", name=name),
			text=text,
			posted_at=datetime.now(timezone.utc),
		)
		analysis = Analysis(
			sentiment=Sentiment(label=label, score=score, language="en", analyzer="test/1"),
			keywords=(self.spec,),
			urgency_terms=("down",) if label == "negative" else (),
		)
		account_doc = frappe.get_doc("Social Account", account) if account else None
		return ingest.insert_mention(mention, analysis, self.pipeline, account_doc).reload()

	def incidents(self):
		return frappe.get_all(
			"Social Incident",
			filters={"subjects": ("like", f"%{self.keyword}%")},
			fields=["name", "status", "mention_count", "ticket_count"],
		)

	def test_a_burst_is_one_incident_with_its_mentions_and_tickets_and_the_managers_are_told(self):
		first = self.store(f"acme{self.tag} is down again")
		self.assertEqual(self.incidents(), [])
		self.store(f"acme{self.tag} down for me too")
		third = self.store(f"acme{self.tag} totally down, I want a refund")

		found = self.incidents()
		self.assertEqual(len(found), 1)
		incident = frappe.get_doc("Social Incident", found[0].name)
		self.assertEqual(incident.status, "Open")
		self.assertEqual(incident.mention_count, 3)
		self.assertIn(first.name, [row.social_mention for row in incident.mentions])
		# every complaint kept its own ticket, and the incident lists them
		self.assertTrue(first.social_ticket and third.social_ticket)
		self.assertEqual(incident.ticket_count, 3)
		self.assertIn(third.social_ticket, [row.social_ticket for row in incident.mentions])
		self.assertTrue(
			frappe.db.exists(
				"Notification Log",
				{"for_user": MANAGER, "document_type": "Social Incident", "document_name": incident.name},
			)
		)

		# more of the same burst joins it: no second incident, no second alert
		self.store(f"acme{self.tag} still down")
		self.assertEqual(len(self.incidents()), 1)
		self.assertEqual(
			frappe.db.count("Notification Log", {"for_user": MANAGER, "document_name": incident.name}), 1
		)

		# a news post by someone who is not a customer joins the incident instead of opening a ticket
		news = self.store(
			f"acme{self.tag} outage: status page says we are investigating", name="Tech News Daily"
		)
		self.assertFalse(news.social_ticket)
		self.assertEqual(news.triage_action, "Ignore")
		self.assertIn(incident.name, news.triage_reason)
		incident.reload()
		self.assertIn(news.name, [row.social_mention for row in incident.mentions])

	def burst_is_over(self, name):
		"""Two hours later, nothing new: the incident's mentions and spike lie two hours back."""
		earlier = now_datetime() - timedelta(hours=2)
		for row in frappe.get_doc("Social Incident", name).mentions:
			frappe.db.set_value("Social Mention", row.social_mention, "posted_at", earlier)
		frappe.db.set_value("Social Incident", name, {"opened_at": earlier, "last_spike_at": earlier})

	def test_recovery_closes_the_incident(self):
		for i in range(3):
			self.store(f"acme{self.tag} down {i}")
		name = self.incidents()[0].name
		incidents.close_recovered()
		self.assertEqual(frappe.db.get_value("Social Incident", name, "status"), "Open")
		self.burst_is_over(name)
		incidents.close_recovered()
		self.assertEqual(frappe.db.get_value("Social Incident", name, "status"), "Closed")
		self.assertTrue(frappe.db.get_value("Social Incident", name, "closed_at"))

	def test_an_incident_whose_ticket_was_deleted_still_closes_on_recovery(self):
		for i in range(3):
			self.store(f"acme{self.tag} down {i}")
		name = self.incidents()[0].name
		# an agent deletes one of the burst's tickets; its row on the incident keeps the name
		ticket = frappe.db.get_value("Social Incident Mention", {"parent": name}, "social_ticket")
		self.assertTrue(ticket)
		frappe.db.delete("Social Ticket", {"name": ticket})
		self.burst_is_over(name)
		incidents.close_recovered()
		self.assertEqual(frappe.db.get_value("Social Incident", name, "status"), "Closed")

	def test_the_incident_is_answered_once_per_platform(self):
		fake = FakeMastodon(token=TOKEN)
		fake.start()
		self.addCleanup(fake.stop)
		account = frappe.get_doc(
			{
				"doctype": "Social Account",
				"account_name": f"_Test Incident Mastodon {self.tag}",
				"platform": "Mastodon",
				"base_url": fake.base_url,
				"own_handle": "acme",
				"access_token": TOKEN,
				"enabled": 0,
			}
		).insert(ignore_permissions=True)
		for i in range(3):
			post = fake.add_post(
				text=f"acme{self.tag} down {i}", author=f"anna{i}", id=str(uuid.uuid4().int)[:18]
			)
			self.store(f"acme{self.tag} down {i}", account=account.name, external_id=post.id)
		name = self.incidents()[0].name

		frappe.set_user(MANAGER)
		rows = incidents.answer_incident(name, "We know about the outage and are on it.")
		self.assertEqual([(r["platform"], r["reply_status"]) for r in rows], [("Mastodon", "Sent")])
		again = incidents.answer_incident(name)
		self.assertEqual([r["reply_status"] for r in again], ["Sent"])
		posted = [r for r in fake.requests_to("/api/v1/statuses") if r.method == "POST"]
		self.assertEqual(len(posted), 1)
		# the customers' tickets keep their threads; each learns where the public answer is
		frappe.set_user("Administrator")
		for row in frappe.get_doc("Social Incident", name).mentions:
			self.assertEqual(
				frappe.db.get_value("Social Ticket", row.social_ticket, "reply_status") or "", ""
			)
			self.assertTrue(
				frappe.db.exists(
					"Comment",
					{
						"reference_doctype": "Social Ticket",
						"reference_name": row.social_ticket,
						"content": ("like", f"%{name}%"),
					},
				)
			)

	def test_only_managers_answer(self):
		for i in range(3):
			self.store(f"acme{self.tag} down {i}")
		name = self.incidents()[0].name
		frappe.set_user(make_user("social-incident-agent@example.com", "Support Team"))
		with self.assertRaises(frappe.PermissionError):
			incidents.answer_incident(name, "status")
