"""Social Tickets: what the shell does with triage decisions, Issue status sync and replies.

The engine's triage decides (social_crm/engine/triage.py); this module only carries the
decision out, in one place for every caller:

- `open_tickets_for(mention)` lists the open tickets triage may thread a stored mention into,
  and `open_tickets_near(...)` those of a whole page of the fetch job (ingest.py), by index
  look-ups only, so their cost follows the page and not the tables;
- `apply_decision(mention, decision)` stores the decision on the mention and opens a Social
  Ticket with its ERPNext Issue, appends to a ticket, or leaves the mention for an agent;
- `on_issue_update` / `on_ticket_update` keep the ticket's and the Issue's status in step;
- `retriage(mention)` decides again after an agent corrected the sentiment.

Replies (approval, sending, the record on the Issue) are in social_crm/replies.py.

Text from the platforms is untrusted: it is escaped before it becomes Issue or Communication
HTML, and links are only made of http(s) URLs. What is written into Issues and
Communications, and the triage reason text, is in the site's language (social_crm/reasons.py).
"""

from dataclasses import replace
from datetime import timedelta

import frappe
from frappe import _
from frappe.utils import escape_html, get_datetime, now_datetime

from social_crm import reasons
from social_crm.bulk_rows import insert_values
from social_crm.engine.mention import Platform
from social_crm.engine.triage import DEFAULT_THREAD_WINDOW, Action, Decision, OpenTicket
from social_crm.engine.untrusted import clean_url
from social_crm.escaping import DATA_LENGTH, escape_once, refit
from social_crm.reasons import in_site_language
from social_crm.stored_mention import stored_text, to_system_time, to_utc

OPEN_STATUSES = ("Open", "Replied")
SUBJECT_LENGTH = 140
# Issue Priorities the shell can compare; a site's own priorities are never raised or lowered.
PRIORITY_RANK = {"Low": 0, "Medium": 1, "High": 2, "Urgent": 3}
# Social Ticket status -> Issue status and back. "On Hold" exists on Issue only: it leaves the ticket as it is.
ISSUE_STATUS_FOR_TICKET = {"Open": "Open", "Replied": "Replied", "Resolved": "Resolved", "Closed": "Closed"}
TICKET_STATUS_FOR_ISSUE = {"Open": "Open", "Replied": "Replied", "Resolved": "Resolved", "Closed": "Closed"}

# Reasons the shell gives itself (the engine's are in triage.REASON_TEMPLATES); in de.csv too.
R_AGENT_CREATED = "{user} opened a ticket for this mention"
R_RECLASSIFIED = "{user} corrected the sentiment to {label}"
R_CLOSED_AFTER_CORRECTION = "Closed: after the corrected sentiment triage no longer asks for a ticket"
REASON_TEMPLATES = (R_AGENT_CREATED, R_RECLASSIFIED, R_CLOSED_AFTER_CORRECTION)


# --- threading --------------------------------------------------------------------------------


def open_tickets_for(mention_doc) -> list[OpenTicket]:
	"""Open or Replied Social Tickets on the mention's platform that could thread it: those
	sharing a post or conversation with it, and those of its author (Social Profile) active
	within the thread window of the post's time. Triage then decides which link holds."""
	refs = [
		ref for ref in (mention_doc.external_id, mention_doc.in_reply_to, mention_doc.conversation_id) if ref
	]
	posted_at = to_utc(mention_doc.posted_at)
	tickets = open_tickets_near(
		mention_doc.platform,
		refs,
		[mention_doc.social_profile] if mention_doc.social_profile and posted_at else [],
		posted_at,
	)
	return sorted(tickets.values(), key=lambda ticket: ticket.name)


