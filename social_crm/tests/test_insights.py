"""Integration tests of insights.py and the two reports (run by `bench run-tests --app social_crm`).

The social panel must show a user nothing of a customer they may not read: the tests restrict a
Support Team agent with a User Permission on Customer and ask for the other customer.
"""

import uuid
from datetime import timedelta

import frappe
from frappe.permissions import add_user_permission
from frappe.tests.utils import FrappeTestCase
from frappe.utils import add_days, now_datetime, nowdate

from social_crm import insights
from social_crm.social_crm.report.social_sentiment_summary import social_sentiment_summary
from social_crm.social_crm.report.social_ticket_response_times import social_ticket_response_times
from social_crm.tests.records import make_customer, make_mention, make_profile, make_user

AGENT = "social-insights-agent@example.com"


def uid() -> str:
	return uuid.uuid4().hex[:10]


class InsightsTestCase(FrappeTestCase):
	def setUp(self):
		frappe.set_user("Administrator")
		self.tag = uid()
		self.mine = make_customer(f"_Test Insights Mine {self.tag}")
		self.other = make_customer(f"_Test Insights Other {self.tag}")
		make_user(AGENT, "Support Team", "Sales User", full_name="Insights Agent")
		for name in frappe.get_all("User Permission", {"user": AGENT}, pluck="name"):
			frappe.delete_doc("User Permission", name, ignore_permissions=True)
		add_user_permission("Customer", self.mine, AGENT)

	def tearDown(self):
		frappe.set_user("Administrator")

	def mention(self, customer, profile=None, label="Negative", score=-0.6, days_ago=0, **values):
		return make_mention(
			external_id=str(uuid.uuid4().int)[:18],
			customer=customer,
			social_profile=profile,
			sentiment_label=label,
			sentiment_score=score,
			posted_at=now_datetime() - timedelta(days=days_ago),
			**values,
		)


class TestSocialActivity(InsightsTestCase):
	def test_the_panel_shows_the_customers_profiles_as_one_person_with_mentions_tickets_and_trend(self):
		contact = frappe.get_doc(
			{
				"doctype": "Contact",
				"first_name": "Anna",
				"last_name": self.tag,
				"links": [{"link_doctype": "Customer", "link_name": self.mine}],
			}
		).insert(ignore_permissions=True)
		mastodon = make_profile(
			f"anna{self.tag}@mastodon.example", customer=self.mine, contact=contact.name, followers=120
		)
		bluesky = make_profile(
			f"anna{self.tag}.bsky.social",
			platform="Bluesky",
			customer=self.mine,
			contact=contact.name,
			followers=30,
		)
		make_profile(
			f"anna-{self.tag}", platform="LinkedIn", customer=self.mine, profile_url="javascript:alert(1)"
		)
		self.mention(self.mine, mastodon.name, text="<img src=x onerror=alert(1)> kaputt")
		self.mention(self.mine, bluesky.name, label="Positive", score=0.5, days_ago=20)

		data = insights.social_activity("Customer", self.mine)

		people = {person["link_doctype"]: person for person in data["people"]}
		self.assertEqual(
			{p["handle"] for p in people["Contact"]["profiles"]}, {mastodon.handle, bluesky.handle}
		)
		self.assertEqual(people["Contact"]["followers"], 150)
		# the hand-added LinkedIn card without a contact is the customer's own; its bad URL is dropped
		self.assertEqual(people["Customer"]["profiles"][0]["url"], "")
		self.assertEqual(len(data["mentions"]), 2)
		self.assertIn("<img", data["mentions"][0]["snippet"])  # raw: the desk escapes it (social_panel.js)
		self.assertEqual(sum(data["trend"]["mentions"]), 2)
		self.assertEqual(sum(data["trend"]["negative"]), 1)
		self.assertEqual(len(data["trend"]["labels"]), 13)

	def test_a_user_without_access_to_the_customer_sees_nothing_of_it(self):
		profile = make_profile(f"bob{self.tag}@mastodon.example", customer=self.other)
		self.mention(self.other, profile.name)
		frappe.set_user(AGENT)
		with self.assertRaises(frappe.PermissionError):
			insights.social_activity("Customer", self.other)
		# and the lists it is built from do not hand the other customer's rows over either
		self.assertEqual(insights.readable("Social Profile", {"customer": self.other}, ["name"]), [])
		self.assertEqual(insights.readable("Social Mention", {"customer": self.other}, ["name"]), [])

	def test_the_agent_sees_the_customer_they_may_read(self):
		profile = make_profile(f"carla{self.tag}@mastodon.example", customer=self.mine)
		self.mention(self.mine, profile.name)
		frappe.set_user(AGENT)
		data = insights.social_activity("Customer", self.mine)
		self.assertEqual(
			[p["handle"] for person in data["people"] for p in person["profiles"]], [profile.handle]
		)
		self.assertEqual(len(data["mentions"]), 1)

	def test_a_contact_shows_its_own_profiles(self):
		contact = frappe.get_doc({"doctype": "Contact", "first_name": "Dora", "last_name": self.tag}).insert(
			ignore_permissions=True
		)
		profile = make_profile(f"dora{self.tag}@mastodon.example", contact=contact.name)
		self.mention(None, profile.name)
		data = insights.social_activity("Contact", contact.name)
		self.assertEqual(data["people"][0]["link_name"], contact.name)
		self.assertEqual(len(data["mentions"]), 1)

	def test_only_customer_and_contact(self):
		with self.assertRaises(frappe.ValidationError):
			insights.social_activity("User", "Administrator")


