"""Several `bench worker` processes polling 20 accounts at once, with a webhook and a killed worker.

Runs ON a bench site with the bench's own Python (it calls frappe.init/connect itself):

    cd <bench>/sites && ../env/bin/python /path/to/social_crm/bench/workers_bench.py --site <site> --workers 3

It DELETES every Social Mention, Profile, Ticket (with their Issues) and Fetch Log of the site
first, so run it on a bench site of its own. What it does:

* local platform servers on 127.0.0.1: 18 Pleroma instances (the Mastodon API, with Pleroma's
  `pleroma.conversation_id`; search pages by max_id until an empty page, as documented) that all
  federate one pool of posts (same host, same status URIs) and each serve a random 30% of it (a first
  poll reads at most 5 pages of 40),
  so every post reaches several accounts, from 40 authors (5 prolific) in threads of replies;
  and 2 Facebook Pages (Graph API, cursor paging) with comment threads by 20 shared authors;
* 20 Social Accounts (18 Mastodon, 2 Facebook), enabled, not fetched yet;
* `--workers` `bench worker --queue long,default,short` processes (their own process groups);
* scheduler ticks: `tasks.enqueue_due_fetches()` every `--tick` seconds (the real scheduler
  ticks every 60 s), as the scheduler would, until every account has been fetched and nothing
  is queued or running;
* at the first tick, signed webhook deliveries of 60% of the Facebook comments, queued as the
  endpoint queues them (or POSTed to `--site-url` when given, e.g. http://127.0.0.1:8015);
* with `--kill` (the default when --workers > 1): once a quarter of the posts are stored, SIGKILL
  of a worker whose work horse is inside a page (holds the page's thread locks), with that horse
  (a machine gone): RQ leaves that job
  "started"; its heartbeat lapses within 90 s and the next tick queues the account again.

Then it checks and prints: every post stored exactly once (against what the servers served),
one profile per author with counters equal to those recomputed from the mentions, no thread on
two tickets, one Issue per ticket with one Communication per appended post, the Error Log entries written during the run (only the kill's
is expected), and the wall time from the first tick to the last stored post. Run it with
`--workers 1` for the figure to compare against (no kill).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import psutil

import frappe

ACCOUNT = "_Bench Workers {:02d}"
KEYWORD = "_Bench Workers Acme"
HOST = "workers.example"
TOKEN = "bench-workers-token"
APP_SECRET = "bench-workers-app-secret"
VERIFY = "bench-workers-verify"
PAGES = ("1000101", "1000102")
ID_BASE = 112_000_000_000_000_000
START = datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc)

TEXTS = {
	"negative": [
		"Acme Cloud ist schon wieder kaputt, seit {n} Stunden Störung. Ich kündige!",
		"@acme Rechnung {n} doppelt abgebucht und keiner antwortet. Unverschämt.",
		"Acme Cloud is down again, third outage this week. Not working for {n} hours now.",
		"Really disappointed with Acme, the deploy {n} broke our shop and nobody answers. Never again.",
	],
	"neutral": [
		"Acme ändert am Montag die Preise für Tarif {n}.",
		"Acme announced new pricing for plan {n} starting Monday.",
		"Hat jemand Erfahrungen mit der Acme API Version {n}?",
	],
	"positive": [
		"Danke Acme, super Service! Problem {n} in Minuten gelöst.",
		"Shoutout to Acme support, fixed my issue in {n} minutes. Great service!",
	],
}


def connect(site: str) -> None:
	frappe.init(site=site, sites_path=os.getcwd())
	frappe.connect()
	frappe.set_user("Administrator")


# --- the platforms ----------------------------------------------------------------------------


def pleroma_class():
	from social_crm.engine.platform_fakes.mastodon import FakeMastodon

	class FakePleroma(FakeMastodon):
		"""A Pleroma instance: Mastodon's API plus `pleroma.conversation_id` on each status."""

		def __init__(self, posts, conversations, **values):
			self.conversations = conversations
			super().__init__(posts, **values)

		def status(self, post):
			status = super().status(post)
			status["pleroma"] = {"conversation_id": int(self.conversations[post.id])}
			return status

	return FakePleroma