def open_tickets_near(
	platform: str, refs, profiles, since, window: timedelta = DEFAULT_THREAD_WINDOW
) -> dict[str, OpenTicket]:
	"""The open tickets a page of mentions could thread into, by key lookups only.

	`refs` are the page's post ids, reply-to ids and conversation ids (a ticket whose thread
	has one of them); `profiles` the page's authors, whose tickets count when their last
	activity is at most `window` before `since`, the page's oldest post (triage checks the
	exact window). Each lookup walks an index, so the cost follows the page, not the number
	of tickets or mentions stored.
	"""
	refs, profiles = tuple(sorted(set(refs))), tuple(sorted(set(profiles)))
	parts, values = [], {"platform": platform, "statuses": OPEN_STATUSES}
	if refs:
		values["refs"] = refs
		for column in ("external_id", "conversation_id"):
			parts.append(
				f"""select row.parent as name from `tabSocial Mention` m
				join `tabSocial Ticket Mention` row on row.social_mention = m.name and row.parenttype = 'Social Ticket'
				where m.platform = %(platform)s and m.{column} in %(refs)s"""
			)
	if profiles and since:
		values.update(profiles=profiles, since=to_system_time(since - window))
		parts.append(
			"""select t.name from `tabSocial Ticket` t
			where t.social_profile in %(profiles)s and t.last_activity_at >= %(since)s
			and t.status in %(statuses)s"""
		)
	if not parts:
		return {}
	candidates = frappe.db.sql(" union ".join(parts), values, pluck=True)
	if not candidates:
		return {}
	names = frappe.db.sql(
		"""select name from `tabSocial Ticket`
		where name in %(names)s and platform = %(platform)s and status in %(statuses)s""",
		{**values, "names": tuple(candidates)},
		pluck=True,
	)
	return {ticket.name: ticket for ticket in load_open_tickets(names, refs, platform)}


def load_open_tickets(names, refs=None, platform: str | None = None) -> list[OpenTicket]:
	"""Tickets as the engine's threading sees them, in three queries for all of them. A ticket
	opens at its first post and was last active at its latest post or our reply.

	With `refs` (the post and conversation ids on `platform` a page's mentions could thread
	by, see `open_tickets_near`) only the thread's posts among them are read: threading asks no more
	of a ticket than whether those ids are in it, and a long thread (a customer writing for
	months) would otherwise be read whole for every page."""
	if not names:
		return []
	values = {"names": tuple(names)}
	tickets = frappe.db.sql(
		"""
		select t.name, t.platform, t.creation, t.replied_at, opening.author_handle
		from `tabSocial Ticket` t left join `tabSocial Mention` opening on opening.name = t.social_mention
		where t.name in %(names)s
		""",
		values,
		as_dict=True,
	)
	# first and latest post of each thread, from the (parent, posted_at) index alone (its rows
	# are only ever a Social Ticket's; asking parenttype too reads every row of a long thread)
	spans = {
		row.parent: row
		for row in frappe.db.sql(
			"""select parent, min(posted_at) as first, max(posted_at) as latest from `tabSocial Ticket Mention`
			where parent in %(names)s group by parent""",
			values,
			as_dict=True,
		)
	}
	thread_query = """select row.parent, m.external_id, m.conversation_id
		from `tabSocial Ticket Mention` row join `tabSocial Mention` m on m.name = row.social_mention
		where row.parent in %(names)s and row.parenttype = 'Social Ticket'"""
	if refs is not None:
		refs = tuple(sorted(set(refs)))
		if not refs:
			thread_query = ""
		else:
			values.update(refs=refs, platform=platform)
			# each half walks an index of the mentions (platform_external_id, conversation_id)
			thread_query = " union ".join(
				f"""select row.parent, m.external_id, m.conversation_id
				from `tabSocial Mention` m join `tabSocial Ticket Mention` row on row.social_mention = m.name
				where m.platform = %(platform)s and m.{column} in %(refs)s
				and row.parent in %(names)s and row.parenttype = 'Social Ticket'"""
				for column in ("external_id", "conversation_id")
			)
	threads = {}
	for row in frappe.db.sql(thread_query, values, as_dict=True) if thread_query else ():
		threads.setdefault(row.parent, []).append(row)
	result = []
	for ticket in tickets:
		thread = threads.get(ticket.name, [])
		span = spans.get(ticket.name)
		opened_at = to_utc(span.first) if span and span.first else to_utc(ticket.creation)
		activity = [opened_at]
		if span and span.latest:
			activity.append(to_utc(span.latest))
		if ticket.replied_at:
			activity.append(to_utc(ticket.replied_at))
		result.append(
			OpenTicket(
				name=ticket.name,
				platform=Platform(ticket.platform),
				mention_external_ids=frozenset(row.external_id for row in thread),
				conversation_ids=frozenset(row.conversation_id for row in thread if row.conversation_id),
				author_handle=ticket.author_handle or "",
				opened_at=opened_at,
				last_activity_at=max(activity),
			)
		)
	return result


