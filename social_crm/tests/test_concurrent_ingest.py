"""Several workers storing at once (issue 15), on a bench site (run by bench run-tests).

Two threads, each with its own database connection as two RQ workers have, store pages that
meet on an author, a thread and one post; the fetch jobs of killed workers are queued again;
an agent's save of a ticket the job appended to meanwhile keeps both. The figures with real
`bench worker` processes, a killed worker and 20 accounts are in bench/workers_bench.py.
"""

import threading
import time
import traceback
from datetime import datetime, timedelta, timezone

from rq.job import JobStatus
from rq.registry import StartedJobRegistry

import frappe
from frappe.tests.utils import FrappeTestCase
from frappe.utils.background_jobs import create_job_id, get_job, get_queue

from social_crm import tasks, tickets
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.ingest import build_pipeline, store_mentions
from social_crm.stored_mention import to_utc

ACCOUNTS = ("_Test Concurrent A", "_Test Concurrent B")
KEYWORD = "_Test Concurrent Acme"
START = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)


def clean():
	for doctype in ("Social Fetch Log", "Social Ticket", "Social Mention", "Social Profile"):
		frappe.db.delete(doctype)
	frappe.db.delete("Issue", {"social_ticket": ("is", "set")})
	frappe.db.delete("Social Account", {"name": ("in", ACCOUNTS)})
	frappe.db.delete("Error Log", {"method": ("like", "Social CRM: the fetch of _Test Concurrent%")})
	frappe.db.commit()


def post(external_id, text, author, minutes, **values) -> Mention:
	return Mention(
		platform=Platform.MASTODON,
		external_id=external_id,
		url=f"https://social.example/@{author}/{external_id}",
		author=Author(handle=f"{author}@social.example", name=author.title()),
		text=text,
		posted_at=START + timedelta(minutes=minutes),
		**values,
	)


def in_own_connections(*calls):
	"""Runs each call in a thread with its own site connection, all released at once; returns
	their results in order and raises the first thread's error."""
	site, sites_path = frappe.local.site, frappe.local.sites_path
	barrier = threading.Barrier(len(calls))
	results, errors = [None] * len(calls), []

	def run(index, call):
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		frappe.set_user("Administrator")
		try:
			barrier.wait(timeout=60)
			results[index] = call()
			frappe.db.commit()
		except BaseException:
			errors.append(traceback.format_exc())
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
	for thread in threads:
		thread.start()
	for thread in threads:
		thread.join(timeout=300)
	if errors:
		raise AssertionError(errors[0])
	return results


class ConcurrentCase(FrappeTestCase):
	def setUp(self):
		clean()
		if not frappe.db.exists("Monitored Keyword", KEYWORD):
			frappe.get_doc({"doctype": "Monitored Keyword", "keyword_name": KEYWORD, "query": "acme"}).insert(
				ignore_permissions=True
			)
		for name in ACCOUNTS:
			frappe.get_doc(
				{
					"doctype": "Social Account",
					"account_name": name,
					"platform": "Mastodon",
					"base_url": "https://social.example",
					"own_handle": "acme",
					"enabled": 0,
				}
			).insert(ignore_permissions=True)
		frappe.db.commit()

	def tearDown(self):
		clean()
		frappe.db.delete("Monitored Keyword", {"name": KEYWORD})
		frappe.db.commit()


