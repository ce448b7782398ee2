"""What the desk shows about social activity: the Customer/Contact panel, the ticket's person
card and the workspace's number cards.

Every method returns only what the user may read: the record asked about is checked with
`frappe.has_permission`, and every list is read with `frappe.get_list`, which applies the
user's roles and User Permissions (a user restricted to some Customers sees only their
profiles, mentions and tickets). Values are returned raw; the desk escapes them when it renders
(public/js/social_panel.js), and URLs are only passed on when they are http(s).
"""

import statistics

import frappe
from frappe import _
from frappe.utils import add_days, cint, get_datetime, getdate, now_datetime, nowdate

from social_crm.tickets import OPEN_STATUSES, safe_url

RECENT_MENTIONS = 10
TREND_DAYS = 90
PROFILE_FIELDS = [
	"name",
	"platform",
	"handle",
	"display_name",
	"profile_url",
	"avatar_url",
	"followers",
	"verified",
	"customer",
	"contact",
	"mention_count",
	"average_sentiment",
	"last_mention_at",
]
MENTION_FIELDS = [
	"name",
	"platform",
	"author_handle",
	"text",
	"url",
	"posted_at",
	"sentiment_label",
	"sentiment_score",
	"social_ticket",
]
TICKET_FIELDS = ["name", "subject", "status", "priority", "platform", "creation", "issue"]
PANEL_DOCTYPES = ("Customer", "Contact")
SNIPPET = 280


@frappe.whitelist()
def social_activity(doctype: str, name: str) -> dict:
	"""The social panel of a Customer or Contact form: people (profiles grouped by person),
	latest mentions, open tickets and the sentiment trend of the last 90 days."""
	if doctype not in PANEL_DOCTYPES:
		frappe.throw(_("Social activity is shown for Customers and Contacts only."))
	frappe.has_permission(doctype, "read", doc=name, throw=True)
	link = "customer" if doctype == "Customer" else "contact"
	profiles = readable("Social Profile", {link: name}, PROFILE_FIELDS, order_by="followers desc")
	profile_names = [p.name for p in profiles]
	if doctype == "Customer":
		mention_filters = {"customer": name}
		ticket_filters = {"customer": name, "status": ("in", OPEN_STATUSES)}
	else:
		mention_filters = {"social_profile": ("in", profile_names or [""])}
		ticket_filters = {"social_profile": ("in", profile_names or [""]), "status": ("in", OPEN_STATUSES)}
	mentions = readable(
		"Social Mention", mention_filters, MENTION_FIELDS, order_by="posted_at desc", limit=RECENT_MENTIONS
	)
	return {
		"people": people(profiles),
		"mentions": [mention_card(m) for m in mentions],
		"tickets": readable(
			"Social Ticket", ticket_filters, TICKET_FIELDS, order_by="creation desc", limit=20
		),
		"trend": sentiment_trend(mention_filters),
		"can_add_profile": frappe.has_permission("Social Profile", "create"),
	}


@frappe.whitelist()
def ticket_person(ticket: str) -> dict:
	"""The person behind a Social Ticket: every profile linked to the same Contact (or, without
	one, the same Customer) as the ticket's profile, shown as one card."""
	doc = frappe.get_doc("Social Ticket", ticket)
	doc.check_permission("read")
	if not doc.social_profile:
		return {"people": []}
	profile = readable("Social Profile", {"name": doc.social_profile}, PROFILE_FIELDS)
	if not profile:
		return {"people": []}
	profile = profile[0]
	if profile.contact:
		profiles = readable("Social Profile", {"contact": profile.contact}, PROFILE_FIELDS)
	elif profile.customer:
		profiles = readable(
			"Social Profile", {"customer": profile.customer, "contact": ("is", "not set")}, PROFILE_FIELDS
		)
	else:
		profiles = [profile]
	return {"people": people(profiles)}


