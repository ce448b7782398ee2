"""Scheduler entry points (hooks.py `scheduler_events`); each decides little and enqueues."""

from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import now_datetime

from social_crm.engine.schedule import is_due
from social_crm.engine.sentiment.model import should_use, train
from social_crm.ingest import site_analyzer
from social_crm.privacy import delete_expired
from social_crm.stored_mention import ENGINE_LABELS

FETCH_TIMEOUT = 15 * 60


def fetch_job_id(account_name: str) -> str:
	return f"social_crm_fetch::{account_name}"


def enqueue_fetch(account_name: str) -> None:
	"""One job per account on the long queue; while it is queued or running, no second one."""
	frappe.enqueue(
		"social_crm.ingest.fetch_account",
		queue="long",
		timeout=FETCH_TIMEOUT,
		job_id=fetch_job_id(account_name),
		deduplicate=True,
		account_name=account_name,
	)


def enqueue_due_fetches() -> list[str]:
	"""Every minute: enqueue the enabled accounts whose poll interval has passed."""
	settings = frappe.get_cached_doc("Social CRM Settings")
	if not settings.enabled:
		return []
	now = now_datetime()
	due = []
	for account in frappe.get_all(
		"Social Account",
		filters={"enabled": 1},
		fields=["name", "poll_interval", "last_fetched_at", "paused_until"],
	):
		interval = timedelta(minutes=account.poll_interval or settings.poll_interval or 15)
		if is_due(account.last_fetched_at, interval, now, account.paused_until):
			enqueue_fetch(account.name)
			due.append(account.name)
	return due


def train_sentiment_model() -> None:
	"""Daily: learn from the agents' corrections, as offsets on top of the shipped model (so it
	starts from what that model knows); use it only once it beats the default analyser on the
	site's own held-back corrections (cross-validated in the engine, `should_use`)."""
	rows = frappe.get_all(
		"Social Mention",
		filters={"sentiment_label": ("is", "set"), "text": ("is", "set")},
		or_filters={"sentiment_corrected": 1, "status": ("in", ("Reviewed", "Replied"))},
		fields=["text", "sentiment_label", "language"],
		order_by="modified desc",
		limit_page_length=20_000,
	)
	examples = [(row.text, ENGINE_LABELS[row.sentiment_label], row.language or "und") for row in rows]
	settings = frappe.get_single("Social CRM Settings")
	if not examples:
		return
	model = train(examples)
	default = site_analyzer(settings, with_site_model=False)
	settings.db_set(
		{
			"site_model": model.to_bytes().decode(),
			"use_site_model": int(should_use(model, default.label, examples)),
			"site_model_examples": len(examples),
			"site_model_trained_at": now_datetime(),
		}
	)


def delete_expired_mentions() -> int:
	"""Daily: mentions older than the retention period that no ticket refers to, deleted
	permanently, with their profiles' counters recomputed (privacy.delete_expired)."""
	days = frappe.db.get_single_value("Social CRM Settings", "retention_days")
	if not days:
		return 0
	deleted = delete_expired(days)
	if deleted["mentions"] or deleted["profiles"]:
		frappe.logger("social_crm").info(
			_("Deleted {0} mentions and {1} profiles past the retention period").format(
				deleted["mentions"], deleted["profiles"]
			)
		)
	return deleted["mentions"]