class TestTwoWorkersStoringAtOnce(ConcurrentCase):
	def test_pages_sharing_an_author_a_thread_and_a_post_give_one_profile_ticket_and_mention(self):
		shared = post("s-1", "Acme hat neue Preise.", "tom", 1)
		complaint = dict(conversation_id="c-1")
		page_a = [
			post("a-1", "Acme ist seit heute Morgen kaputt, ich kündige!", "lena", 2, **complaint),
			post("a-2", "Acme Cloud läuft wieder nicht.", "nina", 3),
			shared,
			post("a-3", "Acme, ich warte immer noch. Nie wieder!", "lena", 5, **complaint),
		]
		page_b = [
			post("b-1", "Acme antwortet nicht, immer noch kaputt.", "max", 4, in_reply_to="a-1", **complaint),
			shared,
			post("b-2", "Acme hat mir nie geantwortet, unverschämt.", "nina", 6),
			post("b-3", "Acme neue Version ist da.", "tom", 7),
		]

		def store(account, page):
			return lambda: store_mentions(frappe.get_doc("Social Account", account), page, build_pipeline())

		counts = in_own_connections(store(ACCOUNTS[0], page_a), store(ACCOUNTS[1], page_b))
		again = in_own_connections(store(ACCOUNTS[0], page_a), store(ACCOUNTS[1], page_b))
		frappe.db.rollback()  # a fresh snapshot of what the threads committed
		self.assertEqual(sum(c["new"] for c in counts), 7)
		self.assertEqual(sum(c["new"] for c in again), 0, "the second round finds everything stored")
		self.assertEqual(frappe.db.count("Social Mention"), 7, "each post once")
		self.assertEqual(frappe.db.count("Social Mention", {"external_id": "s-1"}), 1)
		profiles = frappe.get_all(
			"Social Profile",
			fields=["name", "handle", "mention_count", "average_sentiment", "last_mention_at"],
		)
		self.assertEqual(
			sorted(p.handle for p in profiles),
			[f"{a}@social.example" for a in ("lena", "max", "nina", "tom")],
		)
		for profile in profiles:
			mentions = frappe.get_all(
				"Social Mention", {"social_profile": profile.name}, ["sentiment_score", "posted_at"]
			)
			self.assertEqual(profile.mention_count, len(mentions), profile.handle)
			average = sum(m.sentiment_score for m in mentions) / len(mentions)
			self.assertAlmostEqual(profile.average_sentiment, average, places=4, msg=profile.handle)
			self.assertEqual(profile.last_mention_at, max(m.posted_at for m in mentions), profile.handle)
		on_tickets = frappe.get_all(
			"Social Mention", {"external_id": ("in", ("a-1", "a-3", "b-1"))}, pluck="social_ticket"
		)
		self.assertEqual(len(set(on_tickets)), 1, "the thread c-1 is one ticket")
		self.assertTrue(on_tickets[0])
		rows = frappe.get_all("Social Ticket Mention", {"parent": on_tickets[0]}, pluck="social_mention")
		self.assertEqual(len(rows), len(set(rows)), "no mention twice on the ticket")
		in_own_connections(tickets.mirror_pending, tickets.mirror_pending)  # two mirrors at once
		frappe.db.rollback()
		self.assertEqual(
			frappe.db.count("Issue", {"social_ticket": ("is", "set")}), frappe.db.count("Social Ticket")
		)