def post_pool(count: int, rng: random.Random):
	"""The federated posts: (SeedPost list, post id -> conversation root id)."""
	from social_crm.engine.platform_fakes.server import SeedPost

	authors = [f"user{i:02d}" for i in range(40)]
	weights = [8 if i < 5 else 1 for i in range(40)]
	posts, roots = [], {}
	for n in range(count):
		post_id = str(ID_BASE + n * 1000)
		reply_to = None
		if posts and rng.random() < 0.35:
			parent = rng.choice(posts[-40:])
			reply_to, roots[post_id] = parent.id, roots[parent.id]
		else:
			roots[post_id] = post_id
		kind = rng.choices(list(TEXTS), [0.35, 0.45, 0.2])[0]
		posts.append(
			SeedPost(
				text=rng.choice(TEXTS[kind]).format(n=n),
				author=rng.choices(authors, weights)[0],
				created_at=START + timedelta(minutes=2 * n),
				lang=None,
				reply_to=reply_to,
				id=post_id,
			)
		)
	return posts, roots


def facebook_page(page_id: str, comments: int, rng: random.Random):
	from social_crm.engine.platform_fakes.facebook import FakeFacebook
	from social_crm.engine.platform_fakes.server import SeedPost

	fake = FakeFacebook(token=TOKEN, page_id=page_id)
	roots = [
		fake.add_post(
			SeedPost(
				text=f"Acme Neuigkeiten {i}",
				kind="page_post",
				author=page_id,
				created_at=START + timedelta(hours=i),
			)
		)
		for i in range(4)
	]
	made = []
	for n in range(comments):
		parent = rng.choice(made[-10:]) if made and rng.random() < 0.3 else rng.choice(roots)
		kind = rng.choices(list(TEXTS), [0.4, 0.4, 0.2])[0]
		made.append(
			fake.add_post(
				SeedPost(
					text=rng.choice(TEXTS[kind]).format(n=n),
					author=f"fbuser{rng.randrange(20):02d}",
					created_at=parent.created_at + timedelta(minutes=3 + n),
					reply_to=parent.id,
				)
			)
		)
	return fake, made


def deliveries(fake, comments, rng: random.Random, per_delivery: int = 10) -> list[bytes]:
	"""Meta `feed` deliveries (object page) of a share of the page's comments."""
	chosen = [comment for comment in comments if rng.random() < 0.6]
	bodies = []
	for start in range(0, len(chosen), per_delivery):
		changes = []
		for comment in chosen[start : start + per_delivery]:
			post_id = fake.root_of(comment)
			changes.append(
				{
					"field": "feed",
					"value": {
						"from": fake.author_of(comment),
						"post_id": post_id,
						"comment_id": comment.id,
						"created_time": int(comment.created_at.timestamp()),
						"item": "comment",
						"parent_id": comment.reply_to or post_id,
						"verb": "add",
						"message": comment.text,
					},
				}
			)
		entry = {"id": fake.owner_id, "time": int(time.time()), "changes": changes}
		bodies.append(json.dumps({"object": "page", "entry": [entry]}, ensure_ascii=False).encode())
	return bodies


# --- the site ---------------------------------------------------------------------------------


def clean() -> None:
	issues = frappe.get_all("Issue", {"social_ticket": ("is", "set")}, pluck="name")
	for start in range(0, len(issues), 500):
		chunk = issues[start : start + 500]
		frappe.db.delete("Communication", {"reference_doctype": "Issue", "reference_name": ("in", chunk)})
		frappe.db.delete("Issue", {"name": ("in", chunk)})
	for doctype in (
		"Social Ticket Mention",
		"Social Ticket",
		"Social Mention Keyword",
		"Social Mention",
		"Social Profile",
		"Social Fetch Log",
	):
		frappe.db.delete(doctype)
	frappe.db.delete("Social Account", {"name": ("like", "_Bench Workers%")})
	frappe.db.commit()


