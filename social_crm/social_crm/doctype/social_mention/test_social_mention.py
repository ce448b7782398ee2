# Copyright (c) 2026, social_crm contributors
# See license.txt

import frappe
from frappe.tests.utils import FrappeTestCase

from social_crm.stored_mention import mention_key
from social_crm.tests.records import make_customer, make_mention


class TestSocialMention(FrappeTestCase):
	def test_mention_is_stored_with_customer(self):
		customer = make_customer()
		mention = make_mention(external_id="m-1", customer=customer)
		self.assertEqual(mention.status, "New")
		self.assertEqual(frappe.db.get_value("Social Mention", mention.name, "customer"), customer)

	def test_refetched_post_is_rejected_as_duplicate(self):
		make_mention(external_id="m-2")
		with self.assertRaises(frappe.DuplicateEntryError):
			make_mention(external_id="m-2")

	def test_same_id_on_another_platform_is_another_mention(self):
		make_mention(external_id="m-3", platform="Mastodon")
		self.assertTrue(make_mention(external_id="m-3", platform="Reddit").name)

	def test_database_unique_key_holds_without_the_controller(self):
		make_mention(external_id="m-4")
		twin = frappe.get_doc(
			{
				"doctype": "Social Mention",
				"platform": "Mastodon",
				"external_id": "m-4",
				"mention_key": mention_key("Mastodon", "m-4"),  # as the ingest mapping sets it
				"text": "again",
			}
		)
		twin.set_new_name()
		with self.assertRaises(frappe.UniqueValidationError):
			twin.db_insert()

	def test_matched_keywords_are_stored(self):
		keyword = frappe.get_doc(
			{"doctype": "Monitored Keyword", "keyword_name": "_Test Acme", "query": "acme"}
		).insert(ignore_permissions=True, ignore_if_duplicate=True)
		mention = make_mention(external_id="m-5", matched_keywords=[{"monitored_keyword": keyword.name}])
		self.assertEqual([row.monitored_keyword for row in mention.matched_keywords], [keyword.name])

	def test_changing_the_sentiment_in_the_form_is_a_correction(self):
		mention = make_mention(external_id="m-6", sentiment_label="Negative", sentiment_score=-0.8)
		self.assertFalse(mention.sentiment_corrected)
		mention.sentiment_label = "Positive"
		mention.save(ignore_permissions=True)
		self.assertTrue(mention.sentiment_corrected)
		self.assertEqual(mention.sentiment_score, 0.6)