def open_ticket(name: str) -> OpenTicket:
	"""One Social Ticket as the engine's threading sees it."""
	return load_open_tickets([name])[0]


def note_activity(ticket) -> None:
	"""Social Ticket.validate: `last_activity_at` (the author lookup's index) follows our reply."""
	if ticket.replied_at and (
		not ticket.last_activity_at or get_datetime(ticket.replied_at) > get_datetime(ticket.last_activity_at)
	):
		ticket.last_activity_at = ticket.replied_at


# --- decisions --------------------------------------------------------------------------------


def apply_decision(mention_doc, decision: Decision) -> str | None:
	"""Carry out triage's decision for a stored mention; returns the Social Ticket it is on.

	Idempotent: a mention already on a ticket is never given a second one, and appending it
	again adds no second row. (The fetch job writes new mentions with their decision in one
	insert instead: see ingest.write_mention.)
	"""
	set_decision(mention_doc, decision)
	ticket = None
	if decision.action is Action.CREATE_TICKET:
		ticket = mention_doc.social_ticket or ticket_of_mention(mention_doc.name)
		if not ticket:
			ticket = create_ticket(mention_doc, decision, mirror=False)
	elif decision.action is Action.APPEND_TO_TICKET:
		if decision.ticket and frappe.db.exists("Social Ticket", decision.ticket):
			ticket = append_to_ticket(decision.ticket, mention_doc, decision, mirror=False)
		else:
			ticket = mention_doc.social_ticket or create_ticket(mention_doc, decision, mirror=False)
	if ticket:
		put_on_ticket(mention_doc, ticket)
	mention_doc.save(ignore_permissions=True)
	if ticket:
		# the Issue and its timeline at once, from the mention as now saved
		mirror_ticket(ticket)
	return ticket


def set_decision(mention_doc, decision: Decision, ticket_names: dict | None = None) -> None:
	"""The decision's fields on the mention; `ticket_names` renames tickets in the reasons."""
	mention_doc.triage_action = str(decision.action)
	mention_doc.triage_priority = existing_priority(str(decision.priority))
	reasons.set_reasons(mention_doc, renamed_reasons(decision, ticket_names))
	mention_doc.opportunity = 1 if decision.opportunity else 0


def put_on_ticket(mention_doc, ticket: str) -> None:
	mention_doc.social_ticket = ticket
	if mention_doc.status in (None, "", "New", "Reviewed", "Ignored"):
		mention_doc.status = "Ticketed"


def renamed_reasons(decision: Decision, ticket_names: dict | None = None) -> list:
	"""The decision's reasons (template and params, see reasons.py), with `ticket_names`
	mapping a name triage was given for a ticket not yet written to its real one."""
	if not ticket_names:
		return list(decision.reasons)
	return [
		replace(reason, params={**reason.params, "ticket": ticket_names[reason.params["ticket"]]})
		if reason.params.get("ticket") in ticket_names
		else reason
		for reason in decision.reasons
	]


def ticket_of_mention(mention: str) -> str | None:
	return frappe.db.get_value(
		"Social Ticket Mention", {"social_mention": mention, "parenttype": "Social Ticket"}, "parent"
	)


def create_ticket(mention_doc, decision: Decision, *, mirror: bool = True) -> str:
	"""A Social Ticket for the stored mention and (with `mirror`) its ERPNext Issue."""
	ticket = new_ticket(mention_doc, decision)
	insert_ticket(ticket, mirror=mirror)
	return ticket.name


def new_ticket(mention_doc, decision: Decision, profile: dict | None = None):
	"""The Social Ticket for a mention, named but not yet inserted, so a new mention can be
	written once with its ticket and the ticket inserted right after it. `profile` is the
	author's profile links where the caller has read them (the fetch job, with its page)."""
	profile = profile_links(mention_doc) if profile is None else profile
	ticket = frappe.get_doc(
		{
			"doctype": "Social Ticket",
			"subject": ticket_subject(mention_doc),
			"status": "Open",
			"priority": existing_priority(str(decision.priority)) or settings().default_priority,
			"customer": mention_doc.customer or profile.get("customer"),
			"social_profile": mention_doc.social_profile,
			"author_email": mention_doc.author_email,
			"platform": mention_doc.platform,
			"social_account": mention_doc.social_account,
			"social_mention": mention_doc.name,
			"last_activity_at": mention_doc.posted_at,
			"mentions": [
				{
					"social_mention": mention_doc.name,
					"posted_at": mention_doc.posted_at,
					"author_handle": mention_doc.author_handle,
				}
			],
		}
	)
	reasons.set_reasons(ticket, decision.reasons)
	ticket.set_new_name()
	return ticket


