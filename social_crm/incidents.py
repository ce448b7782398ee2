"""Social Incidents: the shell's side of spike detection (engine/incidents.py decides).

- `triage_inputs(mention_doc, mention, analysis)` is called once per stored mention before
  triage (ingest.py; `may_concern` tells the fetch job which mentions need it): it counts the
  subject's negative mentions in the window and its baseline
  from the database, lets the engine decide, opens or joins the Social Incident it decided,
  notifies the Social Media Managers of a new one, and returns what triage needs to know (the
  open incident, the news terms), so a news post can join the incident instead of opening a
  High ticket;
- `link_ticket` (Social Mention on_update) writes the ticket triage opened onto the mention's
  incident row;
- `close_recovered` (scheduler) closes incidents whose subjects have been quiet long enough;
- `answer_incident` posts one public status reply per platform, to the incident's most visible
  post there, through the account's connector as ticket replies do; each customer's ticket
  keeps its own thread and gets a comment with the link.
"""

import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from pytz import timezone as pytz_timezone

import frappe
from frappe import _
from frappe.utils import cint, flt, get_system_timezone, now_datetime

from social_crm.accounts import connector_for
from social_crm.bulk_rows import insert_rows
from social_crm.engine.connectors.base import ConnectorError
from social_crm.engine.incidents import (
	Baseline,
	IncidentAction,
	IncidentDecision,
	InvalidSpikeSettings,
	OpenIncident,
	PageHistory,
	SpikeSettings,
	Subject,
	SubjectCount,
	SubjectKind,
	assess,
	assess_quiet,
	news_terms,
)
from social_crm.escaping import escape_once
from social_crm.stored_mention import SENTIMENT_LABELS, engine_mention, to_system_time

MANAGER_ROLES = ("Social Media Manager", "System Manager")


# --- settings and time --------------------------------------------------------------------------


def spike_settings() -> SpikeSettings:
	"""Social CRM Settings' spike values; an impossible combination falls back to the defaults."""
	config = frappe.get_cached_doc("Social CRM Settings")
	default = SpikeSettings()
	try:
		return SpikeSettings(
			window=timedelta(minutes=cint(config.get("spike_window_minutes")) or 60),
			baseline_days=cint(config.get("spike_baseline_days")) or default.baseline_days,
			margin=flt(config.get("spike_margin")) or default.margin,
			min_count=cint(config.get("spike_min_count")) or default.min_count,
			recovery=timedelta(minutes=cint(config.get("spike_recovery_minutes")) or 120),
		)
	except InvalidSpikeSettings:
		frappe.log_error(title=_("Social CRM: the spike alert settings are invalid; the defaults apply"))
		return default


def local(value) -> datetime:
	"""A stored (naive, system time) datetime as an aware one in the system time zone: the
	baseline's hours of day are the site's hours."""
	return pytz_timezone(get_system_timezone()).localize(frappe.utils.get_datetime(value))


def naive(moment: datetime) -> datetime:
	return moment.replace(tzinfo=None)


# --- per mention ----------------------------------------------------------------------------


def subjects_of(mention_doc, analysis) -> list[Subject]:
	subjects = [Subject.keyword(name) for name in analysis.keyword_names]
	if analysis.mentions_own_handle and mention_doc.social_account:
		handle = frappe.db.get_value("Social Account", mention_doc.social_account, "own_handle")
		if handle:
			subjects.append(Subject.handle(mention_doc.platform, handle))
	return subjects