@frappe.whitelist()
def item_mentions(item: str, days: int = TREND_DAYS) -> dict:
	"""Product feedback on the Item form: the Item's keywords and their mentions of the last days."""
	frappe.has_permission("Item", "read", doc=item, throw=True)
	keywords = readable("Monitored Keyword", {"item": item}, ["name"])
	names = [k.name for k in keywords]
	if not names:
		return {"keywords": [], "mentions": 0, "negative": 0}
	filters = [
		["Social Mention Keyword", "monitored_keyword", "in", names],
		["Social Mention", "posted_at", ">=", add_days(nowdate(), -cint(days))],
	]
	rows = readable("Social Mention", filters, ["name", "sentiment_label"])
	unique = {row.name: row.sentiment_label for row in rows}
	return {
		"keywords": names,
		"mentions": len(unique),
		"negative": sum(1 for label in unique.values() if label == "Negative"),
	}


def readable(doctype: str, filters, fields, order_by: str | None = None, limit: int = 0) -> list:
	"""Rows the current user may read (roles and User Permissions), via frappe.get_list."""
	return frappe.get_list(
		doctype, filters=filters, fields=fields, order_by=order_by, limit_page_length=limit
	)


def people(profiles: list) -> list[dict]:
	"""Profiles of one person together: same Contact, else same Customer, else the profile alone."""
	groups: dict[tuple, dict] = {}
	for profile in profiles:
		if profile.contact:
			key = ("Contact", profile.contact)
		elif profile.customer:
			key = ("Customer", profile.customer)
		else:
			key = ("Social Profile", profile.name)
		person = groups.setdefault(
			key, {"link_doctype": key[0], "link_name": key[1], "name": "", "followers": 0, "profiles": []}
		)
		person["profiles"].append(profile_card(profile))
		person["followers"] += profile.followers or 0
		person["name"] = person["name"] or profile.display_name or profile.handle
	for (link_doctype, link_name), person in groups.items():
		if link_doctype == "Contact":
			person["name"] = frappe.db.get_value("Contact", link_name, "full_name") or person["name"]
	return sorted(groups.values(), key=lambda p: (-p["followers"], p["name"] or ""))


def profile_card(profile) -> dict:
	return {
		"name": profile.name,
		"platform": profile.platform,
		"handle": profile.handle,
		"display_name": profile.display_name,
		"followers": profile.followers,
		"verified": profile.verified,
		"url": safe_url(profile.profile_url),
		"mention_count": profile.mention_count,
		"average_sentiment": profile.average_sentiment,
	}


def mention_card(mention) -> dict:
	from social_crm.stored_mention import stored_text

	text = " ".join(stored_text(mention.text).split())
	return {
		"name": mention.name,
		"platform": mention.platform,
		"author_handle": mention.author_handle,
		"snippet": text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…",
		"url": safe_url(mention.url),
		"posted_at": mention.posted_at,
		"sentiment_label": mention.sentiment_label,
		"sentiment_score": mention.sentiment_score,
		"social_ticket": mention.social_ticket,
	}