def insert_ticket(ticket, *, mirror: bool = True) -> None:
	"""Inserts the ticket; with `mirror` its Issue at once (an agent's action), else the mirror
	job writes it (the fetch job, see `mirror_pending`). The job's own first write of a ticket
	keeps no Version row."""
	ticket.flags.ignore_version = True
	ticket.insert(ignore_permissions=True)
	if mirror:
		ticket.issue = mirror_ticket(ticket.name)


def create_issue(ticket, mention_doc, profile: dict) -> str:
	config = settings()
	contact = profile.get("contact")
	with in_site_language():
		description = post_html(mention_doc)
	issue = frappe.get_doc(
		{
			"doctype": "Issue",
			"subject": ticket.subject,
			"description": description,
			"customer": ticket.customer,
			"contact": contact,
			"raised_by": frappe.db.get_value("Contact", contact, "email_id") if contact else None,
			"issue_type": config.default_issue_type,
			"priority": ticket.priority or config.default_priority,
			"status": ISSUE_STATUS_FOR_TICKET.get(ticket.status) or "Open",
			"social_ticket": ticket.name,
		}
	)
	issue.insert(ignore_permissions=True)
	return issue.name


def append_to_ticket(ticket_name: str, mention_doc, decision: Decision, *, mirror: bool = True) -> str:
	"""Adds the mention to the ticket's thread; raises, never lowers, the priority; a customer
	writing again after our reply makes the ticket Open again. With `mirror` the post reaches
	the Issue's timeline at once (an agent's action), else the mirror job carries it there
	(the fetch job, see `mirror_pending`)."""
	append_mentions([(ticket_name, mention_doc, decision)])
	if mirror:
		mirror_ticket(ticket_name)
	return ticket_name


def append_mentions(appends) -> None:
	"""Adds stored mentions to their tickets' threads, all rows of a page in one insert:
	`appends` is a list of (ticket name, mention, decision). Each ticket's row is locked and
	written once (latest activity, the highest priority asked for; Open again after our reply).

	The thread rows are inserted on their own rather than by saving the ticket, which would
	load and rewrite every row of a long thread for each new post. Each row is marked
	`mirror_pending` until its post is on the Issue's timeline (`mirror_ticket`)."""
	by_ticket: dict[str, list] = {}
	for ticket_name, mention_doc, decision in appends:
		by_ticket.setdefault(ticket_name, []).append((mention_doc, decision))
	if not by_ticket:
		return
	names = tuple(sorted(by_ticket))
	tickets = {
		row.name: row
		for row in frappe.db.sql(
			"""select name, status, priority, last_activity_at from `tabSocial Ticket`
			where name in %(names)s order by name for update""",
			{"names": names},
			as_dict=True,
		)
	}
	# which of these posts a thread holds already, and each thread's last position: read by
	# the posts (social_mention index) and the (parent, idx) index, not by every row of a
	# long thread
	mentions = tuple(sorted({mention_doc.name for posts in by_ticket.values() for mention_doc, _ in posts}))
	existing = {
		(row.parent, row.social_mention)
		for row in frappe.db.sql(
			"""select parent, social_mention from `tabSocial Ticket Mention`
			where social_mention in %(mentions)s and parent in %(names)s""",
			{"names": names, "mentions": mentions},
			as_dict=True,
		)
	}
	last_idx: dict[str, int] = {
		parent: int(idx or 0)
		for parent, idx in frappe.db.sql(
			"""select parent, max(idx) from `tabSocial Ticket Mention`
			where parent in %(names)s group by parent""",
			{"names": names},
		)
	}
	now, user = now_datetime(), frappe.session.user
	rows = []
	for ticket_name, posts in by_ticket.items():
		ticket = tickets.get(ticket_name)
		if ticket is None:
			raise frappe.DoesNotExistError(f"Social Ticket {ticket_name}")
		priority, activity = (
			ticket.priority,
			[get_datetime(ticket.last_activity_at)] if ticket.last_activity_at else [],
		)
		for mention_doc, decision in posts:
			if (ticket_name, mention_doc.name) in existing:
				continue
			existing.add((ticket_name, mention_doc.name))
			last_idx[ticket_name] = last_idx.get(ticket_name, 0) + 1
			rows.append(
				(
					frappe.generate_hash(length=10),
					ticket_name,
					"Social Ticket",
					"mentions",
					last_idx[ticket_name],
					mention_doc.name,
					mention_doc.posted_at,
					mention_doc.author_handle,
					1,
					now,
					now,
					user,
					user,
				)
			)
			if mention_doc.posted_at:
				activity.append(get_datetime(mention_doc.posted_at))
			asked = existing_priority(str(decision.priority))
			if is_higher(asked, priority):
				priority = asked
		# The job's own fields leave `modified` alone, so an agent's form opened before stays
		# saveable and its save keeps these rows (ticket_edits.py); a field agents edit
		# (priority, status) moves it, so Frappe refuses such a form instead of it undoing the
		# job's change.
		values = {"last_activity_at": max(activity) if activity else None}
		if priority != ticket.priority:
			values["priority"] = priority
		if ticket.status == "Replied":
			# the status goes to the Issue through the ticket's on_update
			doc = frappe.get_doc("Social Ticket", ticket_name)
			doc.update(values)
			doc.status = "Open"
			doc.save(ignore_permissions=True)
		else:
			frappe.db.set_value("Social Ticket", ticket_name, values, update_modified="priority" in values)
	insert_values("Social Ticket Mention", THREAD_ROW_FIELDS, rows)