def triage_inputs(mention_doc, mention, analysis) -> dict:
	"""The incident a new mention belongs to, for triage (`Pipeline.decide(**...)`)."""
	subjects = subjects_of(mention_doc, analysis)
	if not subjects or not mention_doc.posted_at:
		return {}
	settings = spike_settings()
	now = local(now_datetime())
	at = min(local(mention_doc.posted_at), now)
	if now - at > settings.window:
		# A post fetched late or re-analysed is no sign of what is happening now.
		return {}
	terms = news_terms(mention)
	decision = assess(
		[subject_count(subject, mention_doc.platform, at, settings) for subject in subjects],
		now=at,
		negative=mention_doc.sentiment_label == "Negative",
		news=bool(terms),
		open_incidents=open_incidents(),
		settings=settings,
	)
	if decision.action is IncidentAction.OPEN:
		name = open_incident(decision, mention_doc, at, settings)
	elif decision.action is IncidentAction.JOIN:
		name = join_incident(decision, mention_doc, at)
	else:
		return {}
	return {"incident": name, "news_terms": terms}


def may_concern(
	mention, analysis, account, *, now: datetime | None = None, settings: SpikeSettings | None = None
) -> bool:
	"""Whether `triage_inputs` could open or join an incident for the mention: it has a subject
	(a Monitored Keyword, or the account's own handle), is negative or reads as news, and was
	posted within the spike window (`triage_inputs` ignores older posts, a backlog's or a
	re-poll's, as no sign of what is happening now; `now` is the fetch's, earlier than the
	`triage_inputs` clock, so a post too old here is too old there). The fetch job decides all
	other mentions of a page without a look at incidents; these `PageSpikes` decides."""
	own_handle = analysis.mentions_own_handle and getattr(account, "own_handle", None)
	if not (analysis.keyword_names or own_handle):
		return False
	if not (SENTIMENT_LABELS[analysis.sentiment.label] == "Negative" or news_terms(mention)):
		return False
	now = now or datetime.now(timezone.utc)
	window = (settings or spike_settings()).window
	return now - min(mention.posted_at, now) <= window


class PageSpikes:
	"""The incidents of a page's mentions that `may_concern` one, decided in memory.

	`triage_inputs` counts each subject's stored negative mentions in the window and its
	baseline, one mention at a time, so deciding a page's mentions one by one in its order
	would mean storing each before deciding the next. Instead the subjects' stored mentions
	around the page are read once (engine.incidents.PageHistory) and the page's own negative
	mentions counted in as the database would count them once stored (a handle subject by the
	database's own LIKE over the page's texts), so `decide` gives each mention the decision
	`triage_inputs` would: JOIN an open incident or NONE. A mention that would OPEN one (once
	per incident) goes the exact way, and a post dated after the page began too (its window is
	measured to a later clock). The joins are written after the mentions (`write_joins`): the
	rows in one statement and each incident's counters once."""

	def __init__(self, items, candidates, account, settings: SpikeSettings):
		"""`items`: the page's planned mentions, in order; `candidates`: those that `may_concern`."""
		self.settings = settings
		self.account = account
		self.now = local(now_datetime())
		self.open = open_incidents()
		self.position = {id(item): n for n, item in enumerate(items)}
		self.history: dict[Subject, PageHistory] = {}
		self.joins: list[tuple[IncidentDecision, object, datetime]] = []
		ats = [naive(self.at(item.mention)) for item in candidates]
		if not ats:
			return
		first, last = min(ats), max(ats)
		window, days = settings.window, timedelta(days=settings.baseline_days)
		subjects = {s for item in candidates for s in self.subjects(item.mention, item.analysis)}
		negatives = [item for item in items if SENTIMENT_LABELS[item.analysis.sentiment.label] == "Negative"]
		for subject in subjects:
			self.history[subject] = PageHistory(
				window=moments(subject, first - window, last, upper_closed=True),
				early=moments(subject, first - window - days, last - window - days),
				common=hourly_counts(subject, last - window - days, first - window),
				page=[
					(self.position[id(item)], to_system_time(item.mention.posted_at))
					for item in page_members(subject, negatives)
				],
			)

	def at(self, mention) -> datetime:
		"""The moment `triage_inputs` measures the mention's window to."""
		return min(local(to_system_time(mention.posted_at)), self.now)

	def subjects(self, mention, analysis) -> list[Subject]:
		"""The mention's subjects as `subjects_of` finds them."""
		subjects = [Subject.keyword(name) for name in analysis.keyword_names]
		handle = getattr(self.account, "own_handle", None)
		if handle and analysis.mentions_own_handle:
			subjects.append(Subject.handle(mention.platform.value, handle))
		return subjects

	def decide(self, item) -> dict | None:
		"""What `triage_inputs` would return for the page's mention `item` once the page's
		mentions before it are stored, or None where it must be decided the exact way."""
		mention, analysis = item.mention, item.analysis
		if local(to_system_time(mention.posted_at)) > self.now:
			return None
		at = self.at(mention)
		position = self.position[id(item)]
		terms = news_terms(mention)
		decision = assess(
			[
				self.history[subject].count(subject, naive(at), position, self.settings)
				for subject in self.subjects(mention, analysis)
			],
			now=at,
			negative=SENTIMENT_LABELS[analysis.sentiment.label] == "Negative",
			news=bool(terms),
			open_incidents=self.open,
			settings=self.settings,
		)
		if decision.action is IncidentAction.OPEN:
			return None
		if decision.action is not IncidentAction.JOIN:
			return {}
		self.joins.append((decision, item, at))
		self.open = [
			replace(incident, subjects=incident.subjects | set(decision.subjects))
			if incident.name == decision.incident
			else incident
			for incident in self.open
		]
		return {"incident": decision.incident, "news_terms": terms}

	def write_joins(self) -> None:
		"""The rows and counters of the joins decided since the last call, as `join_incident`
		would have left them one by one, for the mentions that were written."""
		joins, self.joins = self.joins, []
		written = set(
			frappe.get_all(
				"Social Mention",
				filters={"name": ("in", [item.doc.name for _, item, _ in joins if item.doc is not None])},
				pluck="name",
			)
			if joins
			else ()
		)
		by_incident: dict[str, list] = {}
		for decision, item, at in joins:
			if item.doc is not None and item.doc.name in written:
				by_incident.setdefault(decision.incident, []).append((decision, item.doc, at))
		for name, rows in by_incident.items():
			join_all(name, rows)

	def refresh(self) -> None:
		"""After a mention went the exact way: it may have opened an incident."""
		self.open = open_incidents()


