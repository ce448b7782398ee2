"""The shell's pipeline: fetch an account, store what the engine decides, then move its cursor.

Order matters for "a crash loses nothing and duplicates nothing": mentions (with profiles and
tickets) are committed first, page by page, the account's new cursor only afterwards. A crash
in between re-fetches the same posts next time, and the unique key (`mention_key`) turns the
ones already committed into counted duplicates. A mention that still fails to store (the
engine has already capped what is too long) is skipped and named in the Fetch Log: it never
holds the cursor back, or the same pages would be fetched forever.

A page is decided before anything of it is written (see `store_mentions`), so each mention is
inserted once with its final status, ticket and reason, and what a page reads does not grow
with the tables: one look-up each for its stored keys, its authors and its open tickets. It is
written in bulk (`write_rows`: one insert per table, falling back to one by one on a conflict);
the ERPNext Issues and their timelines follow in the mirror job (tickets.mirror_pending).

The cursor moves once per fetch, not per page: the connectors page newest first and their
cursor is "newer than the newest seen", so a cursor saved after the first page of a backlog
would skip the older pages not yet stored if the job died before them.

Everything a platform says (error texts, cursors) is escaped before the desk can show it,
and an unexpected error is logged without the frames' locals, which hold credentials.
"""

import hashlib
import json
import random
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, replace

import frappe
from frappe import _
from frappe.utils import now_datetime

from social_crm.accounts import (
	after_poll,
	connector_for,
	log_error_without_secrets,
	own_account,
	save_sessions,
	scrubbed,
	stop_on_rejected_token,
)
from social_crm.bulk_rows import Defaults, insert_rows, prepared
from social_crm.engine.connectors.base import ConnectorError, RateLimited
from social_crm.engine.keywords import KeywordSpec, QuerySyntaxError, parse
from social_crm.engine.mention import Mention
from social_crm.engine.pipeline import Analysis, Pipeline
from social_crm.engine.sentiment import Analyzer
from social_crm.engine.sentiment.model import BadModel, SiteModel
from social_crm.engine.triage import Action, Decision, OpenTicket, TriageSettings, thread_keys
from social_crm.escaping import error_text, escape_once, safe_json
from social_crm.profiles import PageAuthor, PageAuthors
from social_crm.stored_mention import (
	ENGINE_LABELS,
	SENTIMENT_LABELS,
	engine_mention,
	key_of,
	mention_values,
	to_system_time,
	to_utc,
)

ANALYZERS = {"Default": "default", "VADER": "vader", "TextBlob": "textblob"}
# Mentions decided, written and committed together: small enough that Frappe's per-transaction
# lists stay short, large enough that the page's look-ups are few.
PAGE_SIZE = 200
# A page meeting a deadlock or lock timeout is rolled back and stored again, this often at most.
PAGE_ATTEMPTS = 3
# How triage knows a ticket one mention of the page opens, until it is written (no real name looks so).
UNWRITTEN = "new ticket "
# Seconds a page waits for another job's page on the same threads or authors (see thread_locks).
THREAD_LOCK_WAIT = 30
# What a decision sets on a Social Mention (tickets.set_decision, tickets.put_on_ticket).
DECISION_FIELDS = (
	"triage_action",
	"triage_priority",
	"triage_reasons",
	"triage_reason",
	"opportunity",
	"social_ticket",
	"status",
)