class TestFetchJobsOfDeadWorkers(ConcurrentCase):
	def setUp(self):
		super().setUp()
		frappe.db.set_value("Social Account", ACCOUNTS[0], "enabled", 1)
		frappe.db.set_single_value("Social CRM Settings", "enabled", 1)
		frappe.db.commit()
		self.queue = get_queue(tasks.FETCH_QUEUE)
		self.drop_jobs()

	def tearDown(self):
		self.drop_jobs()
		super().tearDown()

	def drop_jobs(self):
		for account in ACCOUNTS:
			frappe.cache.delete_value(tasks.connection_key(account))
			job = get_job(tasks.fetch_job_id(account))
			if job is not None:
				self.queue.remove(job)
				StartedJobRegistry(queue=self.queue).remove(job)
				job.delete()

	def started_by_a_worker(self, heartbeat_in):
		"""The account's job as RQ leaves it once a worker took it: out of the queue, status
		started, in the StartedJobRegistry until the worker's heartbeat lapses."""
		tasks.enqueue_fetch(ACCOUNTS[0])
		job = get_job(tasks.fetch_job_id(ACCOUNTS[0]))
		self.queue.remove(job)
		with self.queue.connection.pipeline() as pipeline:
			job.prepare_for_execution("a-killed-worker", pipeline)
			pipeline.execute()
		registry = StartedJobRegistry(queue=self.queue)
		self.queue.connection.zadd(registry.key, {job.id: time.time() + heartbeat_in})
		return job

	def test_the_job_of_a_killed_worker_is_queued_again_on_the_next_tick_and_logged(self):
		self.started_by_a_worker(heartbeat_in=-10)  # lapsed: nobody renews it
		self.assertIn(ACCOUNTS[0], tasks.enqueue_due_fetches())
		job = get_job(tasks.fetch_job_id(ACCOUNTS[0]))
		self.assertEqual(job.get_status(), JobStatus.QUEUED)
		self.assertIn(job.id, self.queue.get_job_ids())
		self.assertEqual(job.kwargs["kwargs"]["account_name"], ACCOUNTS[0])
		self.assertEqual(
			frappe.db.count(
				"Error Log", {"method": f"Social CRM: the fetch of {ACCOUNTS[0]} died with its worker"}
			),
			1,
		)

	def test_a_job_whose_process_is_gone_is_queued_again_before_its_heartbeat_lapses(self):
		site, sites_path = frappe.local.site, frappe.local.sites_path
		noted = []

		def a_fetch_process_that_is_killed():
			frappe.init(site=site, sites_path=sites_path)
			frappe.connect()
			try:
				noted.append(frappe.db.sql("select connection_id()")[0][0])
			finally:
				frappe.destroy()  # its connection closes, as a killed process's does

		thread = threading.Thread(target=a_fetch_process_that_is_killed)
		thread.start()
		thread.join(timeout=60)
		self.started_by_a_worker(heartbeat_in=90)  # the worker's heartbeat has not lapsed yet
		frappe.cache.set_value(tasks.connection_key(ACCOUNTS[0]), noted[0])
		self.assertIn(ACCOUNTS[0], tasks.enqueue_due_fetches())
		job = get_job(tasks.fetch_job_id(ACCOUNTS[0]))
		self.assertEqual(job.get_status(), JobStatus.QUEUED)
		self.assertIn(job.id, self.queue.get_job_ids())
		self.assertEqual(
			frappe.db.count(
				"Error Log", {"method": f"Social CRM: the fetch of {ACCOUNTS[0]} died with its worker"}
			),
			1,
		)

	def test_a_job_whose_connection_lives_is_left_running(self):
		self.started_by_a_worker(heartbeat_in=90)
		frappe.cache.set_value(
			tasks.connection_key(ACCOUNTS[0]), frappe.db.sql("select connection_id()")[0][0]
		)
		tasks.enqueue_due_fetches()
		self.assertEqual(get_job(tasks.fetch_job_id(ACCOUNTS[0])).get_status(), JobStatus.STARTED)
		frappe.cache.delete_value(tasks.connection_key(ACCOUNTS[0]))

	def test_a_running_job_is_never_queued_twice_whatever_the_ticks(self):
		self.started_by_a_worker(heartbeat_in=90)  # a living worker renews it
		for _tick in range(3):
			tasks.enqueue_due_fetches()
		job = get_job(tasks.fetch_job_id(ACCOUNTS[0]))
		self.assertEqual(job.get_status(), JobStatus.STARTED)
		self.assertNotIn(job.id, self.queue.get_job_ids())
		self.assertEqual(
			[
				job_id
				for job_id in self.queue.get_job_ids()
				if job_id == create_job_id(tasks.fetch_job_id(ACCOUNTS[0]))
			],
			[],
		)

	def test_a_job_whose_work_horse_was_killed_is_queued_again(self):
		job = self.started_by_a_worker(heartbeat_in=90)
		# what a living worker does when its work horse dies (rq Worker.monitor_work_horse)
		job.set_status(JobStatus.FAILED)
		job._exc_info = "Work-horse terminated unexpectedly; waitpid returned 9 (signal 9); "
		job.save()
		StartedJobRegistry(queue=self.queue).remove(job)
		tasks.enqueue_due_fetches()
		self.assertEqual(get_job(tasks.fetch_job_id(ACCOUNTS[0])).get_status(), JobStatus.QUEUED)
		self.assertEqual(
			frappe.db.count(
				"Error Log", {"method": f"Social CRM: the fetch of {ACCOUNTS[0]} died with its worker"}
			),
			1,
		)

	def test_the_connection_a_gone_machine_left_open_is_ended_so_its_locks_are_free(self):
		site, sites_path = frappe.local.site, frappe.local.sites_path
		name = tasks.account_lock_name(ACCOUNTS[0])
		holding, gone = threading.Event(), threading.Event()

		def job_on_a_machine_that_goes_away():
			frappe.init(site=site, sites_path=sites_path)
			frappe.connect()
			try:
				frappe.db.sql("select get_lock(%s, 0)", name)
				connection = frappe.db.sql("select connection_id()")[0][0]
				frappe.cache.set_value(tasks.connection_key(ACCOUNTS[0]), connection)
				holding.set()
				gone.wait(timeout=60)  # the server keeps the connection open meanwhile
			finally:
				try:
					frappe.destroy()
				except Exception:
					pass  # its connection was ended

		thread = threading.Thread(target=job_on_a_machine_that_goes_away)
		thread.start()
		self.assertTrue(holding.wait(timeout=60))
		self.assertEqual(frappe.db.sql("select is_free_lock(%s)", name)[0][0], 0)
		self.started_by_a_worker(heartbeat_in=-10)
		tasks.enqueue_due_fetches()
		self.assertEqual(frappe.db.sql("select is_free_lock(%s)", name)[0][0], 1)
		gone.set()
		thread.join(timeout=60)

	def test_a_fetch_finding_the_account_still_fetched_elsewhere_leaves_it_alone(self):
		def holder():
			frappe.db.sql("select get_lock(%s, 0)", tasks.account_lock_name(ACCOUNTS[0]))
			return in_own_connections(lambda: tasks.fetch_account_job(ACCOUNTS[0]))[0]

		[result] = in_own_connections(holder)
		self.assertEqual(result["status"], "Skipped")
		self.assertEqual(frappe.db.count("Social Fetch Log", {"social_account": ACCOUNTS[0]}), 0)