def moments(
	subject: Subject, start: datetime, end: datetime, *, upper_closed: bool = False
) -> list[datetime]:
	"""When the subject's stored negative mentions were posted in [start, end) (or [start, end])."""
	upper = "<=" if upper_closed else "<"
	return [
		row[1]
		for row in frappe.db.sql(
			f"select distinct m.name, m.posted_at {subject_sql(subject)}"
			f" and m.posted_at >= %(start)s and m.posted_at {upper} %(end)s",
			{**subject_values(subject), "start": naive(start), "end": naive(end)},
		)
	]


def page_members(subject: Subject, items) -> list:
	"""The page's `items` the subject's count will find once they are stored: a keyword's by
	their matched keywords, a handle's by the database's own LIKE over their texts (its
	collation decides what matches, and only the database knows it exactly)."""
	if subject.kind is SubjectKind.KEYWORD:
		return [item for item in items if subject.key in item.analysis.keyword_names]
	platform = subject.key.split(":", 1)[0]
	items = [item for item in items if item.mention.platform.value == platform]
	if not items:
		return []
	texts = " union all ".join(["select %s as n, %s as text"] * len(items))
	values = [part for n, item in enumerate(items) for part in (n, escape_once(item.mention.text))]
	matching = frappe.db.sql(
		f"select t.n from ({texts}) t where convert(t.text using utf8mb4) collate {text_collation()} like %s",
		[*values, subject_values(subject)["handle"]],
		pluck=True,
	)
	return [items[int(n)] for n in matching]


_text_collations: dict[str, str] = {}


def text_collation() -> str:
	"""The collation of the stored mention text, which decides what a handle's LIKE matches
	(read once per site and process: a schema change is a migration and a restart)."""
	site = frappe.local.site
	if site not in _text_collations:
		column = frappe.db.sql(
			"""select collation_name from information_schema.columns where table_schema = database()
			and table_name = 'tabSocial Mention' and column_name = 'text'"""
		)
		_text_collations[site] = column[0][0] if column and column[0][0] else "utf8mb4_unicode_ci"
	return _text_collations[site]