def fetch_account(account_name: str) -> dict:
	"""One poll of one Social Account (an RQ job on the long queue; see tasks.py)."""
	account = frappe.get_doc("Social Account", account_name)
	started_at, clock = now_datetime(), time.monotonic()
	log = {"social_account": account.name, "started_at": started_at}
	connector = None
	try:
		pipeline = build_pipeline()
		connector = connector_for(account)
		result = connector.fetch(pipeline.search_terms(account.platform), load_cursor(account))
	except RateLimited as error:
		after_poll(account, connector)
		frappe.db.set_value(
			"Social Account",
			account.name,
			{
				"paused_until": to_system_time(error.reset_at),
				"last_error": error_text(scrubbed(error, account)),
			},
		)
		return finish_log(log, clock, status="Rate Limited", error=error_text(scrubbed(error, account)))
	except ConnectorError as error:
		after_poll(account, connector)  # YouTube units spent before the failure still count
		frappe.db.set_value(
			"Social Account", account.name, "last_error", error_text(scrubbed(error, account))
		)
		stop_on_rejected_token(account, error)
		return finish_log(log, clock, status="Failed", error=error_text(scrubbed(error, account)))
	except Exception:
		frappe.db.rollback()
		log_error_without_secrets(_("Social CRM: fetching {0} failed").format(account.name), account)
		message = _("The fetch failed unexpectedly; see the Error Log.")
		frappe.db.set_value("Social Account", account.name, "last_error", message)
		return finish_log(log, clock, status="Failed", error=message)

	counts = store_mentions(account, result.mentions, pipeline, searched=connector.supports_search)
	after_poll(account, connector)
	frappe.db.commit()

	# A poll a rate limit (or a later page's failure) cut short still stores what came and moves
	# the cursor as far as that reaches; the account pauses until the platform's reset.
	paused_until = result.paused_until
	values = {
		"last_fetched_at": now_datetime(),
		"paused_until": to_system_time(paused_until) if paused_until else None,
		"cursor_state": safe_json(result.cursor),
		"last_error": "",
	}
	if counts["failed"]:
		values["last_error"] = _(
			"{0} mentions could not be stored and were skipped: {1}; see the Error Log."
		).format(len(counts["failed"]), escape_once(", ".join(counts["failed"]), 1000))
	elif result.error:
		values["last_error"] = error_text(
			_("Stopped after {0} pages; the rest follows on the next poll: {1}").format(
				result.pages, scrubbed(result.error, account)
			)
		)
	frappe.db.set_value("Social Account", account.name, values)
	if result.error:
		# a Graph 190 on a later page stops polling like one on the first
		stop_on_rejected_token(account, result.error)
	save_sessions(account, result)
	frappe.db.commit()
	return finish_log(
		log,
		clock,
		status="Rate Limited"
		if paused_until
		else "Partly Stored"
		if counts["failed"]
		else "Failed"
		if result.error
		else "Success",
		error=values["last_error"],
		requests=result.requests,
		pages=result.pages,
		new_mentions=counts["new"],
		duplicates=counts["duplicates"],
		caught_up=int(result.caught_up),
	)


def load_cursor(account) -> dict:
	cursor = account.cursor_state or {}
	return json.loads(cursor) if isinstance(cursor, str) else dict(cursor)


def finish_log(log: dict, clock: float, **values) -> dict:
	log.update(values, duration=round(time.monotonic() - clock, 3))
	frappe.get_doc({"doctype": "Social Fetch Log", **log}).insert(ignore_permissions=True)
	frappe.db.commit()
	return log


def store_mentions(account, mentions: list[Mention], pipeline: Pipeline, *, searched: bool = True) -> dict:
	"""Stores the new ones among `mentions`, a page of PAGE_SIZE at a time, each page committed.

	A page is decided in memory first (`plan_page`: duplicates, analysis, own posts, keep or
	drop, authors, triage against the page's open tickets) and then written (`write_page`):
	every mention once, with its final status, ticket and reason, in its own savepoint so one
	bad post does not undo the others (it is skipped and its id listed in counts["failed"]).
	A mention that may belong to a Social Incident is decided with the page against the
	incident counts as they stand at its place in the page (`store_page`); one that opens an
	incident is stored on its own at that place.
	Committing page by page keeps transactions small, so the thousandth page is stored as fast
	as the first, and a crash keeps the pages stored so far: the next poll fetches them again
	and finds them stored. The caller saves the account's cursor only after this returns.
	"""
	counts = {"new": 0, "duplicates": 0, "dropped": 0, "failed": []}
	saving = len(frappe.flags.currently_saving or ())
	for start in range(0, len(mentions), PAGE_SIZE):
		page = mentions[start : start + PAGE_SIZE]
		for attempt in range(1, PAGE_ATTEMPTS + 1):
			# tickets.existing_priority keeps its answers for the page (asked for each mention)
			frappe.flags.social_crm_priorities = {}
			try:
				with thread_locks(page):
					page_counts = store_page(account, page, pipeline, searched=searched)
					frappe.db.commit()
				break
			except LOCK_ERRORS:
				# another job holds rows this page needs: the page is undone whole and decided
				# again against what that job committed
				frappe.db.rollback()
				if attempt == PAGE_ATTEMPTS:
					raise
				time.sleep(random.uniform(0.1, 0.5) * attempt)
			finally:
				frappe.flags.social_crm_priorities = None
		for key in ("new", "duplicates", "dropped"):
			counts[key] += page_counts[key]
		counts["failed"] += page_counts["failed"]
		forget_saved_documents(saving)
	return counts