# --- the ERPNext helpdesk mirror ----------------------------------------------------------------

THREAD_ROW_FIELDS = (
	"name",
	"parent",
	"parenttype",
	"parentfield",
	"idx",
	"social_mention",
	"posted_at",
	"author_handle",
	"mirror_pending",
	"creation",
	"modified",
	"owner",
	"modified_by",
)
MIRROR_JOB = "social_crm_mirror_pending"
MIRROR_FOLLOW_UP = "social_crm_mirror_pending::follow_up"
# What the mirror reads of a mention for the Issue description or a Communication (post_html).
MIRROR_MENTION_FIELDS = (
	"name",
	"text",
	"url",
	"platform",
	"author_name",
	"author_handle",
	"sentiment_label",
	"sentiment_score",
	"social_profile",
	"triage_priority",
)


def enqueue_mirror() -> None:
	"""After the fetch job's page commits: the mirror job, once (a queued or running one is
	enough). A failed enqueue loses nothing: the pending state is in the database and the
	scheduler's sweep (hooks.py) runs the same job every few minutes."""
	# once per transaction, however many of its mentions open or join a ticket
	if queue_mirror not in frappe.db.after_commit._functions:
		frappe.db.after_commit.add(queue_mirror)


def queue_mirror() -> None:
	"""A mirror job, unless one is queued: a running one may have read the pending tickets
	before this page committed (and takes each ticket once a run), so then a second job is
	queued to follow it, or this page's posts would wait for the scheduler's sweep."""
	from rq.job import JobStatus

	from frappe.utils.background_jobs import get_job

	try:
		running = (job := get_job(MIRROR_JOB)) is not None and job.get_status() == JobStatus.STARTED
		frappe.enqueue(
			"social_crm.tickets.mirror_pending",
			queue="default",
			job_id=MIRROR_FOLLOW_UP if running else MIRROR_JOB,
			deduplicate=True,
		)
	except Exception:
		frappe.log_error(title=_("Social CRM: could not queue the Issue mirror; the scheduler will run it"))


def pending_tickets(limit: int = 500) -> list[str]:
	"""Tickets whose Issue is not written yet, or with posts not yet on the Issue's timeline."""
	return frappe.db.sql(
		"""select name from `tabSocial Ticket` where issue is null or issue = ''
		union select t.name from `tabSocial Ticket Mention` row join `tabSocial Ticket` t on t.name = row.parent
		where row.mirror_pending = 1 and row.parenttype = 'Social Ticket'
		order by 1 limit %(limit)s""",
		{"limit": limit},
		pluck=True,
	)