class TestAgentSavesWhileTheJobAppends(ConcurrentCase):
	def test_an_agent_s_save_keeps_the_appended_mention_and_the_job_keeps_the_agent_s_change(self):
		account = frappe.get_doc("Social Account", ACCOUNTS[0])
		store_mentions(
			account,
			[post("e-1", "Acme ist kaputt, ich kündige!", "lena", 0, conversation_id="c-9")],
			build_pipeline(),
		)
		frappe.db.commit()
		[ticket_name] = frappe.get_all("Social Ticket", pluck="name")
		form = frappe.get_doc("Social Ticket", ticket_name)  # the agent opens the ticket
		store_mentions(
			account,
			[
				post(
					"e-2",
					"Acme, immer noch kaputt, niemand antwortet.",
					"max",
					30,
					in_reply_to="e-1",
					conversation_id="c-9",
				)
			],
			build_pipeline(),
		)
		frappe.db.commit()
		form.subject = "Ausfall seit heute Morgen (Lena)"
		form.save(ignore_permissions=True)  # no "modified after you opened it"
		frappe.db.commit()
		ticket = frappe.get_doc("Social Ticket", ticket_name)
		self.assertEqual(ticket.subject, "Ausfall seit heute Morgen (Lena)")
		appended = frappe.db.get_value(
			"Social Mention", {"external_id": "e-2"}, ["name", "posted_at"], as_dict=True
		)
		self.assertIn(appended.name, [row.social_mention for row in ticket.mentions])
		self.assertEqual(len(ticket.mentions), 2)
		self.assertEqual(to_utc(ticket.last_activity_at), to_utc(appended.posted_at))

	def test_an_agent_s_form_loaded_before_the_issue_mirror_keeps_its_issue_and_posts_once(self):
		account = frappe.get_doc("Social Account", ACCOUNTS[0])
		store_mentions(
			account,
			[post("m-1", "Acme ist kaputt, ich kündige!", "lena", 0, conversation_id="c-7")],
			build_pipeline(),
		)
		store_mentions(
			account,
			[
				post(
					"m-2",
					"Acme, immer noch kaputt, niemand antwortet.",
					"max",
					30,
					in_reply_to="m-1",
					conversation_id="c-7",
				)
			],
			build_pipeline(),
		)
		frappe.db.commit()
		[ticket_name] = frappe.get_all("Social Ticket", pluck="name")
		form = frappe.get_doc("Social Ticket", ticket_name)  # before the mirror ran
		self.assertFalse(form.issue)
		tickets.mirror_pending()
		frappe.db.commit()
		issue = frappe.db.get_value("Social Ticket", ticket_name, "issue")
		self.assertTrue(issue)
		received = {"reference_doctype": "Issue", "reference_name": issue, "sent_or_received": "Received"}
		posts = frappe.db.count("Communication", received)
		form.subject = "Ausfall seit heute Morgen (Lena)"
		form.save(ignore_permissions=True)  # no "modified after you opened it"
		frappe.db.commit()
		tickets.mirror_pending()
		frappe.db.commit()
		self.assertEqual(frappe.db.get_value("Social Ticket", ticket_name, "issue"), issue)
		self.assertEqual(frappe.db.count("Communication", received), posts)
		self.assertEqual(
			frappe.db.count("Social Ticket Mention", {"parent": ticket_name, "mirror_pending": 1}), 0
		)


class TestIssueMirrorQueue(FrappeTestCase):
	def setUp(self):
		self.queue = get_queue("default")
		self.drop()

	def tearDown(self):
		self.drop()

	def drop(self):
		for job_id in (tickets.MIRROR_JOB, tickets.MIRROR_FOLLOW_UP):
			job = get_job(job_id)
			if job is not None:
				self.queue.remove(job)
				StartedJobRegistry(queue=self.queue).remove(job)
				job.delete()

	def test_a_page_committed_while_the_mirror_runs_queues_one_to_follow_it(self):
		tickets.queue_mirror()
		tickets.queue_mirror()  # a second page while it is queued: the queued one will do
		self.assertEqual(self.mirror_jobs_queued(), [create_job_id(tickets.MIRROR_JOB)])
		job = get_job(tickets.MIRROR_JOB)
		self.queue.remove(job)
		with self.queue.connection.pipeline() as pipeline:
			job.prepare_for_execution("a-worker", pipeline)  # a worker runs it
			pipeline.execute()
		tickets.queue_mirror()  # it may have read the pending tickets before this page
		tickets.queue_mirror()
		self.assertEqual(get_job(tickets.MIRROR_JOB).get_status(), JobStatus.STARTED)
		self.assertEqual(self.mirror_jobs_queued(), [create_job_id(tickets.MIRROR_FOLLOW_UP)])

	def mirror_jobs_queued(self):
		"""This site's mirror jobs in the queue (other sites of the bench share it)."""
		ours = {create_job_id(tickets.MIRROR_JOB), create_job_id(tickets.MIRROR_FOLLOW_UP)}
		return [job_id for job_id in self.queue.get_job_ids() if job_id in ours]