@contextmanager
def thread_locks(mentions: list[Mention]):
	"""Holds the page's thread keys (triage.thread_keys: its posts, replied-to posts,
	conversations and authors) while it is decided, written and committed.

	Several workers store pages at once; two pages that could thread into one ticket, meet one
	author or carry one post (a webhook and a poll) wait for each other here, so the later one
	sees the earlier one's ticket, profile and mention instead of opening a second. MariaDB's
	named locks are taken in sorted order (no deadlock between pages), each wait is bounded
	(a timeout retries the page), and they are released whatever happens. The page's reads
	begin after the locks are held, in a fresh snapshot.
	"""
	site = frappe.conf.db_name or frappe.local.site
	names = sorted(
		{
			"scrm:" + hashlib.sha1(f"{site} {key}".encode()).hexdigest()[:40]
			for mention in mentions
			for key in thread_keys(mention)
		}
	)
	if not names:
		yield
		return
	# MariaDB's snapshot (REPEATABLE READ) starts at a transaction's first read: one the caller
	# began before the wait (reading the account) would hide what the job waited for committed,
	# its profiles, mentions and tickets. What the caller wrote before is committed with it.
	frappe.db.commit()
	try:
		acquired = frappe.db.sql(
			"select " + " and ".join(["get_lock(%s, %s)"] * len(names)),
			[value for name in names for value in (name, THREAD_LOCK_WAIT)],
		)[0][0]
		if not acquired:
			raise frappe.QueryTimeoutError("another job holds a thread of this page")
		yield
	finally:
		frappe.db.sql("select " + ", ".join(["release_lock(%s)"] * len(names)), names)


def store_page(account, mentions: list[Mention], pipeline: Pipeline, *, searched: bool = True) -> dict:
	"""One page: read and decided in memory, then written, in the connector's (posting) order.

	A mention that may belong to a Social Incident (`incidents.may_concern`) is decided in
	memory too: `incidents.PageSpikes` reads its subjects' stored mentions once for the page
	and gives it the decision `triage_inputs` would give it once the page's mentions before it
	are stored (join an open incident, or none), and the joins are written after the page's
	mentions. One that would open an incident (once per incident), or is dated after the page
	began, is decided the exact way: the mentions decided before it are written first, then
	it is inserted, decided (with `incidents.triage_inputs`) and its decision written onto the
	row (`write_mention` with `decide`), and the ticket it opened or joined is open for the
	page's later mentions."""
	from social_crm import incidents

	counts = {"new": 0, "duplicates": 0, "dropped": 0, "failed": []}
	items, authors = read_page(account, mentions, pipeline, searched=searched, counts=counts)
	bulk = bulk_allowed()
	insert_authors(authors, items, bulk=bulk)
	open_tickets = page_open_tickets(items, authors)
	written: dict[str, str] = {}  # tickets the page opened: the name triage knew -> the written one
	now = to_utc(now_datetime())
	spikes = incidents.spike_settings()
	candidates = [
		item
		for item in items
		if incidents.may_concern(item.mention, item.analysis, account, now=now, settings=spikes)
	]
	page_spikes = incidents.PageSpikes(items, candidates, account, spikes) if candidates else None
	concerned = {id(item) for item in candidates}
	batch: list[Planned] = []
	for item in items:
		incident = page_spikes.decide(item) if id(item) in concerned else {}
		if incident is None:
			write_page(account, batch, authors, counts, written, bulk=bulk)
			batch = []
			known_as_written(open_tickets, written)
			page_spikes.write_joins()
			decide = decider(item, pipeline, now=now, open_tickets=open_tickets)
			write_page(account, [item], authors, counts, written, decide=decide, bulk=bulk)
			page_spikes.refresh()
			continue
		item.decision = pipeline.decide(
			item.mention,
			item.analysis,
			now=now,
			customer=item.author.customer,
			open_tickets=open_tickets.values(),
			**incident,
		)
		thread_into(open_tickets, item)
		batch.append(item)
	write_page(account, batch, authors, counts, written, bulk=bulk)
	if page_spikes:
		page_spikes.write_joins()
	authors.save()
	return counts


# --- deciding a page (reads only) -------------------------------------------------------------


@dataclass
class Planned:
	"""One new mention with everything decided: its analysis, author and triage decision.

	`opens` is the name triage knows the ticket by that this mention opens, until it is written;
	`doc` the Social Mention once written."""

	mention: Mention
	analysis: Analysis
	author: PageAuthor
	decision: Decision | None = None
	opens: str | None = None
	doc: object = None