def sentiment_trend(filters: dict, days: int = TREND_DAYS) -> dict:
	"""Weekly average sentiment and counts over the last `days` (13 points: a small chart that
	a single post does not make jump)."""
	start = getdate(add_days(nowdate(), -days + 1))
	rows = readable(
		"Social Mention",
		{**filters, "posted_at": (">=", start)},
		["posted_at", "sentiment_score", "sentiment_label"],
		limit=20_000,
	)
	weeks = [add_days(start, 7 * i) for i in range((days + 6) // 7)]
	buckets = [{"scores": [], "negative": 0} for _ in weeks]
	for row in rows:
		index = min((getdate(row.posted_at) - start).days // 7, len(weeks) - 1)
		if index < 0:
			continue
		buckets[index]["scores"].append(row.sentiment_score or 0.0)
		buckets[index]["negative"] += row.sentiment_label == "Negative"
	return {
		"labels": [str(week) for week in weeks],
		"average": [round(statistics.fmean(b["scores"]), 3) if b["scores"] else None for b in buckets],
		"mentions": [len(b["scores"]) for b in buckets],
		"negative": [b["negative"] for b in buckets],
	}


# --- number cards (type Custom; the widget calls them with the card's filters) -----------------


@frappe.whitelist()
def negative_share_this_week(filters=None) -> dict:
	"""Negative mentions among this week's (Monday on) mentions, in percent."""
	start = week_start()
	total = count("Social Mention", {"posted_at": (">=", start)})
	negative = count("Social Mention", {"posted_at": (">=", start), "sentiment_label": "Negative"})
	return {
		"value": round(100.0 * negative / total, 1) if total else 0,
		"fieldtype": "Percent",
		"route": ["List", "Social Mention"],
		"route_options": {"sentiment_label": "Negative", "posted_at": [">=", str(start)]},
	}


@frappe.whitelist()
def median_first_reply(filters=None) -> dict:
	"""Median time from a ticket's opening to its first reply, over tickets opened in the last 30 days."""
	rows = ticket_times({"creation": (">=", add_days(now_datetime(), -30))})
	seconds = [row["first_reply"] for row in rows if row["first_reply"] is not None]
	return {
		"value": round(statistics.median(seconds)) if seconds else 0,
		"fieldtype": "Duration",
		"route": ["query-report", "Social Ticket Response Times"],
	}


def ticket_times(filters: dict) -> list[dict]:
	"""Per readable Social Ticket: platform, agent, first reply and resolution (wall-clock seconds
	from the ticket's opening) and whether its Issue's SLA was met.

	First reply is the Issue's `first_responded_on` (ERPNext sets it when a reply is recorded as
	a sent Communication, as replies.record_reply does), else the ticket's own `replied_at`;
	resolution is the Issue's SLA resolution date. The SLA columns are None where the Issue has
	no Service Level Agreement.
	"""
	tickets = readable(
		"Social Ticket",
		filters,
		["name", "platform", "status", "creation", "replied_at", "issue", "customer", "_assign"],
		order_by="creation asc",
	)
	issue_names = [t.issue for t in tickets if t.issue]
	issues = {
		issue.name: issue
		for issue in readable(
			"Issue",
			{"name": ("in", issue_names or [""])},
			[
				"name",
				"first_responded_on",
				"response_by",
				"sla_resolution_by",
				"sla_resolution_date",
				"_assign",
			],
		)
	}
	rows = []
	for ticket in tickets:
		issue = issues.get(ticket.issue) or frappe._dict()
		opened = get_datetime(ticket.creation)
		first = issue.first_responded_on or ticket.replied_at
		resolved = issue.sla_resolution_date
		rows.append(
			{
				"ticket": ticket.name,
				"platform": ticket.platform,
				"status": ticket.status,
				"customer": ticket.customer,
				"agent": first_assignee(issue._assign or ticket._assign),
				"opened": opened,
				"first_reply": seconds_between(opened, first),
				"resolution": seconds_between(opened, resolved),
				"reply_in_sla": within(first, issue.response_by),
				"resolution_in_sla": within(resolved, issue.sla_resolution_by),
			}
		)
	return rows


def first_assignee(assign: str | None) -> str | None:
	try:
		users = frappe.parse_json(assign) if assign else []
	except ValueError:
		return None
	return users[0] if users else None


def seconds_between(start, end) -> float | None:
	if not end:
		return None
	delta = (get_datetime(end) - start).total_seconds()
	return delta if delta >= 0 else None


def within(moment, deadline) -> bool | None:
	"""Whether a moment met its SLA deadline; None without a deadline, False while overdue and undone."""
	if not deadline:
		return None
	if not moment:
		return False if get_datetime(deadline) < now_datetime() else None
	return get_datetime(moment) <= get_datetime(deadline)


def count(doctype: str, filters: dict) -> int:
	rows = frappe.get_list(doctype, filters=filters, fields=["count(name) as n"])
	return int(rows[0].n) if rows else 0


def week_start():
	today = getdate(nowdate())
	return add_days(today, -today.weekday())