def setup(pleromas, pages) -> list[str]:
	settings = frappe.get_single("Social CRM Settings")
	settings.enabled = 1
	settings.ticket_creation_mode = "Automatic"
	settings.save(ignore_permissions=True)
	for name in frappe.get_all("Social Account", {"enabled": 1}, pluck="name"):
		frappe.db.set_value("Social Account", name, "enabled", 0)
		print(f"disabled the site's account {name} for the run")
	if not frappe.db.exists("Monitored Keyword", KEYWORD):
		frappe.get_doc({"doctype": "Monitored Keyword", "keyword_name": KEYWORD, "query": "acme"}).insert(
			ignore_permissions=True
		)
	names = []
	for i, fake in enumerate(pleromas):
		names.append(
			frappe.get_doc(
				{
					"doctype": "Social Account",
					"account_name": ACCOUNT.format(i + 1),
					"platform": "Mastodon",
					"base_url": fake.base_url,
					"access_token": TOKEN,
					"own_handle": "acme",
					"poll_interval": 600,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	for j, (fake, _comments) in enumerate(pages):
		names.append(
			frappe.get_doc(
				{
					"doctype": "Social Account",
					"account_name": ACCOUNT.format(len(pleromas) + j + 1),
					"platform": "Facebook",
					"base_url": fake.base_url,
					"page_id": fake.owner_id,
					"access_token": TOKEN,
					"app_secret": APP_SECRET,
					"verify_token": VERIFY,
					"poll_interval": 600,
				}
			)
			.insert(ignore_permissions=True)
			.name
		)
	frappe.db.commit()
	return names


# --- workers ----------------------------------------------------------------------------------


def start_workers(count: int, log_dir: str) -> list[subprocess.Popen]:
	bench_dir = os.path.dirname(os.getcwd())
	env = dict(os.environ, PATH=f"/opt/bench-tools/cli-venv/bin:{os.environ.get('PATH', '')}")
	procs = []
	for i in range(count):
		log = open(os.path.join(log_dir, f"workers_bench_worker_{i}.log"), "w")
		procs.append(
			subprocess.Popen(
				["bench", "worker", "--queue", "long,default,short"],
				cwd=bench_dir,
				env=env,
				stdout=log,
				stderr=subprocess.STDOUT,
				start_new_session=True,
			)
		)
	return procs


def rq_workers(procs):
	"""{pid: rq Worker} of our processes, once they registered."""
	from rq import Worker

	from frappe.utils.background_jobs import get_redis_conn

	pids = {proc.pid for proc in procs if proc.poll() is None}
	return {w.pid: w for w in Worker.all(connection=get_redis_conn()) if w.pid in pids}


def kill_tree(pid: int) -> list[int]:
	"""SIGKILL the worker and its work horse (RQ forks one per job, in a session of its own)."""
	try:
		process = psutil.Process(pid)
		tree = [*process.children(recursive=True), process]
	except psutil.NoSuchProcess:
		return []
	for member in tree:
		try:
			member.send_signal(signal.SIGKILL)
		except psutil.NoSuchProcess:
			pass
	return [member.pid for member in tree]


def cpu_of(pid: int) -> float:
	"""User + system CPU seconds of a worker, with its finished (reaped) work horses."""
	try:
		times = psutil.Process(pid).cpu_times()
	except psutil.NoSuchProcess:
		return 0.0
	return times.user + times.system + times.children_user + times.children_system


def inside_a_page(pid: int, lock_names: list[str]) -> bool:
	"""Whether the work horse `pid` holds thread locks, i.e. is deciding or writing a page
	(ingest.thread_locks holds them from before the page's first read until its commit)."""
	from frappe.utils import cint

	db_port = cint(frappe.conf.db_port) or 3306
	try:
		ports = {
			c.laddr.port
			for c in psutil.Process(pid).connections(kind="tcp")
			if c.raddr and c.raddr.port == db_port
		}
	except (psutil.NoSuchProcess, psutil.AccessDenied, AttributeError):
		return False
	threads = {
		thread_id
		for thread_id, host in frappe.db.sql("select id, host from information_schema.processlist")
		if host and host.rsplit(":", 1)[-1].isdigit() and int(host.rsplit(":", 1)[-1]) in ports
	}
	if not threads:
		return False
	holders = frappe.db.sql("select " + ", ".join(["is_used_lock(%s)"] * len(lock_names)), lock_names)[0]
	return bool(threads & set(holders))


def author_lock_names(handles: set[tuple[str, str]]) -> list[str]:
	"""The names ingest.thread_locks gives the authors' keys (triage.thread_keys)."""
	import hashlib

	from social_crm.engine.triage import normalise_handle

	site = frappe.conf.db_name or frappe.local.site
	return sorted(
		"scrm:"
		+ hashlib.sha1(f"{site} {platform} author {normalise_handle(handle)}".encode()).hexdigest()[:40]
		for platform, handle in handles
	)


def stop_workers(procs) -> None:
	for proc in procs:
		if proc.poll() is None:
			proc.send_signal(signal.SIGTERM)
	for proc in procs:
		try:
			proc.wait(timeout=30)
		except subprocess.TimeoutExpired:
			kill_tree(proc.pid)


def drop_queued_jobs() -> int:
	"""Jobs of this site still queued from before (run-tests queues fetches no worker runs):
	the workers would run them against accounts and mentions that are gone."""
	from frappe.utils.background_jobs import get_queue

	dropped = 0
	for name in ("long", "default", "short"):
		queue = get_queue(name)
		for job_id in queue.get_job_ids():
			if job_id.startswith(f"{frappe.local.site}::"):
				job = queue.fetch_job(job_id)
				if job is not None:
					job.delete()
					dropped += 1
	return dropped


def our_jobs_pending(queues=("long", "short")) -> int:
	"""Fetch and webhook jobs (on "default": Issue mirror jobs) of this site queued or started
	(read without RQ's cleanup, which would end a dead worker's job before the tick does)."""
	from rq.registry import StartedJobRegistry

	from frappe.utils.background_jobs import get_queue

	prefix = f"{frappe.local.site}::social_crm_"
	pending = 0
	for name in queues:
		queue = get_queue(name)
		started = StartedJobRegistry(queue=queue)
		ids = [i.decode() for i in queue.connection.lrange(queue.key, 0, -1)]
		ids += [i.decode() for i in queue.connection.zrange(started.key, 0, -1)]
		pending += sum(1 for job_id in ids if job_id.startswith(prefix))
	return pending


def enqueue_delivery(body: bytes, site_url: str | None) -> None:
	from social_crm.engine.webhooks import delivery_key, sign

	if site_url:
		import requests

		response = requests.post(
			f"{site_url.rstrip('/')}/api/method/social_crm.webhooks.facebook",
			data=body,
			headers={
				"Content-Type": "application/json",
				"X-Hub-Signature-256": sign(body, APP_SECRET),
				"Host": frappe.local.site,
			},
			timeout=10,
		)
		response.raise_for_status()
		return
	# what social_crm.webhooks.meta_endpoint queues for a delivery whose signature is good
	frappe.enqueue(
		"social_crm.webhooks.process_meta_delivery",
		queue="short",
		timeout=300,
		job_id=f"social_crm_webhook::{delivery_key(body)}",
		deduplicate=True,
		platform="Facebook",
		body=body.decode(),
	)


# --- checks -----------------------------------------------------------------------------------


def check(expected: set[tuple[str, str]], run_started, killed: bool) -> bool:
	ok = True
	rows = frappe.db.sql(
		"select platform, external_id, count(*) from `tabSocial Mention` group by platform, external_id",
		as_list=True,
	)
	stored = {(platform, external_id): n for platform, external_id, n in rows}
	missing = expected - set(stored)
	twice = {key: n for key, n in stored.items() if n > 1}
	extra = set(stored) - expected
	print(
		f"posts: {len(expected)} served (distinct), {sum(stored.values())} stored, missing {len(missing)}, "
		f"stored twice {len(twice)}, stored but not served {len(extra)}"
	)
	ok &= not missing and not twice

	profiles = frappe.db.sql(
		"""select p.name, p.platform, p.handle, p.mention_count, p.average_sentiment, p.last_mention_at,
			count(m.name) as n, avg(m.sentiment_score) as average, max(m.posted_at) as last
		from `tabSocial Profile` p left join `tabSocial Mention` m on m.social_profile = p.name
		group by p.name""",
		as_dict=True,
	)
	wrong = [
		p
		for p in profiles
		if p.mention_count != p.n
		or (p.n and abs((p.average_sentiment or 0) - float(p.average or 0)) > 1e-6)
		or (p.n and p.last_mention_at != p.last)
	]
	authors = frappe.db.sql(
		"select count(distinct platform, author_handle) from `tabSocial Mention`", as_list=True
	)[0][0]
	keyed = frappe.db.sql(
		"select count(*) from (select handle_key from `tabSocial Profile` group by handle_key having count(*) > 1) t"
	)[0][0]
	without = frappe.db.count("Social Mention", {"social_profile": ("is", "not set")})
	print(
		f"profiles: {len(profiles)} for {authors} authors, {keyed} keys twice, {without} mentions without one, "
		f"counters off on {len(wrong)} (count, average sentiment, last mention recomputed from the mentions)"
	)
	for p in wrong[:5]:
		print(
			f"  {p.handle}: stored {p.mention_count}/{p.average_sentiment}/{p.last_mention_at}, mentions {p.n}/{p.average}/{p.last}"
		)
	ok &= not wrong and len(profiles) == authors and not keyed and not without

	split = frappe.db.sql(
		"""select platform, conversation_id, count(distinct social_ticket) from `tabSocial Mention`
		where ifnull(social_ticket, '') != '' and ifnull(conversation_id, '') != ''
		group by platform, conversation_id having count(distinct social_ticket) > 1""",
		as_list=True,
	)
	on_two = frappe.db.sql(
		"""select count(*) from (select social_mention from `tabSocial Ticket Mention`
		group by social_mention having count(*) > 1) t"""
	)[0][0]
	tickets = frappe.db.count("Social Ticket")
	no_issue = frappe.db.count("Social Ticket", {"issue": ("is", "not set")})
	issues = frappe.db.count("Issue", {"social_ticket": ("is", "set")})
	threads = frappe.db.sql(
		"""select count(distinct platform, conversation_id) from `tabSocial Mention`
		where ifnull(social_ticket, '') != ''"""
	)[0][0]
	print(
		f"tickets: {tickets} for {threads} ticketed threads, threads on two tickets {len(split)}, "
		f"mentions on two tickets {on_two}, tickets without Issue {no_issue}, Issues {issues}"
	)
	ok &= not split and not on_two and not no_issue and issues == tickets
	timeline = frappe.db.sql(
		"""select count(*) from (select t.name, count(r.name) as thread,
			(select count(*) from `tabCommunication` c where c.reference_doctype = 'Issue'
				and c.reference_name = t.issue and c.sent_or_received = 'Received') as received
		from `tabSocial Ticket` t join `tabSocial Ticket Mention` r on r.parent = t.name
		group by t.name having thread - 1 != received) x"""
	)[0][0]
	rows = frappe.db.count("Social Ticket Mention")
	ticketed = frappe.db.count("Social Mention", {"social_ticket": ("is", "set")})
	print(
		f"threads: {rows} rows on tickets for {ticketed} ticketed mentions; tickets whose Issue timeline "
		f"misses or repeats an appended post {timeline}"
	)
	ok &= not timeline and rows == ticketed
	unlinked = unlinked_tickets()
	print(
		f"tickets holding a post linked to none of its others (same author, conversation or reply) {unlinked}"
	)
	ok &= not unlinked

	errors = frappe.get_all(
		"Error Log", {"creation": (">=", run_started)}, ["method", "error"], order_by="creation"
	)
	kills = [e for e in errors if "died with its worker" in (e.method or "")]
	others = [e for e in errors if e not in kills]
	print(f"Error Log: {len(errors)} entries during the run, {len(kills)} of the kill, {len(others)} others")
	for e in kills + others[:5]:
		print(f"  {e.method}: {(e.error or '').strip().splitlines()[-1][:160] if e.error else ''}")
	ok &= not others and (len(kills) == 1 if killed else not kills)

	logs = frappe.db.sql("select status, count(*) from `tabSocial Fetch Log` group by status", as_list=True)
	print("fetch logs: " + ", ".join(f"{status} {n}" for status, n in logs))
	return ok


def unlinked_tickets() -> int:
	"""Tickets whose posts fall apart into groups that share no author, conversation or reply:
	threading put a post on a ticket it has nothing to do with."""
	by_ticket: dict[str, list] = {}
	for row in frappe.db.sql(
		"""select social_ticket, external_id, author_handle, conversation_id, in_reply_to
		from `tabSocial Mention` where ifnull(social_ticket, '') != ''""",
		as_dict=True,
	):
		by_ticket.setdefault(row.social_ticket, []).append(row)
	count = 0
	for posts in by_ticket.values():
		group = {post.external_id: post.external_id for post in posts}

		def root(key, group=group):
			while group[key] != key:
				key = group[key]
			return key

		for i, a in enumerate(posts):
			for b in posts[:i]:
				if (
					a.author_handle == b.author_handle
					or (a.conversation_id and a.conversation_id == b.conversation_id)
					or a.in_reply_to == b.external_id
					or b.in_reply_to == a.external_id
				):
					group[root(a.external_id)] = root(b.external_id)
		count += len({root(post.external_id) for post in posts}) > 1
	return count


# --- the run ----------------------------------------------------------------------------------


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--workers", type=int, default=3)
	parser.add_argument("--posts", type=int, default=600, help="federated posts in the pool")
	parser.add_argument(
		"--share",
		type=float,
		default=0.3,
		help="share of the pool each instance serves (a first poll reads 200)",
	)
	parser.add_argument("--comments", type=int, default=60, help="comments per Facebook page")
	parser.add_argument("--tick", type=float, default=5.0, help="seconds between scheduler ticks")
	parser.add_argument("--kill", action=argparse.BooleanOptionalAction, default=None)
	parser.add_argument(
		"--kill-what",
		choices=("worker", "horse"),
		default="worker",
		help="worker: the worker with its horse (the job stays 'started'); horse: the horse only (its worker fails the job)",
	)
	parser.add_argument("--seed", type=int, default=15)
	parser.add_argument("--site-url", help="POST the webhook deliveries there instead of queueing them")
	parser.add_argument("--timeout", type=float, default=900)
	args = parser.parse_args()
	kill = args.workers > 1 if args.kill is None else args.kill
	rng = random.Random(args.seed)

	connect(args.site)
	from frappe.utils import now_datetime

	from social_crm import tasks

	pool, conversations = post_pool(args.posts, rng)
	FakePleroma = pleroma_class()
	pleromas = []
	for _i in range(18):
		served = [replace(post) for post in pool if rng.random() < args.share]
		pleromas.append(FakePleroma(served, conversations, token=TOKEN, host=HOST))
	pages = [facebook_page(page, args.comments, rng) for page in PAGES]
	for fake in [*pleromas, *(fake for fake, _c in pages)]:
		fake.start()
	largest = max(len(fake.posts) for fake in pleromas)
	if largest > 200:
		print(f"an instance serves {largest} posts: a first poll reads 200 of them, the rest is not expected")
	expected = {("Mastodon", post.id) for fake in pleromas for post in fake.newest_first()[:200]}
	expected |= {("Facebook", comment.id) for _fake, comments in pages for comment in comments}
	bodies = [body for fake, comments in pages for body in deliveries(fake, comments, rng)]
	handles = {("Mastodon", f"{post.author}@{HOST}") for post in pool}
	handles |= {("Facebook", fake.author_of(c)["id"]) for fake, comments in pages for c in comments}
	lock_names = author_lock_names(handles)

	clean()
	print(f"dropped {drop_queued_jobs()} jobs of this site queued before the run (e.g. by run-tests)")
	accounts = setup(pleromas, pages)
	log_dir = os.path.join(os.path.dirname(os.getcwd()), "logs")
	procs = start_workers(args.workers, log_dir)
	killed: dict = {}
	try:
		deadline = time.monotonic() + 120
		while len(rq_workers(procs)) < args.workers:
			if time.monotonic() > deadline:
				sys.exit("the workers did not start; see logs/workers_bench_worker_*.log")
			time.sleep(0.5)
		print(
			f"{args.workers} worker(s) up; {len(accounts)} accounts, {len(expected)} distinct posts served, "
			f"{len(bodies)} webhook deliveries; load {os.getloadavg()[0]:.2f}"
		)
		run_started = now_datetime()
		frappe.db.commit()
		clock, cpu = time.monotonic(), time.process_time()
		ticks = 0
		fetched_all_at = None
		while True:
			frappe.db.rollback()  # each tick reads afresh, as the scheduler's own job does
			tasks.enqueue_due_fetches()
			frappe.db.commit()
			if ticks == 0:
				for body in bodies:
					enqueue_delivery(body, args.site_url)
			ticks += 1
			frappe.db.rollback()  # a fresh snapshot for the counts
			stored = frappe.db.count("Social Mention")
			if kill and not killed and stored >= len(expected) / 4:
				for pid, worker in rq_workers(procs).items():
					job_id = worker.get_current_job_id() or ""
					horses = [child.pid for child in psutil.Process(pid).children()]
					if "::social_crm_fetch::" in job_id and any(inside_a_page(h, lock_names) for h in horses):
						pids = kill_tree(pid) if args.kill_what == "worker" else kill_tree(horses[0])
						killed = {
							"account": job_id.rsplit("::", 1)[1],
							"at": time.monotonic() - clock,
							"stored": stored,
							"pids": pids,
						}
						print(
							f"{killed['at']:.1f}s: SIGKILL "
							+ (
								f"worker {pid} and its horse {pids[:-1]}"
								if args.kill_what == "worker"
								else f"the horse {pids} of worker {pid}"
							)
							+ " while it wrote a page "
							f"of {killed['account']} (holding its thread locks; {stored} mentions committed so far)"
						)
						break
			fetched = frappe.db.count(
				"Social Account", {"name": ("in", accounts), "last_fetched_at": (">=", run_started)}
			)
			if fetched == len(accounts) and not our_jobs_pending():
				fetched_all_at = time.monotonic() - clock
				break
			if time.monotonic() - clock > args.timeout:
				print(f"timed out: {fetched}/{len(accounts)} accounts fetched")
				break
			time.sleep(args.tick)
		mirrored_at = None
		if fetched_all_at is not None:
			# the Issues and their timelines follow from the mirror job (tickets.mirror_pending)
			from social_crm.tickets import pending_tickets

			while time.monotonic() - clock <= args.timeout:
				frappe.db.rollback()  # a fresh snapshot
				if not pending_tickets(1) and not our_jobs_pending(("default",)):
					mirrored_at = time.monotonic() - clock
					break
				time.sleep(args.tick)
			print(
				"Issue mirror: "
				+ (
					f"every Issue and timeline written {mirrored_at - fetched_all_at:.1f}s after the last post was stored"
					if mirrored_at is not None
					else "timed out"
				)
			)
		wall = time.monotonic() - clock
		worker_cpu = sum(cpu_of(proc.pid) for proc in procs if proc.poll() is None)
		job_time = frappe.db.sql(
			"select sum(duration) from `tabSocial Fetch Log` where started_at >= %s", run_started
		)[0][0]
		print(
			f"CPU of the live workers and their work horses {worker_cpu:.1f}s; fetch jobs' summed duration "
			f"{job_time or 0:.1f}s (their mean concurrency {(job_time or 0) / wall:.2f})"
		)
		print(
			f"wall time {wall:.1f}s with {args.workers} worker(s) (first tick to every Issue written; every post "
			f"stored at {fetched_all_at if fetched_all_at is not None else float('nan'):.1f}s; "
			f"{ticks} ticks every {args.tick}s), this script's CPU {time.process_time() - cpu:.1f}s, "
			f"load {os.getloadavg()[0]:.2f}"
		)
		if killed:
			recovered = frappe.get_all(
				"Error Log",
				{"creation": (">=", run_started), "method": ("like", "%died with its worker")},
				["creation"],
			)
			runs = frappe.db.count("Social Fetch Log", {"social_account": killed["account"]})
			print(
				f"killed job of {killed['account']}: queued again by a tick "
				f"{(recovered[0].creation - run_started).total_seconds() - killed['at']:.0f}s after the kill "
				f"{'(RQ heartbeat 90 s)' if args.kill_what == 'worker' else '(failed by its worker at once)'}, "
				f"fetch logs of that account {runs}"
				if recovered
				else f"killed job of {killed['account']} was NOT recovered"
			)
		ok = check(expected, run_started, bool(killed)) and fetched_all_at is not None
		print("ALL CHECKS PASSED" if ok else "CHECKS FAILED")
	finally:
		stop_workers(procs)
		for fake in [*pleromas, *(fake for fake, _c in pages)]:
			fake.stop()
		frappe.destroy()
	sys.exit(0 if ok else 1)


if __name__ == "__main__":
	main()