def read_page(
	account, mentions: list[Mention], pipeline: Pipeline, *, searched: bool, counts: dict
) -> tuple[list[Planned], PageAuthors]:
	"""The page's new mentions to keep, analysed, with their authors, from a few reads: the
	keys already stored, the account's own posts and sent replies (`own_account`, once a page)
	and the authors' profiles."""
	seen = stored_keys(mentions)
	own = own_account(account, [mention.external_id for mention in mentions]) if account else None
	analysed = []
	for mention in mentions:
		if mention.key in seen:
			counts["duplicates"] += 1
			continue
		seen.add(mention.key)
		try:
			analysis = pipeline.analyse(mention, (account.own_handle if account else "") or "")
		except Exception:
			log_failure(mention)
			counts["failed"].append(mention.external_id)
			continue
		if pipeline.keeps(mention, analysis, searched=searched, own=own):
			analysed.append((mention, analysis))
		else:
			counts["dropped"] += 1
	authors = PageAuthors([mention for mention, _analysis in analysed], account)
	items = []
	for mention, analysis in analysed:
		try:
			items.append(Planned(mention, analysis, authors.of(mention)))
		except ValueError:
			log_failure(mention)
			counts["failed"].append(mention.external_id)
	return items, authors


def stored_keys(mentions: list[Mention]) -> set[tuple[str, str]]:
	"""Which of the mentions are stored already (their `Mention.key`s), in one query on the
	unique `mention_key`."""
	by_key = {key_of(mention): mention.key for mention in mentions}
	if not by_key:
		return set()
	return {
		by_key[key]
		for key in frappe.get_all(
			"Social Mention", filters={"mention_key": ("in", sorted(by_key))}, pluck="mention_key"
		)
	}


def page_open_tickets(items: list[Planned], authors: PageAuthors) -> dict[str, OpenTicket]:
	"""The open tickets on the page's threads and of its authors, in one look-up per platform."""
	from social_crm import tickets

	by_platform: dict[str, list[Mention]] = {}
	for item in items:
		by_platform.setdefault(item.mention.platform.value, []).append(item.mention)
	found = {}
	for platform, mentions in by_platform.items():
		refs = {ref for m in mentions for ref in (m.external_id, m.in_reply_to, m.conversation_id) if ref}
		profiles = {
			author.name for m in mentions if (author := authors.by_mention.get(m.key)) and author.name
		}
		found |= tickets.open_tickets_near(platform, refs, profiles, min(m.posted_at for m in mentions))
	return found


def thread_into(open_tickets: dict[str, OpenTicket], item: Planned) -> None:
	"""The ticket the item opens or joins, as threading sees it for the page's later mentions."""
	mention, decision = item.mention, item.decision
	if decision.action is Action.CREATE_TICKET:
		item.opens = f"{UNWRITTEN}{len(open_tickets) + 1}: {mention.external_id}"
		open_tickets[item.opens] = OpenTicket(
			name=item.opens,
			platform=mention.platform,
			mention_external_ids=frozenset({mention.external_id}),
			conversation_ids=frozenset({mention.conversation_id} if mention.conversation_id else ()),
			author_handle=mention.author.handle,
			opened_at=mention.posted_at,
			last_activity_at=mention.posted_at,
		)
	elif decision.action is Action.APPEND_TO_TICKET and decision.ticket in open_tickets:
		ticket = open_tickets[decision.ticket]
		open_tickets[ticket.name] = replace(
			ticket,
			mention_external_ids=ticket.mention_external_ids | {mention.external_id},
			conversation_ids=ticket.conversation_ids
			| ({mention.conversation_id} if mention.conversation_id else set()),
			opened_at=min(ticket.opened_at, mention.posted_at),
			last_activity_at=max(ticket.last_activity_at, mention.posted_at),
		)


# --- writing a page ---------------------------------------------------------------------------

LOCK_ERRORS = (frappe.QueryDeadlockError, frappe.QueryTimeoutError)


def insert_authors(authors: PageAuthors, items: list[Planned], *, bulk: bool = False) -> None:
	"""Profiles for the page's new authors: in one insert where `bulk` allows, else (or when
	that meets a profile another job inserted meanwhile) each in a savepoint; a mention whose
	author could not be stored is skipped and listed as failed."""
	new = list({id(item.author): item.author for item in items if item.author.is_new}.values())
	if bulk and new:
		frappe.db.savepoint("social_profiles")
		try:
			authors.insert_all(new)
			return
		except LOCK_ERRORS:
			raise
		except Exception:
			frappe.db.rollback(save_point="social_profiles")
	for author in new:
		frappe.db.savepoint("social_profile")
		try:
			authors.insert(author)
		except LOCK_ERRORS:
			raise
		except Exception:
			frappe.db.rollback(save_point="social_profile")
			frappe.log_error(
				title=_("Social CRM: could not store a {0} profile").format(author.platform),
				message=traceback.format_exc(),  # without the frames' locals
			)