def mirror_pending() -> int:
	"""The job (queued after each page of the fetch job, and every few minutes by the
	scheduler): every ticket's Issue, and every post appended to it on its timeline, each
	exactly once. Each ticket is mirrored and committed on its own, so a crash keeps what was
	mirrored and the next run does the rest; one that fails is logged and left for the next.
	Returns the number of tickets mirrored."""
	done, seen = 0, set()
	while True:
		# each ticket once a run: what a page adds to it meanwhile is the next run's
		names = [name for name in pending_tickets() if name not in seen]
		if not names:
			return done
		for name in names:
			seen.add(name)
			try:
				mirror_ticket(name)
				frappe.db.commit()
				done += 1
			except Exception:
				frappe.db.rollback()
				frappe.log_error(
					title=_("Social CRM: the Issue of Social Ticket {0} could not be written").format(name)
				)


def mirror_ticket(name: str) -> str | None:
	"""The ticket's Issue (created if missing, so ERPNext's SLA, assignment rules and
	notifications apply as for any Issue) and a Communication for each thread row still
	`mirror_pending`, with the priority raise those posts asked for. Idempotent: the ticket's
	row is locked first and everything is read again under the lock, so two runs at once, or
	one after a crash, never write an Issue or a Communication twice. Returns the Issue."""
	ticket = frappe.db.sql(
		"select name, issue, status, social_mention from `tabSocial Ticket` where name = %s for update",
		name,
		as_dict=True,
	)
	if not ticket:
		return None
	ticket = ticket[0]
	issue = ticket.issue
	if not issue:
		doc = frappe.get_doc("Social Ticket", name)
		opening = mirror_mention(
			doc.social_mention or (doc.mentions[0].social_mention if doc.mentions else None)
		)
		issue = create_issue(doc, opening, profile_links(opening))
		frappe.db.set_value("Social Ticket", name, "issue", issue, update_modified=False)
	pending = frappe.db.sql(
		"""select name, social_mention from `tabSocial Ticket Mention`
		where parent = %s and parenttype = 'Social Ticket' and mirror_pending = 1 order by idx for update""",
		name,
		as_dict=True,
	)
	if not pending:
		return issue
	posts = [mirror_mention(row.social_mention) for row in pending]
	priority = frappe.db.get_value("Issue", issue, "priority")
	raised = priority
	for post in posts:
		asked = existing_priority(post.triage_priority)
		if is_higher(asked, raised):
			raised = asked
	if raised != priority:
		doc = frappe.get_doc("Issue", issue)
		doc.priority = raised
		doc.save(ignore_permissions=True)
	for row, post in zip(pending, posts, strict=True):
		add_communication(issue, post)
		frappe.db.set_value("Social Ticket Mention", row.name, "mirror_pending", 0, update_modified=False)
	# `modified` stays: a form opened before stays saveable, and its save keeps the Issue and
	# the rows' `mirror_pending` the mirror wrote (ticket_edits.keep_appended)
	return issue


def mirror_mention(name: str | None):
	"""A stored mention as the mirror writes it (an erased or deleted one as an empty post)."""
	row = frappe.db.get_value("Social Mention", name, MIRROR_MENTION_FIELDS, as_dict=True) if name else None
	return row or frappe._dict({field: None for field in MIRROR_MENTION_FIELDS}, name=name, platform="")


def add_communication(issue: str, mention_doc) -> None:
	"""The new post on the Issue's timeline, as a message received from the author."""
	with in_site_language():
		content = post_html(mention_doc)
	communication = frappe.get_doc(
		{
			"doctype": "Communication",
			"communication_type": "Communication",
			"communication_medium": "Other",
			"sent_or_received": "Received",
			"subject": frappe.db.get_value("Issue", issue, "subject"),
			"content": content,
			"sender_full_name": refit(mention_doc.author_name or mention_doc.author_handle, DATA_LENGTH),
			"reference_doctype": "Issue",
			"reference_name": issue,
		}
	)
	communication.flags.skip_add_signature = True
	communication.insert(ignore_permissions=True)


# --- pieces -----------------------------------------------------------------------------------


def settings():
	return frappe.get_cached_doc("Social CRM Settings")