class TestReports(InsightsTestCase):
	def setUp(self):
		super().setUp()
		self.keyword = f"_Test Insights {self.tag}"
		frappe.get_doc(
			{
				"doctype": "Monitored Keyword",
				"keyword_name": self.keyword,
				"query": f"acme{self.tag}",
				"enabled": 0,
			}
		).insert(ignore_permissions=True)
		rows = [{"monitored_keyword": self.keyword}]
		# 4 mentions of the keyword: 2 negative (-0.8, -0.4), 1 neutral (0.0), 1 positive (0.6)
		self.mention(self.mine, label="Negative", score=-0.8, matched_keywords=rows)
		self.mention(self.mine, label="Negative", score=-0.4, matched_keywords=rows, platform="Bluesky")
		self.mention(self.other, label="Neutral", score=0.0, matched_keywords=rows)
		self.mention(self.other, label="Positive", score=0.6, matched_keywords=rows, days_ago=3)
		# outside the period
		self.mention(self.mine, label="Negative", score=-0.9, matched_keywords=rows, days_ago=60)

	def summary(self, **filters):
		filters = {"from_date": add_days(nowdate(), -29), "to_date": nowdate(), **filters}
		columns, rows, _message, chart = social_sentiment_summary.execute(filters)
		return columns, rows, chart

	def test_summary_by_keyword_counts_the_known_mentions(self):
		_columns, rows, chart = self.summary(group_by="Monitored Keyword", monitored_keyword=self.keyword)
		self.assertEqual(len(rows), 1)
		row = rows[0]
		self.assertEqual((row["mentions"], row["negative"], row["neutral"], row["positive"]), (4, 2, 1, 1))
		self.assertEqual(row["negative_share"], 50.0)
		self.assertAlmostEqual(row["average_sentiment"], (-0.8 - 0.4 + 0.0 + 0.6) / 4, places=3)
		self.assertEqual(chart["data"]["datasets"][0]["values"], [2])

	def test_summary_by_customer_and_platform(self):
		_columns, rows, _chart = self.summary(group_by="Customer", monitored_keyword=self.keyword)
		by_customer = {row["group"]: row for row in rows}
		self.assertEqual(by_customer[self.mine]["negative_share"], 100.0)
		self.assertEqual(by_customer[self.other]["mentions"], 2)
		_columns, rows, _chart = self.summary(group_by="Platform", monitored_keyword=self.keyword)
		self.assertEqual(
			{row["group"]: row["mentions"] for row in rows}, {frappe._("Mastodon"): 3, frappe._("Bluesky"): 1}
		)

	def test_summary_by_item_uses_the_keywords_item(self):
		if not frappe.db.exists("UOM", "Nos"):
			frappe.get_doc({"doctype": "UOM", "uom_name": "Nos"}).insert(ignore_permissions=True)
		if not frappe.db.exists("Item Group", "All Item Groups"):
			frappe.get_doc(
				{"doctype": "Item Group", "item_group_name": "All Item Groups", "is_group": 1}
			).insert(ignore_permissions=True)
		item = frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": f"_Test Social Item {self.tag}",
				"item_group": "All Item Groups",
				"stock_uom": "Nos",
			}
		).insert(ignore_permissions=True)
		frappe.db.set_value("Monitored Keyword", self.keyword, "item", item.name)
		_columns, rows, _chart = self.summary(group_by="Item", monitored_keyword=self.keyword)
		self.assertEqual([(row["group"], row["mentions"]) for row in rows], [(item.name, 4)])
		self.assertEqual(insights.item_mentions(item.name)["mentions"], 5)  # 90 days: the old one too
		self.assertEqual(insights.item_mentions(item.name)["negative"], 3)

	def test_summary_holds_only_what_the_user_may_read(self):
		frappe.set_user(AGENT)
		_columns, rows, _chart = self.summary(group_by="Customer", monitored_keyword=self.keyword)
		self.assertEqual([row["group"] for row in rows], [self.mine])

	def ticket(self, status, **values):
		mention = self.mention(self.mine, platform="Reddit")
		return frappe.get_doc(
			{
				"doctype": "Social Ticket",
				"subject": f"Slow {self.tag}",
				"status": status,
				"platform": "Reddit",
				"customer": self.mine,
				"social_mention": mention.name,
				"mentions": [{"social_mention": mention.name}],
				**values,
			}
		).insert(ignore_permissions=True)

	def test_response_times_per_platform(self):
		opened = now_datetime() - timedelta(hours=5)
		for replied_after in (timedelta(hours=1), timedelta(hours=3)):
			ticket = self.ticket("Replied")
			frappe.db.set_value(
				"Social Ticket",
				ticket.name,
				{"creation": opened, "replied_at": opened + replied_after},
				update_modified=False,
			)
		self.ticket("Open")
		_columns, rows, _message, chart = social_ticket_response_times.execute(
			{
				"from_date": add_days(nowdate(), -1),
				"to_date": nowdate(),
				"group_by": "Platform",
				"platform": "Reddit",
			}
		)
		self.assertEqual(len(rows), 1)
		row = rows[0]
		self.assertEqual((row["tickets"], row["replied"]), (3, 2))
		self.assertAlmostEqual(row["median_first_reply"], 2 * 3600, delta=2)
		self.assertIsNone(row["reply_sla"])  # no Issue, so no Service Level Agreement to judge by
		self.assertEqual(chart["data"]["datasets"][0]["values"], [2.0])

	def test_number_cards(self):
		share = insights.negative_share_this_week()
		self.assertEqual(share["fieldtype"], "Percent")
		self.assertGreater(share["value"], 0)
		self.assertEqual(insights.median_first_reply()["fieldtype"], "Duration")