def join_all(name: str, rows) -> None:
	"""Adds mentions (`(decision, mention_doc, at)`, in their order) to the open incident: one
	row each, the subjects they add, the last spike among them and the incident's counters,
	without loading and saving the whole incident. During a spike every negative mention
	joins, and an incident of thousands of rows saved whole for each (a Version of it too)
	would make the job slower the bigger the spike; the incident row is locked first, as a
	save would."""
	incident = frappe.db.get_value(
		"Social Incident", name, ["subjects", "spike_count"], as_dict=True, for_update=True
	)
	subjects = parse_subjects(incident.subjects)
	values = {}
	spike_count = cint(incident.spike_count)
	for decision, _doc, at in rows:
		subjects |= set(decision.subjects)
		if decision.spiking:
			spike_count = max(spike_count, decision.count)
			values.update(last_spike_at=naive(at), spike_count=spike_count)
	if subject_lines(subjects) != (incident.subjects or ""):
		values["subjects"] = subject_lines(subjects)
	present = set(
		frappe.get_all(
			"Social Incident Mention",
			filters={
				"parent": name,
				"parenttype": "Social Incident",
				"social_mention": ("in", [doc.name for _, doc, _ in rows]),
			},
			pluck="social_mention",
		)
	)
	idx = (
		frappe.db.sql(
			"select max(idx) from `tabSocial Incident Mention` where parent = %s and parenttype = 'Social Incident'",
			name,
		)[0][0]
		or 0
	)
	new_rows = []
	for _decision, doc, _at in rows:
		if doc.name in present:
			continue
		present.add(doc.name)
		idx += 1
		row = frappe.get_doc(
			{
				"doctype": "Social Incident Mention",
				"name": frappe.generate_hash(length=10),
				"parent": name,
				"parenttype": "Social Incident",
				"parentfield": "mentions",
				"idx": idx,
				**mention_row(doc.name, doc),
			}
		)
		row.set("__islocal", True)
		row.set_user_and_timestamp()
		new_rows.append(row)
	insert_rows(new_rows)
	values["mention_count"], values["ticket_count"] = frappe.db.sql(
		"""select count(*), count(distinct nullif(social_ticket, '')) from `tabSocial Incident Mention`
		where parent = %s and parenttype = 'Social Incident'""",
		name,
	)[0]
	frappe.db.set_value("Social Incident", name, values)


def subject_count(subject: Subject, platform: str, at: datetime, settings: SpikeSettings) -> SubjectCount:
	"""Negative mentions of the subject in the window ending at `at`, and its baseline."""
	window_start = at - settings.window
	baseline = Baseline.from_hourly_counts(
		hourly_counts(subject, window_start - timedelta(days=settings.baseline_days), window_start),
		settings.baseline_days,
	)
	return SubjectCount(subject, window_count(subject, window_start, at), baseline)


def window_count(subject: Subject, start: datetime, end: datetime) -> int:
	"""The subject's stored negative mentions posted in (start, end]."""
	return int(
		frappe.db.sql(
			f"select count(distinct m.name) {subject_sql(subject)} and m.posted_at > %(start)s and m.posted_at <= %(end)s",
			{**subject_values(subject), "start": naive(start), "end": naive(end)},
		)[0][0]
	)


def hourly_counts(subject: Subject, start: datetime, end: datetime) -> dict[int, int]:
	"""The subject's stored negative mentions posted in [start, end), per hour of day."""
	rows = frappe.db.sql(
		f"""select extract(hour from m.posted_at) as hour, count(distinct m.name) as n {subject_sql(subject)}
		and m.posted_at >= %(start)s and m.posted_at < %(end)s group by extract(hour from m.posted_at)""",
		{**subject_values(subject), "start": naive(start), "end": naive(end)},
		as_dict=True,
	)
	return {int(row.hour): int(row.n) for row in rows}