def write_page(
	account,
	plan: list[Planned],
	authors: PageAuthors,
	counts: dict,
	tickets_written: dict[str, str],
	*,
	decide=None,
	bulk: bool = False,
) -> None:
	"""The decided mentions with their tickets. `tickets_written` maps the names triage knew
	the page's new tickets by to the written ones, and grows. `decide` decides a mention only
	once it is inserted (see `write_mention`).

	The page is written in bulk (`write_rows`): one multi-row insert of its mentions, one of
	their keyword rows, one of the thread rows they add to tickets, each new ticket inserted
	as a document. If anything of that fails (a post another job stored meanwhile meets the
	unique key, a value the database refuses), the bulk write is undone to its savepoint and
	the page written one by one as before, each mention in its own savepoint, so nothing is
	lost or doubled and a bad post is skipped alone."""
	ready = []
	for item in plan:
		if item.author.name:
			ready.append(item)
		else:
			counts["failed"].append(item.mention.external_id)
	if not ready:
		return
	if decide is None and bulk:
		frappe.db.savepoint("social_page")
		try:
			opened = write_rows(account, ready, tickets_written)
		except LOCK_ERRORS:
			raise  # the transaction is gone or stuck: the whole page is tried again
		except Exception:
			frappe.db.rollback(save_point="social_page")
			for item in ready:
				item.doc = None
		else:
			tickets_written.update(opened)
			for item in ready:
				authors.count(item.author, item.analysis.sentiment.score, item.mention.posted_at)
			counts["new"] += len(ready)
			return
	write_one_by_one(account, ready, authors, counts, tickets_written, decide=decide, bulk=bulk)


def write_one_by_one(account, plan, authors, counts, tickets_written, *, decide=None, bulk=False) -> None:
	"""Each decided mention once with its ticket, each in a savepoint."""
	fetched_at = now_datetime()
	for item in plan:
		frappe.db.savepoint("social_mention")
		try:
			opened = write_mention(account, item, tickets_written, fetched_at, decide, bulk=bulk)
		except (frappe.UniqueValidationError, frappe.DuplicateEntryError):
			frappe.db.rollback(save_point="social_mention")
			counts["duplicates"] += 1
			continue
		except LOCK_ERRORS:
			raise  # the transaction is gone or stuck: the whole page is tried again
		except Exception:
			frappe.db.rollback(save_point="social_mention")
			log_failure(item.mention)
			counts["failed"].append(item.mention.external_id)
			continue
		tickets_written.update(opened)
		authors.count(item.author, item.analysis.sentiment.score, item.mention.posted_at)
		counts["new"] += 1


def bulk_allowed() -> bool:
	"""Whether a page may be written without each new mention's, ticket's and profile's
	document events: only while no site configuration listens to one (a
	Notification, Webhook, Assignment Rule, document-event Server Script or active Workflow),
	which a bulk insert would not run."""
	for doctype in ("Social Mention", "Social Ticket", "Social Profile"):
		listeners = (
			("Notification", {"document_type": doctype, "enabled": 1}),
			("Webhook", {"webhook_doctype": doctype, "enabled": 1}),
			("Assignment Rule", {"document_type": doctype, "disabled": 0}),
			("Server Script", {"reference_doctype": doctype, "disabled": 0, "script_type": "DocType Event"}),
			("Workflow", {"document_type": doctype, "is_active": 1}),
		)
		if any(frappe.db.exists(listener, filters) for listener, filters in listeners):
			return False
	return True


