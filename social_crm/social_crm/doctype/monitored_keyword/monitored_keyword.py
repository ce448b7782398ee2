# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import escape_html

from social_crm.engine.keywords import QuerySyntaxError, parse
from social_crm.engine.query import QueryTooComplex

KEYWORD_ROLES = ("Social Media Manager", "System Manager")


class MonitoredKeyword(Document):
	def validate(self):
		check = query_check(self.query)
		if not check["valid"]:
			frappe.throw(check["message"], title=_("Invalid Query"))
		self.languages = ", ".join(
			dict.fromkeys(code.strip().lower() for code in (self.languages or "").split(",") if code.strip())
		)
		if not self.override_threshold:
			self.ticket_threshold = 0
		elif not -1 <= self.ticket_threshold <= 1:
			frappe.throw(_("The Ticket Threshold must lie between -1 and 1, as sentiment scores do."))


@frappe.whitelist()
def check_query(query: str) -> dict:
	"""The form's live check of a query; for the roles that write keywords (parsing a query
	costs the server work, so it is no service for every logged-in or website user)."""
	if not set(KEYWORD_ROLES) & set(frappe.get_roles()):
		frappe.throw(_("Only a Social Media Manager can check keyword queries."), frappe.PermissionError)
	return query_check(query)


def query_check(query: str | None) -> dict:
	"""Parses a query: the translated error with its position, or the search terms the
	platforms will be asked for. A query over the length or cost limits says which."""
	try:
		parsed = parse(query or "")
	except QueryTooComplex as error:
		return {
			"valid": False,
			"position": error.position,
			"message": _(error.template).format(**error.params),
		}
	except QuerySyntaxError as error:
		return {
			"valid": False,
			"position": error.position,
			"message": _("Error at character {0}: {1}").format(
				error.position + 1, _(error.template).format(**error.params)
			)
			+ f"<pre>{escape_html(query or '')}\n{' ' * error.position}^</pre>",
		}
	return {"valid": True, "search_terms": parsed.search_terms()}