def subject_sql(subject: Subject) -> str:
	"""FROM and WHERE of a subject's negative mentions (the caller adds the time range)."""
	if subject.kind is SubjectKind.KEYWORD:
		return """from `tabSocial Mention` m
			join `tabSocial Mention Keyword` k on k.parent = m.name and k.parenttype = 'Social Mention'
			where k.monitored_keyword = %(keyword)s and m.sentiment_label = 'Negative'"""
	return """from `tabSocial Mention` m
		where m.platform = %(platform)s and m.text like %(handle)s and m.sentiment_label = 'Negative'"""


def subject_values(subject: Subject) -> dict:
	if subject.kind is SubjectKind.KEYWORD:
		return {"keyword": subject.key}
	platform, handle = subject.key.split(":", 1)
	local_part = handle.split("@", 1)[0]
	escaped = local_part.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
	return {"platform": platform, "handle": f"%@{escaped}%"}


def subject_lines(subjects) -> str:
	return "\n".join(f"{subject.kind.value}: {subject.key}" for subject in sorted(subjects))


def parse_subjects(text: str | None) -> set[Subject]:
	subjects = set()
	for line in (text or "").splitlines():
		kind, _sep, key = line.partition(": ")
		if key and kind in {k.value for k in SubjectKind}:
			subjects.add(Subject.from_label(kind, key))
	return subjects


def open_incidents() -> list[OpenIncident]:
	rows = frappe.get_all(
		"Social Incident",
		filters={"status": "Open"},
		fields=["name", "subjects", "opened_at", "last_spike_at"],
		order_by="opened_at asc",
	)
	return [
		OpenIncident(
			name=row.name,
			subjects=frozenset(parse_subjects(row.subjects)),
			opened_at=local(row.opened_at),
			last_spike_at=local(row.last_spike_at or row.opened_at),
		)
		for row in rows
	]


