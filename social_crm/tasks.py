"""Scheduler entry points (hooks.py `scheduler_events`); each decides little and enqueues."""

import hashlib
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import now_datetime

from social_crm.engine.schedule import is_due
from social_crm.engine.sentiment.model import should_use, train
from social_crm.ingest import fetch_account, site_analyzer
from social_crm.privacy import delete_expired
from social_crm.stored_mention import ENGINE_LABELS

FETCH_TIMEOUT = 15 * 60
FETCH_QUEUE = "long"
FETCH_JOB_PREFIX = "social_crm_fetch::"


def fetch_job_id(account_name: str) -> str:
	return f"{FETCH_JOB_PREFIX}{account_name}"


def enqueue_fetch(account_name: str) -> None:
	"""One job per account on the long queue; while it is queued or running, no second one.

	Frappe's `deduplicate` only looks at the job's status, and a worker that was killed
	(SIGKILL, OOM, a machine gone) leaves its job "started" for good; `recover_dead_fetches`
	ends such jobs first, so the account is fetched again. A job whose work horse was killed
	under a living worker is marked failed by that worker and queued again here too."""
	died = dead_job_of(account_name)
	if died:
		log_died(account_name, died)
	frappe.enqueue(
		"social_crm.tasks.fetch_account_job",
		queue=FETCH_QUEUE,
		timeout=FETCH_TIMEOUT,
		job_id=fetch_job_id(account_name),
		deduplicate=True,
		account_name=account_name,
	)


def fetch_account_job(account_name: str) -> dict:
	"""The fetch job: `ingest.fetch_account` while this job holds the account's fetch lock.

	The lock is a MariaDB named lock on the job's own connection, so it ends with the process
	that holds it whatever kills it. A job that finds it held leaves the account alone: the
	holder is a fetch still running (e.g. another job of the account started by hand).
	The job notes its connection id, so a dead worker's connection can be ended
	(`end_connection_of`)."""
	name = account_lock_name(account_name)
	if not frappe.db.sql("select get_lock(%s, 0)", name)[0][0]:
		frappe.logger("social_crm").info(f"{account_name}: another fetch is still running, skipped")
		return {"social_account": account_name, "status": "Skipped"}
	connection = connection_key(account_name)
	frappe.cache.set_value(
		connection, frappe.db.sql("select connection_id()")[0][0], expires_in_sec=FETCH_TIMEOUT * 2
	)
	try:
		return fetch_account(account_name)
	finally:
		frappe.cache.delete_value(connection)
		frappe.db.sql("select release_lock(%s)", name)


def connection_key(account_name: str) -> str:
	"""Where a running fetch job notes its database connection (for `end_connection_of`)."""
	return f"social_crm_fetch_connection::{account_name}"


def end_connection_of(account_name: str) -> None:
	"""Ends the database connection of a dead fetch job, if the server still keeps it.

	A killed process's connection closes with it, but one on a machine that went away stays
	open on the server until its idle timeout (`wait_timeout`, 8 hours by default), holding
	the job's named locks (the account's, the threads and authors of its page) and its open
	transaction's row locks, so other workers' pages would wait for it and fail. The job
	noted its connection id when it started; the site's own database user may end its own
	connections (KILL), which rolls the transaction back and frees the locks now."""
	connection = frappe.cache.get_value(connection_key(account_name))
	frappe.cache.delete_value(connection_key(account_name))
	if not connection or connection == frappe.db.sql("select connection_id()")[0][0]:
		return
	try:
		frappe.db.sql(f"kill connection {int(connection)}")
	except Exception:
		pass  # gone already (ER_NO_SUCH_THREAD), as after a killed process


def account_lock_name(account_name: str) -> str:
	site = frappe.conf.db_name or frappe.local.site
	return "scrm-fetch:" + hashlib.sha1(f"{site} {account_name}".encode()).hexdigest()[:40]