def existing_priority(priority: str | None) -> str | None:
	if not priority:
		return None
	# a page of the fetch job asks for every mention it stores, so it keeps the answers (ingest.store_page)
	known = frappe.flags.social_crm_priorities
	if isinstance(known, dict):
		if priority not in known:
			known[priority] = bool(frappe.db.exists("Issue Priority", priority))
		return priority if known[priority] else None
	return priority if frappe.db.exists("Issue Priority", priority) else None


def is_higher(priority: str | None, current: str | None) -> bool:
	"""Whether `priority` is above `current`; priorities the app does not know are left alone."""
	if not priority or priority not in PRIORITY_RANK:
		return False
	if not current:
		return True
	return current in PRIORITY_RANK and PRIORITY_RANK[priority] > PRIORITY_RANK[current]


def ticket_subject(mention_doc) -> str:
	"""The post's first words on one line, escaped once, at most SUBJECT_LENGTH characters
	(the Issue and its notifications show the subject as HTML)."""
	text = " ".join(stored_text(mention_doc.text).split())
	if not text:
		with in_site_language():
			text = _("Mention by {0} on {1}").format(
				stored_text(mention_doc.author_handle) or "?", _(mention_doc.platform)
			)
	if len(text) > SUBJECT_LENGTH:
		text = text[: SUBJECT_LENGTH - 1].rsplit(" ", 1)[0].rstrip() + "…"
	return escape_once(text, SUBJECT_LENGTH)


def profile_links(mention_doc) -> dict:
	if not mention_doc.social_profile:
		return {}
	return (
		frappe.db.get_value(
			"Social Profile", mention_doc.social_profile, ["customer", "contact"], as_dict=True
		)
		or {}
	)


def safe_url(url: str | None) -> str:
	"""The URL if it is a safe http(s) URL (engine/untrusted.py), else nothing: neither a
	javascript: link nor one with a quote that breaks out of the attribute is ever made."""
	return clean_url(url)


def post_html(mention_doc) -> str:
	"""The post for Issue descriptions and Communications: escaped text, link, author, sentiment."""
	text = escape_html(stored_text(mention_doc.text)).replace("\n", "<br>")
	author = mention_doc.author_name or ""  # stored escaped
	handle = mention_doc.author_handle or ""
	lines = [f"<p>{text}</p>"]
	details = [
		_("Author: {0}").format(f"{author} (@{handle})" if author else f"@{handle}"),
		_("Platform: {0}").format(escape_html(_(mention_doc.platform))),
	]
	if mention_doc.sentiment_label:
		score = mention_doc.sentiment_score or 0
		details.append(_("Sentiment: {0} ({1})").format(_(mention_doc.sentiment_label), f"{score:+.2f}"))
	url = safe_url(mention_doc.url)
	if url:
		details.append(
			f'<a href="{escape_html(url)}" target="_blank" rel="noopener noreferrer">{_("Open Post")}</a>'
		)
	lines.append("<p>" + "<br>".join(details) + "</p>")
	return "\n".join(lines)


# --- status sync ------------------------------------------------------------------------------


def on_issue_update(issue, method=None):
	"""doc_events Issue.on_update: closing, resolving or reopening the Issue does the same to its ticket."""
	if not issue.get("social_ticket") or issue.flags.from_social_ticket:
		return
	status = TICKET_STATUS_FOR_ISSUE.get(issue.status)
	if not status or not frappe.db.exists("Social Ticket", issue.social_ticket):
		return
	ticket = frappe.get_doc("Social Ticket", issue.social_ticket)
	if ticket.status == status:
		return
	ticket.status = status
	ticket.flags.from_issue = True
	ticket.save(ignore_permissions=True)


def on_ticket_update(ticket):
	"""Social Ticket.on_update: the ticket's status goes to its Issue (the reverse of on_issue_update)."""
	if not ticket.issue or ticket.flags.from_issue or not ticket.has_value_changed("status"):
		return
	status = ISSUE_STATUS_FOR_TICKET.get(ticket.status)
	current = frappe.db.get_value("Issue", ticket.issue, "status")
	if not status or current is None or current == status:
		return
	issue = frappe.get_doc("Issue", ticket.issue)
	issue.status = status
	issue.flags.from_social_ticket = True
	issue.save(ignore_permissions=True)
