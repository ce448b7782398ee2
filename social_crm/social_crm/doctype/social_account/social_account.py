# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

from urllib.parse import urlsplit

import frappe
from frappe import _
from frappe.model.document import Document

from social_crm.accounts import connector_for, log_error_without_secrets, scrubbed
from social_crm.engine.connectors.base import ConnectorError
from social_crm.escaping import LONG_DATA_LENGTH, error_text, escape_once
from social_crm.tasks import enqueue_fetch

# Platforms whose API has no public default address: the admin must say where.
NEEDS_BASE_URL = ("Mastodon", "RSS/Atom")
COMPANY_PAGES = ("Facebook", "Instagram", "YouTube")


class SocialAccount(Document):
	def validate(self):
		if self.platform in NEEDS_BASE_URL and not self.base_url:
			frappe.throw(
				_(
					"{0} needs a Base URL: the instance address for Mastodon, the feed address for RSS/Atom."
				).format(_(self.platform)),
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
		"""Logs in with the saved credentials and says as whom; the error says what to fix.

		The document comes from the browser and may be unsaved: with another Base URL, the
		saved (decrypted) token would be sent to whatever host was typed in. So a saved
		account is tested only against the server it was saved with; a changed platform or
		host must be saved first (where the form's validation and the audit trail apply).
		"""
		self.check_permission("write")
		self.check_server_unchanged()
		try:
			who = connector_for(self).test_connection()
		except ConnectorError as error:
			frappe.throw(error_text(scrubbed(error, self)), title=_("Connection failed"))
		except Exception:
			log_error_without_secrets(_("Social CRM: testing {0} failed").format(self.name), self)
			frappe.throw(
				_("The connection test failed unexpectedly; see the Error Log."), title=_("Connection failed")
			)
		return _("Connected to {0} as {1}.").format(_(self.platform), escape_once(str(who), LONG_DATA_LENGTH))

	def check_server_unchanged(self) -> None:
		if self.is_new() or not frappe.db.exists("Social Account", self.name):
			return  # nothing stored yet: only what was typed in can be sent
		saved = frappe.db.get_value("Social Account", self.name, ["platform", "base_url"], as_dict=True)
		if saved.platform != self.platform or server_of(saved.base_url) != server_of(self.base_url):
			frappe.throw(
				_(
					"Save the account before testing it: its stored credentials are only sent to the server it was saved with."
				),
				frappe.PermissionError,
				title=_("Unsaved Changes"),
			)

	@frappe.whitelist()
	def fetch_now(self) -> str:
		self.check_permission("write")
		if not self.enabled:
			frappe.throw(_("Enable the account before fetching."))
		enqueue_fetch(self.name)
		return _("Fetching {0} in the background; the Social Fetch Log shows the result.").format(self.name)


def server_of(base_url: str | None) -> tuple:
	"""Scheme, host and port of a Base URL: where credentials would be sent."""
	try:
		parts = urlsplit((base_url or "").strip())
		return (parts.scheme.lower(), (parts.hostname or "").lower(), parts.port)
	except ValueError:
		return ("invalid", base_url or "", None)
