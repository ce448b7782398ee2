# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from social_crm import privacy
from social_crm.corrections import propagate_customer
from social_crm.profiles import key_of_stored


class SocialProfile(Document):
	def validate(self):
		self.handle = (self.handle or "").strip().lstrip("@")
		if not self.handle:
			frappe.throw(_("A Social Profile needs a handle."), frappe.MandatoryError)
		if self.is_new() or self.has_value_changed("handle") or self.has_value_changed("platform"):
			self.handle_key = key_of_stored(self.platform, self.handle)
		self.validate_unique_handle()

	def validate_unique_handle(self):
		"""A clear message before the database's unique key would reject the row (compared
		exactly: an accent or case variant of someone's handle is someone else). The fetch
		job looks its page's authors up at once and leaves the rest to the unique key."""
		if self.flags.checked_unique:
			return
		duplicate = frappe.db.get_value(
			"Social Profile", {"handle_key": self.handle_key, "name": ("!=", self.name)}
		)
		if duplicate:
			frappe.throw(
				_("{0} on {1} already has a Social Profile: {2}").format(
					frappe.bold(self.handle), _(self.platform), frappe.bold(duplicate)
				),
				frappe.DuplicateEntryError,
				title=_("Duplicate Social Profile"),
			)

	def on_update(self):
		if self.flags.in_insert:
			# Nothing links to a profile being inserted yet. An update of the mentions "where
			# social_profile = <new name>" would find none and only lock the index gap where
			# they would go: fetch jobs inserting other authors' mentions there at the same
			# time then deadlock on it (issue 15).
			if self.contact and not self.email:
				privacy.sync_author_email(self, linked=False)
			return
		if self.has_value_changed("contact") or (self.contact and not self.email):
			privacy.sync_author_email(self)
		propagate_customer(self)

	def on_trash(self):
		"""Deleting a profile erases its author everywhere, so no record links to it any more
		(and the copy Frappe keeps of a deleted document holds no personal data either)."""
		privacy.detach_profile(self)
		for field in ("display_name", "bio", "profile_url", "avatar_url", "email", "contact"):
			self.set(field, None)
		self.handle = privacy.erased_handle(self.name)


def on_doctype_update():
	# Lookups go by the unique handle_key; (platform, handle) stays an index for lists and search.
	frappe.db.add_index("Social Profile", ["platform", "handle"], index_name="platform_handle")
