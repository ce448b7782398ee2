"""Triage reasons as they are stored and shown: template + parameters, rendered per reader.

The engine gives each decision its reasons as `Reason(template, params)` with English
templates (engine/triage.py `REASON_TEMPLATES`, the shell's own in tickets.py). The shell keeps
them so on the Social Mention and Social Ticket (`triage_reasons`, JSON) and renders them:

- in the site's language into the `triage_reason` text, which lists, reports and exports read,
  because a fetch job has no reader and must not write English into a German site;
- in the reader's language when a form or the Social Inbox shows them (`render`).

Rendering happens after translation (`_(template).format(**params)`), so parameters (scores,
ticket names, handles a platform sent) never pass through the translation lookup.
"""

import json
from contextlib import contextmanager

import frappe
from frappe import _

from social_crm.escaping import escape_once


def site_language() -> str:
	"""The language the site is set up in (System Settings), which text written without a
	reader (fetch jobs, Issue descriptions, Communications) is written in."""
	return frappe.db.get_single_value("System Settings", "language") or frappe.db.get_default("lang") or "en"


@contextmanager
def in_site_language():
	"""Everything `_()` translates inside is in the site's language, whoever triggered it."""
	previous = getattr(frappe.local, "lang", None)
	frappe.local.lang = site_language()
	try:
		yield
	finally:
		frappe.local.lang = previous


def as_json(reasons) -> str:
	"""The engine's Reasons as stored in `triage_reasons`."""
	return json.dumps(
		[{"template": reason.template, "params": dict(reason.params)} for reason in reasons],
		ensure_ascii=False,
		default=str,
	)


def load(value) -> list[dict]:
	if not value:
		return []
	if isinstance(value, str):
		try:
			value = json.loads(value)
		except ValueError:
			return []
	return [item for item in value if isinstance(item, dict) and isinstance(item.get("template"), str)]


def render(value, lang: str | None = None) -> str:
	"""The stored reasons in `lang` (default: the current user's), one sentence each; the
	values in them (a handle a platform sent) are escaped once, as the desk shows the text as HTML."""
	texts = []
	for item in load(value):
		template = _(item["template"], lang=lang)
		params = {
			key: escape_once(param) if isinstance(param, str) else param
			for key, param in (item.get("params") or {}).items()
		}
		try:
			texts.append(template.format(**params))
		except (KeyError, IndexError, ValueError):
			# a translation with a broken placeholder must not hide the reason: use the English
			texts.append(item["template"].format(**params))
	return "; ".join(texts)


def set_reasons(doc, reasons) -> None:
	"""Stores the decision's reasons on a Social Mention or Social Ticket."""
	doc.triage_reasons = as_json(reasons)
	doc.triage_reason = render(doc.triage_reasons, site_language())


def show_in_reader_language(doc) -> None:
	"""`onload` of the forms: the reasons in the reader's language (saving writes the site's
	language again, see `keep_site_language`)."""
	if doc.get("triage_reasons"):
		doc.triage_reason = render(doc.triage_reasons)


def keep_site_language(doc) -> None:
	"""`validate`: a form saved by a reader of another language keeps the site-language text."""
	if doc.get("triage_reasons"):
		doc.triage_reason = render(doc.triage_reasons, site_language())