def write_rows(account, plan: list[Planned], tickets_written: dict[str, str]) -> dict[str, str]:
	"""The page's decided mentions in bulk: each row built in memory as `doc.insert()` would
	store it (`prepared`), inserted in one statement, then the tickets they open (documents,
	few) and the thread rows of the ones they join (one statement). Returns the ticket names
	triage knew by another name that are now written. The Issues and their timelines follow
	in the mirror job (tickets.mirror_pending), queued for when the page is committed."""
	from social_crm import tickets

	fetched_at = now_datetime()
	names = dict(tickets_written)
	defaults = Defaults()
	docs, opened, appends = [], [], []
	for item in plan:
		doc = new_mention(account, item, fetched_at)
		decision = item.decision
		target = names.get(decision.ticket, decision.ticket)
		opens = decision.action is Action.CREATE_TICKET or (
			decision.action is Action.APPEND_TO_TICKET and (not target or is_unwritten(target))
		)
		new_ticket = tickets.new_ticket(doc, decision, {"customer": item.author.customer}) if opens else None
		if new_ticket:
			for name in (item.opens, decision.ticket):
				if name and is_unwritten(name):
					names[name] = new_ticket.name
		tickets.set_decision(doc, decision, names)
		if new_ticket:
			new_ticket.triage_reasons = doc.triage_reasons
			new_ticket.triage_reason = doc.triage_reason
			tickets.put_on_ticket(doc, new_ticket.name)
			opened.append(new_ticket)
		elif decision.action is Action.APPEND_TO_TICKET:
			tickets.put_on_ticket(doc, target)
			appends.append((target, doc, decision))
		prepared(doc, defaults)
		docs.append(doc)
	for ticket in opened:
		# the job's own first write of a ticket: no Version row, and its on_update has nothing
		# to do (no Issue yet; `announce` tells the inbox of it)
		prepared(ticket, defaults)
	insert_rows([*docs, *opened])
	tickets.append_mentions(appends)
	if opened or appends:
		tickets.enqueue_mirror()
	announce(docs)
	return {name: written for name, written in names.items() if is_unwritten(name)}


def new_mention(account, item: Planned, fetched_at):
	"""The Social Mention document of a planned mention, named, not yet written."""
	doc = frappe.get_doc(
		{
			"doctype": "Social Mention",
			"social_account": account.name if account else None,
			"fetched_at": fetched_at,
			"social_profile": item.author.name,
			"customer": item.author.customer,
			"author_email": item.author.email,
			"status": "New",
			**mention_values(item.mention),
			**analysis_values(item.analysis),
		}
	)
	doc.set_new_name()
	item.doc = doc
	return doc


def announce(docs) -> None:
	"""Once a page is committed, one notice for open inboxes (which conversations changed) and
	one for open lists of mentions (the page's newest, which lists sorted by posting time show
	at the top; a list reloads the rest on its next refresh)."""
	from social_crm import inbox

	if not docs:
		return
	inbox.publish_conversations(
		{
			"Social Mention": [doc.name for doc in docs],
			"Social Ticket": sorted({doc.social_ticket for doc in docs if doc.social_ticket}),
		}
	)
	newest = max(docs, key=lambda doc: str(doc.posted_at or ""))
	frappe.publish_realtime(
		"list_update",
		{"doctype": newest.doctype, "name": newest.name, "user": frappe.session.user},
		after_commit=True,
	)


def known_as_written(open_tickets: dict[str, OpenTicket], tickets_written: dict[str, str]) -> None:
	"""The page's written tickets under their real names, as the database now knows them."""
	for unwritten, name in tickets_written.items():
		if unwritten in open_tickets:
			open_tickets[name] = replace(open_tickets.pop(unwritten), name=name)


def decider(item: Planned, pipeline: Pipeline, *, now, open_tickets: dict[str, OpenTicket] | None = None):
	"""How a mention that may belong to an incident is decided once it is inserted: against the
	page's open tickets (or, alone, the database's) and the incident `triage_inputs` opens or
	joins for it; the ticket it opens is then open for the page's later mentions."""
	from social_crm import incidents, tickets

	def decide(doc) -> Decision:
		candidates = (
			list(open_tickets.values()) if open_tickets is not None else tickets.open_tickets_for(doc)
		)
		item.decision = pipeline.decide(
			item.mention,
			item.analysis,
			now=now,
			customer=doc.customer,
			open_tickets=candidates,
			**incidents.triage_inputs(doc, item.mention, item.analysis),
		)
		if open_tickets is not None:
			thread_into(open_tickets, item)
		return item.decision

	return decide