def recover_dead_fetches() -> list[str]:
	"""Fails the fetch jobs of dead workers, as RQ would at its next maintenance, and returns
	their accounts.

	RQ keeps a running job in the queue's StartedJobRegistry with an expiry its worker renews
	(every 30 s, for 90 s); a killed worker stops renewing it, but RQ moves the job out only
	when some worker next cleans the registries (every 10 minutes) and until then the job's
	status stays "started", which is all `deduplicate` reads. Cleaning the registry here
	(RQ's own `cleanup`: status failed, into the FailedJobRegistry) lets this tick queue the
	account again. What the dead job had not committed of its page dies with its database
	connection, rolled back whole: at once when the process was killed, and through
	`end_connection_of` when the server still keeps the connection of a machine that is gone.
	Its committed pages stay and are found as duplicates."""
	from rq.registry import StartedJobRegistry
	from rq.utils import as_text

	from frappe.utils.background_jobs import create_job_id, get_queue

	registry = StartedJobRegistry(queue=get_queue(FETCH_QUEUE))
	prefix = create_job_id(FETCH_JOB_PREFIX)
	# the registry's members as they are (its get_job_ids would clean the expired ones first)
	running = [as_text(job_id) for job_id in registry.connection.zrange(registry.key, 0, -1)]
	for job_id in running:
		if job_id.startswith(prefix) and connection_ended(job_id.removeprefix(prefix)):
			# its process is gone: lapsed now, so RQ's own cleanup below fails it as abandoned
			# instead of when its worker's heartbeat lapses (up to 90 s later)
			registry.connection.zadd(registry.key, {job_id: 1})
	dead = [job_id for job_id in registry.get_expired_job_ids() if job_id.startswith(prefix)]
	if not dead:
		return []
	registry.cleanup()
	accounts = [job_id.removeprefix(prefix) for job_id in dead]
	for account in accounts:
		# drops the dead job's connection note (the account's next job notes its own once it
		# holds the lock) and ends the connection if the server still keeps it
		end_connection_of(account)
		log_died(account, "worker")
	return accounts


def connection_ended(account_name: str) -> bool:
	"""Whether the account's running fetch noted a database connection the server no longer
	has: the process that ran it is gone (a killed process's connection closes with it), so
	the job can be failed at this tick instead of when its worker's heartbeat lapses (up to
	90 s later). A job that has not noted one yet, or whose connection lives, is left alone."""
	noted = frappe.cache.get_value(connection_key(account_name))
	if not noted:
		return False
	return not frappe.db.sql("select 1 from information_schema.processlist where id = %s", int(noted))


def dead_job_of(account_name: str) -> str | None:
	"""'horse' when the account's last job failed because its work horse was killed."""
	from rq.job import JobStatus

	from frappe.utils.background_jobs import get_job

	job = get_job(fetch_job_id(account_name))
	if job is None or job.get_status() != JobStatus.FAILED:
		return None
	return "horse" if (job.exc_info or "").startswith("Work-horse terminated unexpectedly") else None


def log_died(account_name: str, what: str) -> None:
	"""`what`: "worker" (the worker is gone, found by its lapsed heartbeat) or "horse" (the
	process running the job was killed and its worker failed the job)."""
	killed = (
		_("The worker running the fetch was killed.")
		if what == "worker"
		else _("The process running the fetch was killed; its worker lives on.")
	)
	frappe.log_error(
		title=_("Social CRM: the fetch of {0} died with its worker").format(account_name),
		message=killed
		+ " "
		+ _(
			"The pages it had committed are kept, the one it was writing was rolled back; the fetch is queued again."
		),
	)


def enqueue_due_fetches() -> list[str]:
	"""Every minute: enqueue the enabled accounts whose poll interval has passed."""
	settings = frappe.get_cached_doc("Social CRM Settings")
	if not settings.enabled:
		return []
	recover_dead_fetches()
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
