# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe.model.document import Document
from frappe.query_builder import Interval
from frappe.query_builder.functions import Now


class SocialFetchLog(Document):
	"""Written by the fetch job only; one row per poll of a Social Account."""

	@staticmethod
	def clear_old_logs(days=30):
		"""Frappe's Log Settings calls this daily (hooks.py `default_log_clearing_doctypes`)."""
		table = frappe.qb.DocType("Social Fetch Log")
		frappe.db.delete(table, filters=(table.creation < (Now() - Interval(days=days))))