def write_mention(
	account, item: Planned, tickets_written: dict[str, str], fetched_at, decide=None, *, bulk: bool = False
) -> dict[str, str]:
	"""Inserts the mention as decided, then the ticket it opens or the row on the ticket it
	joins. Returns the ticket names triage knew by another name that are now written.

	A mention that was to join a ticket another mention of the page failed to open opens it.
	With `decide` (a mention that may belong to an incident, which counts the stored
	mentions) the mention is inserted first, then decided, and the decision is written onto
	the row without a second save (no Version, `modified` stays its creation); its on_update
	runs again then, so the inbox and the incident's row hear of its ticket."""
	from social_crm import tickets

	doc = new_mention(account, item, fetched_at)
	# Written by this job from rows it just read or made: no Version row, no second look-ups,
	# and of the realtime events only the one open lists need (no form shows a new mention;
	# the inbox hears of it from the mention's on_update, social_crm/inbox.py).
	doc.flags.ignore_version = True
	doc.flags.ignore_links = True
	doc.flags.checked_unique = True
	doc.flags.notify_update = False
	if decide is not None:
		if bulk:
			# the row as `insert` would write it, without the events its on_update runs below
			prepared(doc, Defaults())
			insert_rows([doc])
		else:
			doc.insert(ignore_permissions=True)
		decide(doc)
	decision = item.decision
	target = tickets_written.get(decision.ticket, decision.ticket)
	opens = decision.action is Action.CREATE_TICKET or (
		decision.action is Action.APPEND_TO_TICKET and (not target or is_unwritten(target))
	)
	new_ticket = tickets.new_ticket(doc, decision) if opens else None
	names = dict(tickets_written)
	if new_ticket and decision.ticket and is_unwritten(target):
		names[decision.ticket] = new_ticket.name
	tickets.set_decision(doc, decision, names)
	if new_ticket:
		new_ticket.triage_reasons = doc.triage_reasons
		new_ticket.triage_reason = doc.triage_reason
	if new_ticket or decision.action is Action.APPEND_TO_TICKET:
		tickets.put_on_ticket(doc, new_ticket.name if new_ticket else target)
	if decide is None:
		doc.insert(ignore_permissions=True)
	else:
		frappe.db.set_value(
			"Social Mention",
			doc.name,
			{field: doc.get(field) for field in DECISION_FIELDS},
			update_modified=False,
		)
	frappe.publish_realtime(
		"list_update",
		{"doctype": doc.doctype, "name": doc.name, "user": frappe.session.user},
		after_commit=True,
	)
	if new_ticket:
		tickets.insert_ticket(new_ticket, mirror=False)
	elif decision.action is Action.APPEND_TO_TICKET:
		tickets.append_to_ticket(target, doc, decision, mirror=False)
	if new_ticket or decision.action is Action.APPEND_TO_TICKET:
		tickets.enqueue_mirror()
	if decide is not None:
		doc.run_method("on_update")
	if not new_ticket:
		return {}
	return {name: new_ticket.name for name in (item.opens, decision.ticket) if name and is_unwritten(name)}


def is_unwritten(ticket: str) -> bool:
	"""A name `thread_into` gave a ticket the page opens, before it is written."""
	return ticket.startswith(UNWRITTEN)


def log_failure(mention: Mention) -> None:
	frappe.log_error(
		title=_("Social CRM: could not store a {0} mention").format(mention.platform.value),
		message=traceback.format_exc(),  # without the frames' locals
	)


def forget_saved_documents(keep: int) -> None:
	"""Frappe 15 notes every document saved in `frappe.flags.currently_saving` and empties the
	list only when the next request starts, so a long job's list (and every check against it)
	grows with each insert. The entries of pages already committed are of no use to anyone."""
	saving = frappe.flags.currently_saving
	if isinstance(saving, list):
		del saving[keep:]


def insert_mention(mention: Mention, analysis: Analysis, pipeline: Pipeline, account=None):
	"""One new Social Mention with its analysis, profile and triage decision, as the fetch job
	writes a mention that may belong to an incident: inserted, then decided against the open
	tickets in the database and its incident (`decider`)."""
	authors = PageAuthors([mention], account)
	item = Planned(mention, analysis, authors.of(mention))
	if item.author.is_new:
		authors.insert(item.author)
	decide = decider(item, pipeline, now=to_utc(now_datetime()))
	write_mention(account, item, {}, now_datetime(), decide)
	authors.count(item.author, analysis.sentiment.score, mention.posted_at)
	authors.save()
	return item.doc


def decide_and_apply(doc, mention: Mention, analysis: Analysis, pipeline: Pipeline) -> None:
	"""Triage a stored mention again (re-analysis) against its open tickets in the database and
	the incident it may belong to, then the ticket, Issue or flag it decided."""
	from social_crm import incidents, tickets

	decision = pipeline.decide(
		mention,
		analysis,
		now=to_utc(now_datetime()),
		customer=doc.customer,
		open_tickets=tickets.open_tickets_for(doc),
		**incidents.triage_inputs(doc, mention, analysis),
	)
	tickets.apply_decision(doc, decision)


