"""Ingest at scale on a real site: mentions/s against a plain insert, memory, desk query times.

Runs ON a bench site, with the bench's own Python (it calls frappe.init/connect itself, so it
needs no `bench execute` entry point inside the app):

    cd <bench>/sites && ../env/bin/python /path/to/social_crm/bench/ingest_bench.py --site <site>

Options: --mentions 50000 (stored through the real path), --fetch 1000 (mentions per simulated
fetch, each handed to `ingest.store_mentions` as the fetch job does), --memory 2000,20000 (one
fetch of that many, each in a fresh subprocess), --todo 2000 (plain ToDo inserts for the
baseline), --keep (leave the benchmark's rows on the site; by default they are deleted first),
--fill-to 50000 (top the table up with frappe.db.bulk_insert before the desk queries, when the
machine is too loaded to store that many through the real path in one run; printed as such).

What it stores: Mastodon posts from ~2,000 authors (a few prolific, most occasional, one linked
to a Customer and writing 500 of them), German and English, complaints, urgent questions,
neutral posts and praise, 15% replies in threads, spread over 60 days in posting order, with 5%
of every fetch being posts the previous fetch returned already (the overlap a re-poll sees).
Everything goes through `social_crm.ingest.store_mentions` (what `fetch_account` calls with a
connector's result) with the site's settings (Automatic tickets), so tickets and thread rows are
part of the figure; their ERPNext Issues and Communications are written by the mirror job
(`tickets.mirror_pending`), timed apart afterwards (--mirror-seconds at most).

Prints, in one run: the ToDo insert rate (before and after), mentions/s per 10,000 stored and
the ratio to the ToDo rate, the job's peak memory for one fetch of 2,000 vs 20,000 mentions,
and the desk's query times at the end with EXPLAIN: the Social Mention list's first page and
count with and without standard filters, the Customer dashboard counts for the customer with
500 mentions, get_open_count, the Social Inbox's stream (inbox.conversations) and the
open-ticket look-ups of one page.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone

import frappe

ACCOUNT = "_Bench Ingest Mastodon"
KEYWORD = "_Bench Ingest Acme"
CUSTOMER = "_Bench Krüger Logistik"
BIG_AUTHOR = "krueger_logistik@mastodon.example"
ID_BASE = 900_000_000_000_000_000
START = datetime(2026, 9, 1, tzinfo=timezone.utc)

TEXTS = {
	"negative": [
		("en", "Acme Cloud is down again, third outage this week. Not working for {n} hours now."),
		("en", "@acme I was charged twice for invoice {n}, and support ignores me. Worst service ever."),
		("en", "Really disappointed with Acme. The deploy broke our shop and nobody answers, never again."),
		("de", "Acme Cloud ist schon wieder kaputt, seit {n} Stunden Störung. Ich kündige!"),
		(
			"de",
			"@acme Rechnung {n} doppelt abgebucht und keiner antwortet. Unverschämt, ich will mein Geld zurück.",
		),
		("de", "Der Support von Acme ist eine Katastrophe, Ticket {n} seit einer Woche offen."),
	],
	"urgent": [
		("en", "Is Acme down for anyone else? Dashboard {n} does not load."),
		("en", "How do I cancel my Acme plan {n}? Can't find it in the settings."),
		("de", "Wie kann ich bei Acme kündigen? Vertrag {n} läuft bald aus."),
		("de", "Ist Acme gerade down? Region {n} antwortet nicht."),
	],
	"neutral": [
		("en", "Acme announced new pricing for plan {n} starting Monday."),
		("en", "Is anyone at the Acme conference, booth {n}?"),
		("de", "Acme ändert am Montag die Preise für Tarif {n}."),
		("de", "Hat jemand Erfahrungen mit der Acme API Version {n}?"),
		("de", "Heute Workshop {n} zu Acme Cloud im Büro."),
	],
	"positive": [
		("en", "Really impressed by #AcmeCloud deploys, {n} services moved without a hitch 👏"),
		("en", "Shoutout to Acme support, fixed my issue in {n} minutes. Great service!"),
		("de", "Danke Acme, super Service! Problem {n} in Minuten gelöst."),
		("de", "Wir sind mit Acme Cloud sehr zufrieden, {n} Projekte laufen stabil."),
	],
}
MIX = [("negative", 0.12), ("urgent", 0.08), ("neutral", 0.50), ("positive", 0.30)]


# --- the site ---------------------------------------------------------------------------------


def connect(site: str) -> None:
	frappe.init(site=site, sites_path=os.getcwd())
	frappe.connect()
	frappe.set_user("Administrator")


def clean() -> None:
	"""Removes what earlier runs stored (only the benchmark's rows)."""
	tickets = frappe.get_all("Social Ticket", {"social_account": ACCOUNT}, pluck="name")
	for chunk in chunks(tickets, 500):
		issues = frappe.get_all("Issue", {"social_ticket": ("in", chunk)}, pluck="name")
		for issue_chunk in chunks(issues, 500):
			frappe.db.delete(
				"Communication", {"reference_doctype": "Issue", "reference_name": ("in", issue_chunk)}
			)
			frappe.db.delete("Issue", {"name": ("in", issue_chunk)})
		frappe.db.delete("Social Ticket Mention", {"parent": ("in", chunk)})
		frappe.db.delete("Social Ticket", {"name": ("in", chunk)})
	mentions = frappe.get_all("Social Mention", {"social_account": ACCOUNT}, pluck="name")
	for chunk in chunks(mentions, 1000):
		frappe.db.delete("Social Mention Keyword", {"parent": ("in", chunk)})
		frappe.db.delete("Version", {"ref_doctype": "Social Mention", "docname": ("in", chunk)})
		frappe.db.delete("Social Mention", {"name": ("in", chunk)})
	frappe.db.delete("Social Profile", {"handle": ("like", "%@mastodon.example")})
	incidents = frappe.get_all("Social Incident", {"subjects": ("like", f"%{KEYWORD}%")}, pluck="name")
	for chunk in chunks(incidents, 500):
		frappe.db.delete("Social Incident Mention", {"parent": ("in", chunk)})
		frappe.db.delete("Version", {"ref_doctype": "Social Incident", "docname": ("in", chunk)})
		frappe.db.delete("Social Incident", {"name": ("in", chunk)})
	frappe.db.delete("ToDo", {"description": ("like", "ingest bench %")})
	frappe.db.commit()


def setup() -> None:
	settings = frappe.get_single("Social CRM Settings")
	settings.ticket_creation_mode = "Automatic"
	settings.save(ignore_permissions=True)
	if not frappe.db.exists("Monitored Keyword", KEYWORD):
		frappe.get_doc(
			{"doctype": "Monitored Keyword", "keyword_name": KEYWORD, "query": "acme OR #acmecloud"}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Social Account", ACCOUNT):
		frappe.get_doc(
			{
				"doctype": "Social Account",
				"account_name": ACCOUNT,
				"platform": "Mastodon",
				"base_url": "https://mastodon.example",
				"own_handle": "acme",
				"enabled": 0,
			}
		).insert(ignore_permissions=True)
	if not frappe.db.exists("Customer", CUSTOMER):
		frappe.get_doc({"doctype": "Customer", "customer_name": CUSTOMER, "customer_type": "Company"}).insert(
			ignore_permissions=True
		)
	if not frappe.db.exists("Social Profile", {"platform": "Mastodon", "handle": BIG_AUTHOR}):
		frappe.get_doc(
			{"doctype": "Social Profile", "platform": "Mastodon", "handle": BIG_AUTHOR, "customer": CUSTOMER}
		).insert(ignore_permissions=True)
	frappe.db.commit()


# --- the data ---------------------------------------------------------------------------------


class Posts:
	"""A deterministic stream of realistic posts, in posting order."""

	def __init__(
		self,
		total: int,
		seed: int,
		id_offset: int = 0,
		authors: int = 2000,
		start: datetime = START,
		span: timedelta = timedelta(days=60),
	):
		self.rng = random.Random(seed)
		self.total = total
		self.next_id = ID_BASE + id_offset
		self.step = span / max(total, 1)
		self.at = start
		# a few prolific authors, most occasional ones (Zipf-like weights)
		self.authors = [f"user{i:04d}@mastodon.example" for i in range(authors - 1)]
		self.weights = [1 / (rank + 8) for rank in range(len(self.authors))]
		self.big_every = max(total // 500, 1) if total >= 10_000 else 0
		self.roots: list[tuple[str, str]] = []
		self.count = 0

	def __iter__(self):
		from social_crm.engine.mention import Author, Mention, Platform

		rng = self.rng
		while self.count < self.total:
			self.count += 1
			self.at += self.step * rng.uniform(0.2, 1.8)
			post_id = str(self.next_id)
			self.next_id += 1
			if self.big_every and self.count % self.big_every == 0:
				handle = BIG_AUTHOR
			else:
				handle = rng.choices(self.authors, self.weights)[0]
			kind = rng.choices([k for k, _ in MIX], [w for _, w in MIX])[0]
			language, template = rng.choice(TEXTS[kind])
			text = template.format(n=rng.randint(2, 999))
			in_reply_to = conversation = None
			if self.roots and rng.random() < 0.15:
				in_reply_to, conversation = rng.choice(self.roots[-300:])
			else:
				conversation = post_id
			if kind == "negative":
				self.roots.append((post_id, conversation))
			user = handle.split("@")[0]
			yield Mention(
				platform=Platform.MASTODON,
				external_id=post_id,
				url=f"https://mastodon.example/@{user}/{post_id}",
				author=Author(
					handle=handle,
					name=user.replace("_", " ").title(),
					profile_url=f"https://mastodon.example/@{user}",
					followers=rng.choice([12, 80, 240, 1500, 30_000]),
				),
				text=text,
				posted_at=self.at,
				language=language,
				in_reply_to=in_reply_to,
				conversation_id=conversation,
				likes=rng.randint(0, 40),
				replies=rng.randint(0, 5),
				reposts=rng.randint(0, 8),
				raw=raw_status(post_id, handle, text, self.at, language, in_reply_to),
			)


def raw_status(post_id, handle, text, at, language, in_reply_to) -> dict:
	"""About the size of a Mastodon status as the API returns it."""
	user = handle.split("@")[0]
	return {
		"id": post_id,
		"created_at": at.isoformat(),
		"in_reply_to_id": in_reply_to,
		"visibility": "public",
		"language": language,
		"uri": f"https://mastodon.example/users/{user}/statuses/{post_id}",
		"url": f"https://mastodon.example/@{user}/{post_id}",
		"content": f"<p>{text}</p>",
		"account": {
			"id": str(abs(hash(handle)) % 10**12),
			"username": user,
			"acct": handle,
			"display_name": user.title(),
			"note": "<p>Developer, coffee, cloud things.</p>",
			"url": f"https://mastodon.example/@{user}",
			"avatar": f"https://files.mastodon.example/accounts/avatars/{user}.png",
			"followers_count": 240,
			"following_count": 180,
			"statuses_count": 5120,
		},
		"media_attachments": [],
		"mentions": [],
		"tags": [{"name": "acmecloud", "url": "https://mastodon.example/tags/acmecloud"}],
	}


def fetches(posts: Posts, size: int, overlap: float = 0.05):
	"""Fetches of `size` posts where `overlap` of each are the previous fetch's last posts."""
	previous: list = []
	batch: list = []
	repeat = int(size * overlap)
	for post in posts:
		batch.append(post)
		if len(batch) + min(repeat, len(previous)) >= size:
			yield previous[-repeat:] + batch if previous and repeat else batch
			previous, batch = batch, []
	if batch:
		yield previous[-repeat:] + batch if previous and repeat else batch


def chunks(items: list, size: int):
	for start in range(0, len(items), size):
		yield items[start : start + size]


# --- measurements -----------------------------------------------------------------------------


def todo_rate(count: int) -> float:
	"""Plain ToDo inserts committed every 200, as the ingest commits its pages."""
	started = time.perf_counter()
	for i in range(count):
		frappe.get_doc({"doctype": "ToDo", "description": f"ingest bench {i}"}).insert(
			ignore_permissions=True
		)
		if i % 200 == 199:
			frappe.db.commit()
	frappe.db.commit()
	return count / (time.perf_counter() - started)


def store(total: int, fetch_size: int, todo: float, id_offset: int = 0) -> None:
	from social_crm.ingest import build_pipeline, store_mentions

	account = frappe.get_doc("Social Account", ACCOUNT)
	stored = duplicates = failed = 0
	mark = started = time.perf_counter()
	step_stored = 0
	queries_before = query_count()
	print(f"\nstoring {total:,} mentions in fetches of {fetch_size} (5% re-fetched overlap)")
	print(
		"| mentions stored | mentions/s | ms per mention | ratio to the first ToDo rate "
		"| ToDo/s just after the block | ratio to the ToDo rates around the block | SQL per mention |"
	)
	print("| --- | --- | --- | --- | --- | --- | --- |")
	# The machine's speed drifts during a run (a shared VM: the same code has measured 358/s and
	# 495/s), so each block is also compared with ToDo inserts timed right before and after it.
	todo_before = todo
	posts = Posts(total, seed=11 + id_offset, id_offset=id_offset)
	for batch in fetches(posts, fetch_size):
		counts = store_mentions(account, batch, build_pipeline())
		stored += counts["new"]
		duplicates += counts["duplicates"]
		failed += len(counts["failed"])
		if stored - step_stored >= 10_000 or posts.count >= total:
			now = time.perf_counter()
			rate = (stored - step_stored) / (now - mark)
			queries = query_count()
			todo_after = todo_rate(1000)
			print(
				f"| {step_stored:,}–{stored:,} | {rate:,.0f} | {1000 / rate:.2f} | {rate / todo:.2f}x "
				f"| {todo_after:,.0f} | {rate / ((todo_before + todo_after) / 2):.2f}x "
				f"| {(queries - queries_before) / max(stored - step_stored, 1):.1f} |",
				flush=True,
			)
			todo_before = todo_after
			mark, step_stored, queries_before = time.perf_counter(), stored, query_count()
	elapsed = time.perf_counter() - started
	print(
		f"total: {stored:,} stored, {duplicates:,} duplicates skipped, {failed} failed in {elapsed:.0f} s "
		f"({stored / elapsed:,.0f}/s); tickets {frappe.db.count('Social Ticket', {'social_account': ACCOUNT}):,}, "
		f"profiles {frappe.db.count('Social Profile', {'handle': ('like', '%@mastodon.example')}):,}, "
		f"Version rows of mentions {frappe.db.count('Version', {'ref_doctype': 'Social Mention'}):,}"
	)
	actions = frappe.db.sql(
		"select triage_action, count(*) from `tabSocial Mention` where social_account = %s group by 1",
		ACCOUNT,
	)
	print("triage: " + ", ".join(f"{action or '-'} {count:,}" for action, count in actions))


def fill(total: int) -> None:
	"""Tops the benchmark's mentions up to `total` rows with frappe.db.bulk_insert, for the desk
	query timings only (analysed by the site's pipeline, no tickets): a loaded machine cannot
	store 50,000 through the real path in the time a run has, and the queries only see rows."""
	from frappe.utils import now_datetime

	from social_crm.ingest import analysis_values, build_pipeline
	from social_crm.stored_mention import key_of, mention_values

	have = frappe.db.count("Social Mention", {"social_account": ACCOUNT})
	if have >= total:
		return
	pipeline = build_pipeline()
	profiles = dict(
		frappe.db.sql(
			"select handle, name from `tabSocial Profile` where handle like %s", "%@mastodon.example"
		)
	)
	customer_profile = profiles.get(BIG_AUTHOR)
	fields = None
	rows = []
	started = time.perf_counter()
	now = now_datetime()
	for mention in Posts(total - have, seed=99, id_offset=500_000_000):
		analysis = pipeline.analyse(mention, "acme")
		values = {**mention_values(mention), **analysis_values(analysis)}
		values.pop("matched_keywords")
		negative = values["sentiment_label"] == "Negative"
		values.update(
			name=frappe.generate_hash(length=10),
			creation=now,
			modified=now,
			owner="Administrator",
			modified_by="Administrator",
			docstatus=0,
			social_account=ACCOUNT,
			fetched_at=now,
			mention_key=key_of(mention),  # the unique key validate() would set
			social_profile=profiles.get(mention.author.handle),
			customer=CUSTOMER if mention.author.handle == BIG_AUTHOR and customer_profile else None,
			status="New",
			triage_action="Suggest" if negative else "Ignore",
			triage_priority="Medium" if negative else "Low",
		)
		fields = fields or list(values)
		rows.append([values[field] for field in fields])
		if len(rows) == 2000:
			frappe.db.bulk_insert("Social Mention", fields, rows)
			frappe.db.commit()
			rows = []
	if rows:
		frappe.db.bulk_insert("Social Mention", fields, rows)
		frappe.db.commit()
	print(
		f"\nfilled up to {total:,} benchmark mentions with bulk_insert for the query timings "
		f"({total - have:,} rows in {time.perf_counter() - started:.0f} s)"
	)


def query_count() -> int:
	return int(frappe.db.sql("show session status like 'Questions'")[0][1])


def timed(fn, repeat: int = 5) -> tuple[float, object]:
	"""Best of `repeat` in ms (the first run warms MariaDB's buffer pool like a desk user's second look)."""
	best, result = None, None
	for _ in range(repeat):
		started = time.perf_counter()
		result = fn()
		elapsed = (time.perf_counter() - started) * 1000
		best = elapsed if best is None else min(best, elapsed)
	return best, result


def explain(query: str) -> str:
	rows = frappe.db.sql(f"explain {query}", as_dict=True)
	return "; ".join(
		f"{row.get('table')}: {row.get('type')} key={row.get('key')} rows={row.get('rows')}"
		+ (f" ({row.get('Extra')})" if row.get("Extra") else "")
		for row in rows
	)


def list_count(filters: dict) -> int:
	"""The list view's count call (frappe.desk.reportview.get_count with its upper bound)."""
	from frappe.desk.reportview import get_count

	frappe.local.form_dict = frappe._dict(
		doctype="Social Mention", filters=json.dumps(filters), fields="[]", distinct="false", limit=1001
	)
	return get_count()


def desk_queries() -> None:
	meta = frappe.get_meta("Social Mention")
	fields = ["name", "author_handle", *[df.fieldname for df in meta.fields if df.in_list_view]]
	fields = [f"`tabSocial Mention`.`{f}`" for f in dict.fromkeys(fields)]
	order = "`tabSocial Mention`.`posted_at` desc"
	total = frappe.db.count("Social Mention")
	print(f"\ndesk queries at {total:,} Social Mentions (best of 5, ms; EXPLAIN)")
	print("| query | ms | plan |")
	print("| --- | --- | --- |")
	lists = {
		"Mention list, first page": {},
		"Mention list, status New": {"status": "New"},
		"Mention list, Negative + New": {"sentiment_label": "Negative", "status": "New"},
		"Mention list, customer": {"customer": CUSTOMER},
		"Mention list, platform + language": {"platform": "Mastodon", "language": "de"},
		"Mention list, triage Suggest": {"triage_action": "Suggest"},
	}
	for label, filters in lists.items():
		args = dict(fields=fields, filters=filters, order_by=order, limit_page_length=20)
		ms, _ = timed(lambda args=args: frappe.get_list("Social Mention", **args))
		print(f"| {label} | {ms:.1f} | {explain(frappe.get_list('Social Mention', **args, run=False))} |")
		ms, count = timed(lambda filters=filters: list_count(filters))
		print(f"| … its count as the list asks it (up to 1001: {count:,}) | {ms:.1f} | |")
	for doctype in ("Social Mention", "Social Ticket", "Social Profile"):
		ms, count = timed(lambda doctype=doctype: frappe.db.count(doctype, {"customer": CUSTOMER}))
		query = f"select count(*) from `tab{doctype}` where customer = {frappe.db.escape(CUSTOMER)}"
		print(f"| Customer dashboard: {doctype} count ({count}) | {ms:.1f} | {explain(query)} |")
	from frappe.desk.notifications import get_open_count

	ms, _ = timed(lambda: get_open_count("Customer", CUSTOMER))
	print(f"| Customer dashboard: get_open_count (all of its connections) | {ms:.1f} | |")
	inbox_queries()
	open_ticket_lookups()


def inbox_queries() -> None:
	"""The Social Inbox's stream (inbox.conversations) as an agent opens it, and with filters."""
	from social_crm import inbox

	for label, filters in {
		"Inbox, default (open, newest)": {},
		"Inbox, Negative": {"sentiment": "Negative"},
		"Inbox, customer": {"customer": CUSTOMER},
		"Inbox, status all": {"status": "all"},
	}.items():
		ms, result = timed(lambda filters=filters: inbox.conversations(json.dumps(filters)))
		clean = inbox.clean_filters(json.dumps(filters))
		plans = []
		for doctype, rows in (("Social Mention", inbox.mention_rows), ("Social Ticket", inbox.ticket_rows)):
			captured = []
			get_list = frappe.get_list

			def capture(*args, **kwargs):
				query = {key: value for key, value in kwargs.items() if key != "pluck"}
				captured.append(get_list(*args, **query, run=False))
				return get_list(*args, **kwargs)

			frappe.get_list = capture
			try:
				rows(clean)
			finally:
				frappe.get_list = get_list
			plans += [explain(query) for query in captured]
		print(f"| {label} ({result['total']} items) | {ms:.1f} | {' / '.join(plans)} |")


def mirror(budget: float) -> None:
	"""The Issue mirror job on what the run stored: Issues and Communications per second, apart."""
	from social_crm import tickets

	issues = frappe.db.count("Issue", {"social_ticket": ("is", "set")})
	comms = frappe.db.count("Communication", {"reference_doctype": "Issue", "sent_or_received": "Received"})
	pending = tickets.pending_tickets(limit=10**9)
	started, cpu = time.perf_counter(), time.process_time()
	done = 0
	# as mirror_pending does (one ticket, one commit), for at most `budget` seconds
	for name in pending:
		if time.perf_counter() - started > budget:
			break
		tickets.mirror_ticket(name)
		frappe.db.commit()
		done += 1
	elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
	pending = len(pending)
	issues = frappe.db.count("Issue", {"social_ticket": ("is", "set")}) - issues
	comms = (
		frappe.db.count("Communication", {"reference_doctype": "Issue", "sent_or_received": "Received"})
		- comms
	)
	print(
		f"\nIssue mirror (tickets.mirror_pending, the follow-up job): {pending:,} tickets pending, {done:,} mirrored: "
		f"{issues:,} Issues + {comms:,} Communications in {elapsed:.0f} s = {(issues + comms) / max(elapsed, 1e-9):,.0f} "
		f"documents/s ({cpu:.0f} s CPU); left pending: {len(tickets.pending_tickets(limit=10**9))}"
	)


def open_ticket_lookups() -> None:
	"""The open-ticket look-ups of the page of the 500 latest mentions, with their plans."""
	from social_crm import tickets
	from social_crm.stored_mention import to_utc

	rows = frappe.get_all(
		"Social Mention",
		filters={"social_account": ACCOUNT},
		fields=["external_id", "in_reply_to", "conversation_id", "social_profile", "posted_at"],
		order_by="posted_at desc",
		limit_page_length=200,
	)
	refs = {ref for row in rows for ref in (row.external_id, row.in_reply_to, row.conversation_id) if ref}
	profiles = {row.social_profile for row in rows if row.social_profile}
	since = to_utc(min(row.posted_at for row in rows))
	captured = []
	sql = frappe.db.sql

	def capture(query, values=(), *args, **kwargs):
		if "tabSocial Ticket" in str(query):
			captured.append(frappe.db.mogrify(query, values))
		return sql(query, values, *args, **kwargs)

	frappe.db.sql = capture
	try:
		tickets.open_tickets_near("Mastodon", refs, profiles, since)
	finally:
		frappe.db.sql = sql
	ms, found = timed(lambda: tickets.open_tickets_near("Mastodon", refs, profiles, since))
	print(
		f"| Open tickets of one page (200 mentions: {len(refs)} refs, {len(profiles)} authors → {len(found)} tickets) "
		f"| {ms:.1f} | |"
	)
	for query in captured:
		print(f"| … {' '.join(str(query).split())[:90]}… | | {explain(query)} |")


def live(total: int, fetch_size: int, todo: float) -> None:
	"""A burst as it happens: `total` posts of the same mix posted over the last 50 minutes, so
	every negative one about the keyword is inside the spike window. The first fetches open an
	incident (the settings' defaults); from then on each negative mention joins it, decided
	with its page (incidents.PageSpikes). Against ToDo inserts timed right before and after."""
	from social_crm.ingest import build_pipeline, store_mentions

	account = frappe.get_doc("Social Account", ACCOUNT)
	now = datetime.now(timezone.utc)
	posts = Posts(
		total, seed=7, id_offset=500_000_000, start=now - timedelta(minutes=50), span=timedelta(minutes=49)
	)
	todo_before = todo_rate(1000)
	stored, started = 0, time.perf_counter()
	for batch in fetches(posts, fetch_size):
		stored += store_mentions(account, batch, build_pipeline())["new"]
	elapsed = time.perf_counter() - started
	todo = (todo_before + todo_rate(1000)) / 2
	incidents = frappe.get_all(
		"Social Incident", {"subjects": ("like", f"%{KEYWORD}%")}, ["name", "mention_count", "ticket_count"]
	)
	print(
		f"\nlive burst: {stored:,} posts of the last 50 minutes stored in {elapsed:.0f} s = {stored / elapsed:,.0f}/s "
		f"({stored / elapsed / todo:.2f}x the ToDo inserts right before and after it, {todo:,.0f}/s); incidents: "
		+ (
			", ".join(
				f"{row.name} with {row.mention_count:,} mentions, {row.ticket_count:,} tickets"
				for row in incidents
			)
			or "none"
		)
	)


def status_kb(field: str) -> int:
	"""A field of /proc/self/status in kB (0 where there is none)."""
	try:
		with open("/proc/self/status") as status:
			for line in status:
				if line.startswith(field + ":"):
					return int(line.split()[1])
	except OSError:
		pass
	return 0


def reset_peak_rss() -> int:
	"""Resets the process's peak RSS to its current RSS; returns that RSS in kB (0 if the
	kernel does not allow it)."""
	try:
		with open("/proc/self/clear_refs", "w") as refs:
			refs.write("5")
	except OSError:
		return 0
	return status_kb("VmRSS")


def memory(count: int) -> None:
	"""One fetch of `count` mentions in this process: the job's own peak above its input."""
	from social_crm.ingest import build_pipeline, store_mentions

	account = frappe.get_doc("Social Account", ACCOUNT)
	# new ids each run (a kept site may hold an earlier run's)
	run = int(time.time()) % 10_000
	mentions = list(Posts(count, seed=count, id_offset=1_000_000_000 * (run + 2) + 1000 * count))
	pipeline = build_pipeline()
	rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
	# the high-water mark of this process so far is the imports' and the input's; reset it
	# (Linux: clear_refs 5) so the peak read afterwards is the store's own
	gc.collect()
	now_kb = reset_peak_rss()
	trace = bool(os.environ.get("INGEST_BENCH_TRACE"))  # tracemalloc makes the store ~5x slower
	if trace:
		tracemalloc.start()
	started = time.perf_counter()
	counts = store_mentions(account, mentions, pipeline)
	elapsed = time.perf_counter() - started
	peak = tracemalloc.get_traced_memory()[1] if trace else 0
	if trace:
		tracemalloc.stop()
	rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
	hwm_kb = status_kb("VmHWM")
	print(
		json.dumps(
			{
				"rss_at_start_mb": round(now_kb / 1024, 1) if now_kb else "-",
				"store_peak_above_start_mb": round((hwm_kb - now_kb) / 1024, 1) if now_kb and hwm_kb else "-",
				"mentions": count,
				"stored": counts["new"],
				"seconds": round(elapsed, 1),
				"traced_peak_mb": round(peak / 2**20, 1) if trace else "-",
				"rss_peak_mb": round(rss_after / 1024, 1),
				"rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
			}
		)
	)


def memory_runs(sizes: list[int], site: str) -> None:
	print(
		"\none fetch in one call (fresh process each; traced = Python allocations during store_mentions, "
		"only with INGEST_BENCH_TRACE=1; RSS growth = peak RSS during the fetch above the process's earlier peak; "
		"store peak = the store's own peak RSS above the RSS it began with, the high-water mark reset after the input was built)"
	)
	print(
		"| mentions in the fetch | stored | s | mentions/s | traced peak MB | peak RSS MB | RSS growth MB "
		"| RSS at start MB | store peak above start MB |"
	)
	print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for size in sizes:
		out = subprocess.run(
			[sys.executable, os.path.abspath(__file__), "--site", site, "--memory-child", str(size)],
			capture_output=True,
			text=True,
			check=True,
		).stdout
		result = json.loads(out.strip().splitlines()[-1])
		print(
			f"| {size:,} | {result['stored']:,} | {result['seconds']} | {result['stored'] / result['seconds']:,.0f} "
			f"| {result['traced_peak_mb']} | {result['rss_peak_mb']} | {result['rss_growth_mb']} "
			f"| {result['rss_at_start_mb']} | {result['store_peak_above_start_mb']} |",
			flush=True,
		)


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--mentions", type=int, default=50_000)
	parser.add_argument("--fetch", type=int, default=1000)
	parser.add_argument("--todo", type=int, default=2000)
	parser.add_argument("--memory", default="2000,20000")
	parser.add_argument("--memory-child", type=int)
	parser.add_argument("--keep", action="store_true")
	parser.add_argument(
		"--fill-to", type=int, default=0, help="bulk-insert rows up to this many before the desk queries"
	)
	parser.add_argument("--skip-store", action="store_true", help="only the desk queries and memory runs")
	parser.add_argument("--no-mirror", action="store_true", help="leave the Issues to the mirror job")
	parser.add_argument(
		"--id-offset", type=int, default=0, help="new post ids, to store more on top with --keep"
	)
	parser.add_argument(
		"--mirror-seconds", type=float, default=240, help="time the mirror job this long at most"
	)
	parser.add_argument(
		"--live", type=int, default=0, help="then this many posts of the last 50 minutes (a burst)"
	)
	args = parser.parse_args()
	connect(args.site)
	if args.memory_child:
		memory(args.memory_child)
		return
	print(
		f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1/5/15 min), {os.cpu_count()} CPUs"
	)
	if not args.keep and not args.skip_store:
		clean()
	setup()
	todo = todo_rate(args.todo)
	print(f"plain ToDo doc.insert(): {todo:,.0f}/s ({1000 / todo:.2f} ms each, {args.todo:,} inserts)")
	if not args.skip_store:
		store(args.mentions, args.fetch, todo, args.id_offset)
	if args.live:
		live(args.live, args.fetch, todo)
	todo_after = todo_rate(args.todo)
	print(f"plain ToDo doc.insert() again after the run: {todo_after:,.0f}/s")
	if not args.skip_store and not args.no_mirror:
		mirror(args.mirror_seconds)
	if args.fill_to:
		fill(args.fill_to)
	desk_queries()
	sizes = [int(size) for size in args.memory.split(",") if size]
	if sizes:
		memory_runs(sizes, args.site)
	print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1/5/15 min)")
	frappe.db.commit()
	frappe.destroy()


if __name__ == "__main__":
	main()
