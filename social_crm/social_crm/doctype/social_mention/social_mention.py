# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from social_crm import reasons
from social_crm.inbox import on_mention_change
from social_crm.stored_mention import CORRECTED_SCORES, mention_key


class SocialMention(Document):
	def onload(self):
		reasons.show_in_reader_language(self)

	def on_update(self):
		on_mention_change(self)

	def validate(self):
		if not self.mention_key:
			self.mention_key = mention_key(self.platform, self.external_id)
		self.validate_unique_external_id()
		self.mark_sentiment_correction()
		reasons.keep_site_language(self)

	def mark_sentiment_correction(self):
		"""An agent changing the sentiment in the form is a correction the site's model learns
		from; the analysis itself saves with `flags.from_analysis`."""
		if self.is_new() or self.flags.from_analysis or not self.has_value_changed("sentiment_label"):
			return
		self.sentiment_corrected = 1
		if self.sentiment_label in CORRECTED_SCORES:
			self.sentiment_score = CORRECTED_SCORES[self.sentiment_label]

	def validate_unique_external_id(self):
		"""A clear message before the database's unique key would reject the row (the fetch
		job looks a whole page up at once and leaves the rest to that key)."""
		if self.flags.checked_unique:
			return
		duplicate = frappe.db.get_value(
			"Social Mention", {"mention_key": self.mention_key, "name": ("!=", self.name)}
		)
		if duplicate:
			frappe.throw(
				_("This {0} post is already stored as Social Mention {1}.").format(
					_(self.platform), frappe.bold(duplicate)
				),
				frappe.DuplicateEntryError,
				title=_("Duplicate Social Mention"),
			)


def on_doctype_update():
	# Unique on mention_key (DocType JSON); threading looks posts up by (platform, external id).
	frappe.db.add_index("Social Mention", ["platform", "external_id"], index_name="platform_external_id")
	# The list is sorted by posted_at; these serve its standard filters (and the Customer
	# dashboard's counts) from one index each, newest first, without sorting the table.
	for column in ("status", "customer", "sentiment_label"):
		frappe.db.add_index("Social Mention", [column, "posted_at"])
	# the list's two standard filters together (Negative and New: what needs an answer),
	# which MariaDB otherwise answers by intersecting two indexes and sorting the result
	frappe.db.add_index("Social Mention", ["status", "sentiment_label", "posted_at"])
