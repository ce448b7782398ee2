"""A site model trained before the sentiment models of issue 8 is in a format the new model
cannot read: without this, every fetch would log "could not be read" until the next daily
training. Drop it; the daily job trains a new one on the same corrections."""

import frappe

from social_crm.engine.sentiment.model import BadModel, SiteModel


def execute():
	stored = frappe.db.get_single_value("Social CRM Settings", "site_model")
	if not stored:
		return
	try:
		SiteModel.from_bytes(stored.encode())
	except BadModel:
		frappe.db.set_single_value("Social CRM Settings", {"site_model": "", "use_site_model": 0})
