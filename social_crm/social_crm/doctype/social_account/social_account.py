# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from social_crm.accounts import connector_for
from social_crm.engine.connectors.base import ConnectorError
from social_crm.tasks import enqueue_fetch

# Platforms whose API has no public default address: the admin must say where.
NEEDS_BASE_URL = ("Mastodon", "RSS/Atom")
COMPANY_PAGES = ("Facebook", "Instagram", "YouTube")


class SocialAccount(Document):
	def validate(self):
		if self.platform in NEEDS_BASE_URL and not self.base_url:
			frappe.throw(
				_("{0} needs a Base URL: the instance address for Mastodon, the feed address for RSS/Atom.").format(
					_(self.platform)
				),
				frappe.MandatoryError,
			)
		if self.platform in COMPANY_PAGES and not (self.page_id or "").strip():
			frappe.throw(
				_("{0} needs the Page, Account or Channel ID whose comments are fetched.").format(_(self.platform)),
				frappe.MandatoryError,
			)
		if not self.is_new() and self.has_value_changed("access_token") and self.paused_until:
			# A rejected token stopped polling (Graph error 190); a new one resumes it.
			self.paused_until = None
			self.last_error = ""

	@frappe.whitelist()
	def test_connection(self) -> str:
		"""Logs in with the saved credentials and says as whom; the error says what to fix."""
		self.check_permission("write")
		try:
			who = connector_for(self).test_connection()
		except ConnectorError as error:
			frappe.throw(str(error), title=_("Connection failed"))
		return _("Connected to {0} as {1}.").format(_(self.platform), who)

	@frappe.whitelist()
	def fetch_now(self) -> str:
		self.check_permission("write")
		if not self.enabled:
			frappe.throw(_("Enable the account before fetching."))
		enqueue_fetch(self.name)
		return _("Fetching {0} in the background; the Social Fetch Log shows the result.").format(self.name)