def open_incident(decision: IncidentDecision, mention_doc, at: datetime, settings: SpikeSettings) -> str:
	"""A new Social Incident holding the window's negative mentions of its subjects."""
	minutes = int(settings.window.total_seconds() // 60)
	about = ", ".join(subject.key for subject in decision.subjects)
	incident = frappe.get_doc(
		{
			"doctype": "Social Incident",
			"title": _("{0}: {1} negative mentions in {2} minutes").format(about, decision.count, minutes)[
				:255
			],
			"status": "Open",
			"subjects": subject_lines(decision.subjects),
			"opened_at": naive(at),
			"last_spike_at": naive(at),
			"spike_count": decision.count,
			"expected_count": round(decision.expected, 2),
			"threshold": decision.threshold,
		}
	)
	names = window_mentions(decision.subjects, mention_doc.platform, at, settings)
	for name in dict.fromkeys([*names, mention_doc.name]):
		incident.append("mentions", mention_row(name, mention_doc))
	update_counts(incident)
	incident.insert(ignore_permissions=True)
	notify(incident)
	return incident.name


def join_incident(decision: IncidentDecision, mention_doc, at: datetime) -> str:
	"""Adds the mention to the open incident (`join_all` with one)."""
	join_all(decision.incident, [(decision, mention_doc, at)])
	return decision.incident


def window_mentions(subjects, platform: str, at: datetime, settings: SpikeSettings) -> list[str]:
	names = []
	for subject in subjects:
		names += frappe.db.sql(
			f"select distinct m.name {subject_sql(subject)} and m.posted_at > %(start)s and m.posted_at <= %(end)s"
			" order by m.posted_at",
			{**subject_values(subject), "start": naive(at - settings.window), "end": naive(at)},
			pluck=True,
		)
	return names


def mention_row(name: str, current=None) -> dict:
	if current is not None and current.name == name:
		values = current
	else:
		values = frappe.db.get_value(
			"Social Mention",
			name,
			["platform", "author_handle", "sentiment_label", "customer", "social_ticket"],
			as_dict=True,
		)
	return {
		"social_mention": name,
		"platform": values.platform,
		"author_handle": values.author_handle,
		"sentiment_label": values.sentiment_label,
		"customer": values.customer,
		"social_ticket": values.social_ticket,
	}


def update_counts(incident) -> None:
	incident.mention_count = len(incident.mentions)
	incident.ticket_count = len({row.social_ticket for row in incident.mentions if row.social_ticket})


def notify(incident) -> None:
	"""A Notification Log for every Social Media Manager (Frappe e-mails it too where the user's
	Notification Settings ask for it and an outgoing Email Account exists)."""
	from frappe.desk.doctype.notification_log.notification_log import enqueue_create_notification
	from frappe.utils.user import get_users_with_role

	users = sorted(set(get_users_with_role("Social Media Manager")))
	if not users:
		return
	enqueue_create_notification(
		users,
		{
			"type": "Alert",
			"document_type": "Social Incident",
			"document_name": incident.name,
			"subject": _("Spike of negative mentions: {0}").format(frappe.utils.escape_html(incident.title)),
			"email_content": _(
				"{0} negative mentions in the window, usually {1} at this hour. Open the incident to answer it once."
			).format(incident.spike_count, incident.expected_count),
			"from_user": "Administrator",
		},
	)


# --- tickets and recovery -------------------------------------------------------------------


def link_ticket(mention_doc, method=None) -> None:
	"""doc_events Social Mention.on_update: the ticket triage opened goes onto the incident row."""
	if not mention_doc.social_ticket:
		return
	row = frappe.db.get_value(
		"Social Incident Mention",
		{"social_mention": mention_doc.name, "parenttype": "Social Incident"},
		["name", "parent", "social_ticket"],
		as_dict=True,
	)
	if not row or row.social_ticket == mention_doc.social_ticket:
		return
	frappe.db.set_value("Social Incident Mention", row.name, "social_ticket", mention_doc.social_ticket)
	tickets = frappe.db.sql(
		"select count(distinct social_ticket) from `tabSocial Incident Mention` where parent = %s and parenttype = 'Social Incident' and ifnull(social_ticket, '') != ''",
		row.parent,
	)[0][0]
	frappe.db.set_value("Social Incident", row.parent, "ticket_count", tickets, update_modified=False)


def close_recovered() -> None:
	"""Scheduler: close the incidents whose subjects are back below the alert threshold."""
	settings = spike_settings()
	now = local(now_datetime())
	for incident in open_incidents():
		platform = frappe.db.get_value(
			"Social Incident Mention", {"parent": incident.name, "parenttype": "Social Incident"}, "platform"
		)
		counts = [subject_count(subject, platform, now, settings) for subject in incident.subjects]
		decision = assess_quiet(incident, counts, now=now, settings=settings)
		if decision.action is IncidentAction.CLOSE:
			doc = frappe.get_doc("Social Incident", incident.name)
			doc.status = "Closed"
			doc.closed_at = naive(now)
			# a row's ticket an agent deleted since must not keep the incident open for good
			# (and stop the incidents after it from closing): closing changes no row
			doc.flags.ignore_links = True
			doc.save(ignore_permissions=True)
		elif decision.spiking:
			frappe.db.set_value(
				"Social Incident", incident.name, "last_spike_at", naive(now), update_modified=False
			)
	frappe.db.commit()


# --- answering once -------------------------------------------------------------------------


def can_answer(user: str | None = None) -> bool:
	return bool(set(MANAGER_ROLES) & set(frappe.get_roles(user)))


def reply_targets(incident) -> dict[str, str]:
	"""Per platform that takes replies, the incident's most visible post (engagement, then the earliest)."""
	from social_crm.replies import reply_supported

	names = [row.social_mention for row in incident.mentions]
	if not names:
		return {}
	rows = frappe.get_all(
		"Social Mention",
		filters={"name": ("in", names)},
		fields=["name", "platform", "likes", "replies", "reposts", "posted_at"],
	)
	best: dict[str, tuple] = {}
	for row in rows:
		if not reply_supported(row.platform):
			continue
		key = (-(cint(row.likes) + cint(row.replies) + cint(row.reposts)), row.posted_at, row.name)
		if row.platform not in best or key < best[row.platform]:
			best[row.platform] = key
	return {platform: key[2] for platform, key in sorted(best.items())}


@frappe.whitelist(methods=["POST"])
def answer_incident(name: str, text: str | None = None) -> list[dict]:
	"""Posts the status reply once per platform; a platform already answered is skipped, a
	failed one is retried with the same idempotency key."""
	if not can_answer():
		frappe.throw(_("Only a Social Media Manager can answer an incident."), frappe.PermissionError)
	frappe.db.get_value("Social Incident", name, "name", for_update=True)
	incident = frappe.get_doc("Social Incident", name)
	incident.check_permission("write")
	text = (text if text is not None else incident.status_reply or "").strip()
	if not text:
		frappe.throw(_("Write the status reply first."), title=_("No Reply Text"))
	if text != (incident.status_reply or "").strip():
		if any(row.reply_status == "Sent" for row in incident.replies):
			frappe.throw(
				_("The status reply was already posted; it cannot be changed."), title=_("Already Answered")
			)
		incident.status_reply = text
	targets = reply_targets(incident)
	if not targets:
		frappe.throw(_("None of the incident's platforms takes replies."), title=_("Reply Not Possible"))
	for platform, mention_name in targets.items():
		row = next((r for r in incident.replies if r.platform == platform), None)
		if row and row.reply_status == "Sent":
			continue
		if row is None:
			row = incident.append(
				"replies", {"platform": platform, "idempotency_key": f"{name}-{uuid.uuid4().hex}"}
			)
		post_status_reply(row, mention_name, text)
	incident.save(ignore_permissions=True)
	comment_on_tickets(incident)
	return [
		{
			"platform": row.platform,
			"reply_status": row.reply_status,
			"reply_url": row.reply_url,
			"reply_error": row.reply_error,
		}
		for row in incident.replies
	]


def post_status_reply(row, mention_name: str, text: str) -> None:
	from social_crm.tickets import safe_url

	target = frappe.get_doc("Social Mention", mention_name)
	row.social_mention = mention_name
	account = target.social_account or single_account(row.platform)
	if not account:
		row.reply_status, row.reply_error = (
			"Failed",
			_("No Social Account on {0} to reply with.").format(_(row.platform)),
		)
		return
	try:
		result = connector_for(frappe.get_doc("Social Account", account)).reply(
			engine_mention(target), text, row.idempotency_key
		)
	except ConnectorError as error:
		row.reply_status = "Failed"
		row.reply_error = _("The reply could not be posted on {0}: {1}").format(_(row.platform), str(error))
		return
	row.reply_status, row.reply_error = "Sent", ""
	row.reply_url = safe_url(result.url)
	row.sent_at = now_datetime()


def single_account(platform: str) -> str | None:
	accounts = frappe.get_all("Social Account", {"platform": platform, "enabled": 1}, pluck="name")
	return accounts[0] if len(accounts) == 1 else None


def comment_on_tickets(incident) -> None:
	"""Each affected ticket keeps its thread; it only learns where the public answer is."""
	sent = [row for row in incident.replies if row.reply_status == "Sent"]
	if not sent:
		return
	links = ", ".join(row.reply_url or row.platform for row in sent)
	for ticket in sorted({row.social_ticket for row in incident.mentions if row.social_ticket}):
		marker = f"[{incident.name}]"
		if frappe.db.exists(
			"Comment",
			{
				"reference_doctype": "Social Ticket",
				"reference_name": ticket,
				"content": ("like", f"%{marker}%"),
			},
		):
			continue
		frappe.get_doc("Social Ticket", ticket).add_comment(
			"Info",
			_("{0} The incident was answered publicly: {1}").format(marker, frappe.utils.escape_html(links)),
		)
