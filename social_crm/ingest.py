"""The shell's pipeline: fetch an account, store what the engine decides, then move its cursor.

Order matters for "a crash loses nothing and duplicates nothing": mentions (with profiles and
tickets) are committed first, the account's new cursor only afterwards. A crash in between
re-fetches the same posts next time, and the unique key (platform, external id) turns them
into counted duplicates. A mention that still fails to store (the engine has already capped
what is too long) is skipped and named in the Fetch Log: it never holds the cursor back, or
the same pages would be fetched forever.

Everything a platform says (error texts, cursors) is escaped before the desk can show it,
and an unexpected error is logged without the frames' locals, which hold credentials.
"""

import json
import time
import traceback
from dataclasses import replace

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
from social_crm.engine.connectors.base import ConnectorError, RateLimited
from social_crm.engine.keywords import KeywordSpec, QuerySyntaxError, parse
from social_crm.engine.mention import Mention
from social_crm.engine.pipeline import Analysis, Pipeline
from social_crm.engine.sentiment import Analyzer
from social_crm.engine.sentiment.model import BadModel, SiteModel
from social_crm.engine.triage import TriageSettings
from social_crm.escaping import error_text, escape_once, safe_json
from social_crm.profiles import profile_for, record_mention
from social_crm.stored_mention import (
	ENGINE_LABELS,
	SENTIMENT_LABELS,
	engine_mention,
	is_stored,
	mention_values,
	to_system_time,
	to_utc,
)

ANALYZERS = {"Default": "default", "VADER": "vader", "TextBlob": "textblob"}


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
	"""Stores the new ones among `mentions`; each in its own savepoint so one bad post
	does not undo the others."""
	counts = {"new": 0, "duplicates": 0, "dropped": 0, "failed": []}
	own = own_account(account, [mention.external_id for mention in mentions])
	for mention in mentions:
		if is_stored(mention):
			counts["duplicates"] += 1
			continue
		frappe.db.savepoint("social_mention")
		try:
			analysis = pipeline.analyse(mention, account.own_handle or "")
			if not pipeline.keeps(mention, analysis, searched=searched, own=own):
				counts["dropped"] += 1
				continue
			insert_mention(mention, analysis, pipeline, account)
			counts["new"] += 1
		except frappe.UniqueValidationError:
			frappe.db.rollback(save_point="social_mention")
			counts["duplicates"] += 1
		except Exception:
			frappe.db.rollback(save_point="social_mention")
			frappe.log_error(
				title=_("Social CRM: could not store a {0} mention").format(mention.platform.value),
				message=traceback.format_exc(),  # without the frames' locals
			)
			counts["failed"].append(mention.external_id)
	return counts


def insert_mention(mention: Mention, analysis: Analysis, pipeline: Pipeline, account=None):
	"""A new Social Mention with its analysis, profile and triage decision."""
	profile = profile_for(mention, account)
	doc = frappe.get_doc(
		{
			"doctype": "Social Mention",
			"social_account": account.name if account else None,
			"fetched_at": now_datetime(),
			"social_profile": profile.name,
			"customer": profile.customer,
			"author_email": profile.email,
			**mention_values(mention),
			**analysis_values(analysis),
		}
	)
	doc.insert(ignore_permissions=True)
	record_mention(profile, analysis.sentiment.score, mention.posted_at)
	decide_and_apply(doc, mention, analysis, pipeline)
	return doc


def decide_and_apply(doc, mention: Mention, analysis: Analysis, pipeline: Pipeline) -> None:
	"""Triage against the open tickets in the database, then the ticket, Issue or flag it decided."""
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