def analysis_values(analysis: Analysis, *, keep_sentiment: bool = False) -> dict:
	values = {
		"matched_keywords": [{"monitored_keyword": name} for name in analysis.keyword_names],
		"language": analysis.sentiment.language,
	}
	if not keep_sentiment:
		values["sentiment_label"] = SENTIMENT_LABELS[analysis.sentiment.label]
		values["sentiment_score"] = analysis.sentiment.score
	return values


def build_pipeline() -> Pipeline:
	settings = frappe.get_cached_doc("Social CRM Settings")
	return Pipeline(
		keywords=keyword_specs(),
		analyzer=site_analyzer(settings),
		settings=TriageSettings(
			mode=settings.ticket_creation_mode or "Automatic",
			negative_threshold=settings.negative_threshold,
		),
	)


def keyword_specs() -> list[KeywordSpec]:
	"""The enabled Monitored Keywords; one saved before validation existed and now broken is
	skipped and reported rather than stopping every fetch."""
	rows = frappe.get_all(
		"Monitored Keyword",
		filters={"enabled": 1},
		fields=["name", "query", "languages", "override_threshold", "ticket_threshold", "item"],
		order_by="name",
	)
	platforms = {}
	for row in frappe.get_all(
		"Monitored Keyword Platform",
		filters={"parenttype": "Monitored Keyword"},
		fields=["parent", "platform"],
	):
		platforms.setdefault(row.parent, set()).add(row.platform)
	specs = []
	for row in rows:
		try:
			parse(row.query)
		except QuerySyntaxError:
			frappe.log_error(
				title=_("Social CRM: Monitored Keyword {0} has an invalid query").format(row.name)
			)
			continue
		specs.append(
			KeywordSpec(
				name=row.name,
				query=row.query,
				platforms=platforms.get(row.name, ()),
				languages={code.strip() for code in (row.languages or "").split(",") if code.strip()},
				ticket_threshold=row.ticket_threshold if row.override_threshold else None,
				item=row.item,
			)
		)
	return specs


def site_analyzer(settings, *, with_site_model: bool = True) -> Analyzer:
	"""The analyser chosen in Settings, with the site's own model once training found it better."""
	model = None
	if with_site_model and settings.use_site_model and settings.site_model:
		try:
			model = SiteModel.from_bytes(settings.site_model.encode())
		except BadModel:
			frappe.log_error(title=_("Social CRM: the site's sentiment model could not be read"))
	return Analyzer(ANALYZERS.get(settings.sentiment_analyzer or "Default", "default"), model=model)


@frappe.whitelist()
def reanalyse(names=None, filters=None) -> int:
	"""Queues re-analysis of the chosen mentions (list action), e.g. after keywords changed."""
	frappe.only_for(("System Manager", "Social Media Manager", "Support Team"))
	if isinstance(names, str):
		names = json.loads(names)
	if isinstance(filters, str):
		filters = json.loads(filters)
	frappe.has_permission("Social Mention", "write", throw=True)
	if names:
		filters = {"name": ("in", names)}
	# get_list applies the user's permissions (user permissions, if-owner rules) to the rows.
	names = frappe.get_list("Social Mention", filters=filters or {}, pluck="name", limit_page_length=0)
	frappe.enqueue(
		"social_crm.ingest.reanalyse_mentions", queue="long", names=list(names), enqueue_after_commit=True
	)
	return len(names)


def reanalyse_mentions(names: list[str]) -> None:
	"""Runs keywords and sentiment again (an agent's correction is kept) and triage for
	mentions nobody has acted on yet."""
	pipeline = build_pipeline()
	for name in names:
		doc = frappe.get_doc("Social Mention", name)
		mention = engine_mention(doc)
		analysis = pipeline.analyse(
			mention, frappe.db.get_value("Social Account", doc.social_account, "own_handle") or ""
		)
		doc.update(analysis_values(analysis, keep_sentiment=bool(doc.sentiment_corrected)))
		doc.flags.from_analysis = True
		doc.save(ignore_permissions=True)
		if doc.status == "New" and not doc.social_ticket:
			if doc.sentiment_corrected:
				analysis = corrected(analysis, doc)
			decide_and_apply(doc, mention, analysis, pipeline)
		frappe.db.commit()


def corrected(analysis: Analysis, doc) -> Analysis:
	"""The analysis with the agent's sentiment instead of the analyser's."""
	sentiment = replace(
		analysis.sentiment, label=ENGINE_LABELS[doc.sentiment_label], score=doc.sentiment_score or 0.0
	)
	return replace(analysis, sentiment=sentiment)
