"""The whitelisted methods behind the Social Inbox page (social_crm/social_crm/page/social_inbox).

Each returns exactly what the user may read: lists come from `frappe.get_list` (role
permissions, user permissions, sharing), single conversations are checked with
`frappe.has_permission` before anything is read, and actions go through the same
permission-checked functions as the forms (api.py, replies.py, corrections.py). Guests get
nothing (no method allows guests).

A conversation is either a Social Ticket with its thread, or a Social Mention without a ticket
that needs an agent's decision (triage suggested a ticket, or found purchase intent). Text from
the platforms is escaped here, once, with frappe.utils.escape_html, and only http(s) URLs
become links; the page escapes every other value it shows.

Live updates: `publish_conversation` tells open inbox pages (after the commit) which
conversation changed; each page asks `conversation_item` for it, so nobody learns more than
its own permissions allow. `viewing` tells the other readers of a conversation who is looking
at it (the collision warning), in the document's realtime room, which only users who may read
the document can join.
"""

import json
import re

import frappe
from frappe import _
from frappe.realtime import get_doc_room, get_site_room
from frappe.utils import cint, escape_html, get_fullname, now_datetime

from social_crm import api, reasons, replies
from social_crm.stored_mention import stored_text

FILTER_KEYS = ("keyword", "platform", "sentiment", "status", "assigned", "customer", "language", "sort")
DEFAULT_FILTERS = {"status": "open", "sort": "newest"}
STATUS_CHOICES = ("open", "New", "Replied", "Resolved", "Closed", "Ignored", "all")
PRIORITY_RANK = {"Urgent": 3, "High": 2, "Medium": 1, "Low": 0}
WINDOW = 500  # rows read per kind before merging; the stream shows the newest/most urgent of them
PAGE_LENGTH = 20
USER_DEFAULT = "social_inbox_filters"
UPDATE_EVENT = "social_inbox_update"
VIEWING_EVENT = "social_inbox_viewing"
DOCTYPES = ("Social Ticket", "Social Mention")
URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
MENTION_FIELDS = [
	"name",
	"platform",
	"status",
	"text",
	"url",
	"author_handle",
	"author_name",
	"social_profile",
	"customer",
	"sentiment_label",
	"sentiment_score",
	"language",
	"triage_action",
	"triage_priority",
	"triage_reason",
	"triage_reasons",
	"opportunity",
	"lead",
	"sales_opportunity",
	"social_ticket",
	"likes",
	"replies",
	"reposts",
	"posted_at",
	"modified",
	"_assign",
]
TICKET_FIELDS = [
	"name",
	"subject",
	"status",
	"priority",
	"platform",
	"customer",
	"social_profile",
	"social_mention",
	"issue",
	"triage_reason",
	"triage_reasons",
	"reply_status",
	"reply_text",
	"reply_author",
	"replied_at",
	"reply_url",
	"creation",
	"modified",
	"_assign",
]


# --- rendering untrusted text ------------------------------------------------------------------


def post_html(text: str | None) -> str:
	"""A platform's post as HTML: everything escaped, http(s) URLs as links, line breaks kept."""
	text = stored_text(text)
	out, last = [], 0
	for match in URL.finditer(text):
		out.append(escape_html(text[last : match.start()]))
		url = match.group(0).rstrip(".,;:!?)")
		href = escape_html(url)
		out.append(f'<a href="{href}" target="_blank" rel="noopener noreferrer nofollow">{href}</a>')
		out.append(escape_html(match.group(0)[len(url) :]))
		last = match.end()
	out.append(escape_html(text[last:]))
	return "".join(out).replace("\n", "<br>")


def safe_url(url: str | None) -> str:
	return replies.safe_url(url)


# --- filters ------------------------------------------------------------------------------------


def clean_filters(filters) -> dict:
	"""Only the known keys, as plain strings; the status and sort from their choices."""
	if isinstance(filters, str):
		filters = frappe.parse_json(filters) if filters else {}
	filters = {
		key: str(value).strip() for key, value in (filters or {}).items() if key in FILTER_KEYS and value
	}
	result = dict(DEFAULT_FILTERS, **filters)
	if result["status"] not in STATUS_CHOICES:
		result["status"] = "open"
	if result["sort"] not in ("newest", "urgent"):
		result["sort"] = "newest"
	if result.get("assigned") not in (None, "me", "unassigned"):
		result.pop("assigned")
	return result


@frappe.whitelist()
def get_filters() -> dict:
	"""The user's saved inbox filters (per user, in their defaults)."""
	saved = frappe.defaults.get_user_default(USER_DEFAULT)
	try:
		return clean_filters(json.loads(saved) if saved else {})
	except ValueError:
		return clean_filters({})


@frappe.whitelist(methods=["POST"])
def save_filters(filters) -> dict:
	filters = clean_filters(filters)
	frappe.defaults.set_user_default(USER_DEFAULT, json.dumps(filters))
	return filters


# --- the stream -------------------------------------------------------------------------------


@frappe.whitelist()
def conversations(filters=None, start: int = 0, page_length: int = PAGE_LENGTH) -> dict:
	"""One page of the stream: tickets and mentions needing a decision the user may read."""
	filters = clean_filters(filters)
	start, page_length = max(cint(start), 0), min(max(cint(page_length), 1), 100)
	tickets, mentions = [], []
	if frappe.has_permission("Social Ticket", "read") and filters["status"] not in ("New", "Ignored"):
		tickets = ticket_rows(filters)
	if frappe.has_permission("Social Mention", "read") and filters["status"] in (
		"open",
		"New",
		"Ignored",
		"all",
	):
		mentions = mention_rows(filters)
	# sorted by what the rows hold, and only the page's rows made into items (up to a WINDOW of
	# each kind is read; making all of them into items took most of the time at 50,000 mentions)
	slas = issue_slas(row.issue for row in tickets) if filters["sort"] == "urgent" else {}
	entries = [
		(row, {"priority": row.priority, "sla": slas.get(row.issue, {}), "activity_at": ticket_activity(row)})
		for row in tickets
	] + [(row, {"priority": row.triage_priority, "activity_at": mention_activity(row)}) for row in mentions]
	key = sort_key(filters["sort"])
	entries.sort(key=lambda entry: key(entry[1]))
	page = {id(row) for row, _keys in entries[start : start + page_length]}
	items = ticket_items([row for row in tickets if id(row) in page]) + mention_items(
		[row for row in mentions if id(row) in page]
	)
	items.sort(key=key)
	return {"items": items, "total": len(entries), "filters": filters}


def ticket_activity(row) -> str:
	return str(max(filter(None, (row.modified, row.replied_at))))


def mention_activity(row) -> str:
	return str(row.posted_at or row.modified)


def sort_key(sort: str):
	if sort == "urgent":
		return lambda item: (
			-PRIORITY_RANK.get(item.get("priority") or "", -1),
			item.get("sla", {}).get("due") or "9999",
			-ts(item.get("activity_at")),
		)
	return lambda item: -ts(item.get("activity_at"))


def ts(value) -> float:
	return frappe.utils.get_datetime(value).timestamp() if value else 0.0


def assigned_condition(filters: dict, doctype: str) -> list:
	if filters.get("assigned") == "me":
		return [[doctype, "_assign", "like", f'%"{frappe.session.user}"%']]
	if filters.get("assigned") == "unassigned":
		# _assign is a JSON list of users: empty, "[]" or NULL (Frappe compares NULL as "" here)
		return [[doctype, "_assign", "not like", '%"%']]
	return []


def ticket_rows(filters: dict) -> list[dict]:
	conditions = [["Social Ticket", "status", "in", ("Open", "Replied")]]
	if filters["status"] in ("Replied", "Resolved", "Closed"):
		conditions = [["Social Ticket", "status", "=", filters["status"]]]
	elif filters["status"] == "all":
		conditions = []
	for key in ("platform", "customer"):
		if filters.get(key):
			conditions.append(["Social Ticket", key, "=", filters[key]])
	conditions += assigned_condition(filters, "Social Ticket")
	mention_filters = mention_conditions(filters, tickets_only=True)
	if len(mention_filters) > 1 or filters.get("keyword"):
		# sentiment, language and keyword are the thread's: tickets whose readable mentions match
		names = set(
			frappe.get_list(
				"Social Mention", filters=mention_filters, pluck="social_ticket", limit_page_length=WINDOW
			)
		)
		or_keyword = filters.get("keyword")
		if or_keyword and not (filters.get("sentiment") or filters.get("language")):
			# the keyword may also be in the subject (an agent's wording); sentiment and
			# language are the thread's only, so with those set the thread decides
			names |= set(
				frappe.get_list(
					"Social Ticket",
					filters=[*conditions, ["Social Ticket", "subject", "like", f"%{or_keyword}%"]],
					pluck="name",
					limit_page_length=WINDOW,
				)
			)
		if not names:
			return []
		conditions.append(["Social Ticket", "name", "in", sorted(names)])
	return frappe.get_list(
		"Social Ticket",
		filters=conditions,
		fields=TICKET_FIELDS,
		order_by="modified desc",
		limit_page_length=WINDOW,
	)


def mention_conditions(filters: dict, *, tickets_only: bool = False) -> list:
	conditions = [["Social Mention", "social_ticket", "is", "set" if tickets_only else "not set"]]
	if filters.get("sentiment"):
		conditions.append(["Social Mention", "sentiment_label", "=", filters["sentiment"]])
	if filters.get("language"):
		conditions.append(["Social Mention", "language", "=", filters["language"]])
	if filters.get("keyword") and tickets_only:
		conditions.append(["Social Mention", "text", "like", f"%{filters['keyword']}%"])
	return conditions


def mention_rows(filters: dict) -> list[dict]:
	conditions = mention_conditions(filters)
	or_conditions = None
	if filters["status"] == "open":
		conditions.append(["Social Mention", "status", "=", "New"])
		or_conditions = [
			["Social Mention", "triage_action", "=", "Suggest"],
			["Social Mention", "opportunity", "=", 1],
		]
	elif filters["status"] in ("New", "Ignored"):
		conditions.append(["Social Mention", "status", "=", filters["status"]])
	for key in ("platform", "customer"):
		if filters.get(key):
			conditions.append(["Social Mention", key, "=", filters[key]])
	if filters.get("keyword"):
		conditions.append(["Social Mention", "text", "like", f"%{filters['keyword']}%"])
	conditions += assigned_condition(filters, "Social Mention")
	return frappe.get_list(
		"Social Mention",
		filters=conditions,
		or_filters=or_conditions,
		fields=MENTION_FIELDS,
		order_by="posted_at desc",
		limit_page_length=WINDOW,
	)


# --- items --------------------------------------------------------------------------------------


def readable_mentions(names) -> dict[str, dict]:
	names = [name for name in set(names) if name]
	if not names:
		return {}
	rows = frappe.get_list(
		"Social Mention", filters={"name": ("in", names)}, fields=MENTION_FIELDS, limit_page_length=0
	)
	return {row.name: row for row in rows}


def profiles(names) -> dict[str, dict]:
	names = [name for name in set(names) if name]
	if not names or not frappe.has_permission("Social Profile", "read"):
		return {}
	rows = frappe.get_list(
		"Social Profile",
		filters={"name": ("in", names)},
		fields=["name", "avatar_url", "display_name", "followers", "profile_url"],
		limit_page_length=0,
	)
	return {row.name: row for row in rows}


def customer_names(names) -> dict[str, str]:
	names = [name for name in set(names) if name]
	if not names or not frappe.has_permission("Customer", "read"):
		return {}
	rows = frappe.get_list(
		"Customer", filters={"name": ("in", names)}, fields=["name", "customer_name"], limit_page_length=0
	)
	return {row.name: row.customer_name or row.name for row in rows}


def issue_slas(names) -> dict[str, dict]:
	names = [name for name in set(names) if name]
	if not names or not frappe.has_permission("Issue", "read"):
		return {}
	rows = frappe.get_list(
		"Issue",
		filters={"name": ("in", names)},
		fields=["name", "response_by", "resolution_by", "agreement_status", "first_responded_on", "status"],
		limit_page_length=0,
	)
	result = {}
	for row in rows:
		due = row.resolution_by if row.first_responded_on else (row.response_by or row.resolution_by)
		result[row.name] = {
			"due": str(due) if due else None,
			"kind": "resolution" if row.first_responded_on else "response",
			"agreement_status": row.agreement_status or "",
			"overdue": bool(due and frappe.utils.get_datetime(due) < now_datetime()),
		}
	return result


def mention_view(row, profile: dict | None, customer_name: str | None) -> dict:
	return {
		"name": row.name,
		"platform": row.platform,
		"status": row.status,
		"text_html": post_html(row.text),
		"url": safe_url(row.url),
		"author_name": row.author_name or "",
		"author_handle": row.author_handle or "",
		"avatar_url": safe_url((profile or {}).get("avatar_url")),
		"profile_url": safe_url((profile or {}).get("profile_url")),
		"followers": (profile or {}).get("followers"),
		"customer": row.customer,
		"customer_name": customer_name or row.customer or "",
		"sentiment_label": row.sentiment_label or "",
		"sentiment_score": row.sentiment_score,
		"language": row.language or "",
		"engagement": {"likes": row.likes or 0, "replies": row.replies or 0, "reposts": row.reposts or 0},
		"posted_at": str(row.posted_at) if row.posted_at else None,
		"opportunity": bool(row.opportunity),
		"lead": row.lead,
		"sales_opportunity": row.sales_opportunity,
	}


def ticket_items(rows) -> list[dict]:
	mentions = readable_mentions(row.social_mention for row in rows)
	profile_map = profiles(
		[row.social_profile for row in rows] + [m.social_profile for m in mentions.values()]
	)
	customers = customer_names([row.customer for row in rows])
	slas = issue_slas(row.issue for row in rows)
	items = []
	for row in rows:
		opening = mentions.get(row.social_mention)
		item = {
			"doctype": "Social Ticket",
			"name": row.name,
			"kind": "ticket",
			"subject": row.subject,
			"status": row.status,
			"priority": row.priority,
			"platform": row.platform,
			"customer": row.customer,
			"customer_name": customers.get(row.customer) or row.customer or "",
			"issue": row.issue,
			"reason": reasons.render(row.triage_reasons) or row.triage_reason or "",
			"reply_status": row.reply_status or "",
			"reply_supported": replies.reply_supported(row.platform),
			"assigned": assignees(row._assign),
			"sla": slas.get(row.issue, {}),
			"activity_at": ticket_activity(row),
			"opened_at": str(row.creation),
			"mention": mention_view(
				opening, profile_map.get(opening.social_profile), customers.get(row.customer)
			)
			if opening
			else None,
		}
		items.append(item)
	return items


def mention_items(rows) -> list[dict]:
	profile_map = profiles(row.social_profile for row in rows)
	customers = customer_names(row.customer for row in rows)
	items = []
	for row in rows:
		view = mention_view(row, profile_map.get(row.social_profile), customers.get(row.customer))
		items.append(
			{
				"doctype": "Social Mention",
				"name": row.name,
				"kind": "mention",
				"subject": view["text_html"],
				"status": row.status,
				"priority": row.triage_priority,
				"platform": row.platform,
				"customer": row.customer,
				"customer_name": view["customer_name"],
				"reason": reasons.render(row.triage_reasons) or row.triage_reason or "",
				"triage_action": row.triage_action or "",
				"assigned": assignees(row._assign),
				"sla": {},
				"activity_at": mention_activity(row),
				"mention": view,
			}
		)
	return items


def assignees(value) -> list[dict]:
	try:
		users = json.loads(value) if value else []
	except ValueError:
		users = []
	return [{"user": user, "full_name": get_fullname(user)} for user in users if user]


# --- one conversation -------------------------------------------------------------------------


def check_readable(doctype: str, name: str) -> None:
	if doctype not in DOCTYPES:
		frappe.throw(
			_("The Social Inbox shows Social Tickets and Social Mentions only."), frappe.PermissionError
		)
	if not name or not frappe.db.exists(doctype, name) or not frappe.has_permission(doctype, "read", name):
		frappe.throw(_("You cannot open this conversation."), frappe.PermissionError)


@frappe.whitelist()
def conversation_item(doctype: str, name: str) -> dict | None:
	"""One stream item (for live updates); None when the user may not read it (any more)."""
	if doctype not in DOCTYPES or not frappe.db.exists(doctype, name):
		return None
	if not frappe.has_permission(doctype, "read", name):
		return None
	if doctype == "Social Ticket":
		rows = frappe.get_list("Social Ticket", filters={"name": name}, fields=TICKET_FIELDS)
		items = ticket_items(rows)
	else:
		rows = frappe.get_list("Social Mention", filters={"name": name}, fields=MENTION_FIELDS)
		items = mention_items(rows)
	return items[0] if items else None


@frappe.whitelist()
def conversation(doctype: str, name: str) -> dict:
	"""A conversation with its whole thread (oldest first), our sent replies included, and
	what the user may do with it."""
	check_readable(doctype, name)
	item = conversation_item(doctype, name)
	doc = frappe.get_doc(doctype, name)
	if doctype == "Social Ticket":
		names = [row.social_mention for row in doc.mentions]
		mentions = readable_mentions(names)
		profile_map = profiles(m.social_profile for m in mentions.values())
		thread = [
			dict(
				mention_view(mentions[n], profile_map.get(mentions[n].social_profile), None),
				direction="received",
			)
			for n in names
			if n in mentions
		]
		thread += sent_replies(doc)
		thread.sort(key=lambda entry: entry.get("posted_at") or "")
		opening = doc.social_mention
	else:
		thread = [dict(item["mention"], direction="received")]
		opening = doc.name
	can_write = frappe.has_permission(doctype, "write", name)
	item.update(
		thread=thread,
		opening_mention=opening,
		reply=api.reply_info(name) if doctype == "Social Ticket" else None,
		can_write=bool(can_write),
		can_create_ticket=doctype == "Social Mention"
		and bool(frappe.has_permission("Social Ticket", "create")),
		can_create_lead=bool(frappe.has_permission("Lead", "create")),
		can_create_opportunity=bool(frappe.has_permission("Opportunity", "create")),
	)
	return item


def sent_replies(ticket) -> list[dict]:
	"""Our replies on the ticket: those on its Issue's timeline, as the Issue form shows them to
	whoever may read the Issue; without that, the ticket's last reply."""
	entries = []
	if ticket.issue and frappe.has_permission("Issue", "read", ticket.issue):
		for row in frappe.get_all(
			"Communication",
			filters={
				"reference_doctype": "Issue",
				"reference_name": ticket.issue,
				"sent_or_received": "Sent",
			},
			fields=["content", "sender_full_name", "communication_date"],
			order_by="communication_date asc",
			limit_page_length=100,
		):
			entries.append(
				{
					"direction": "sent",
					"author_name": row.sender_full_name or "",
					# our own stored HTML, written escaped by replies.add_sent_communication
					"text_html": frappe.utils.sanitize_html(row.content or ""),
					"posted_at": str(row.communication_date),
				}
			)
	if not entries and ticket.reply_status == "Sent":
		entries.append(
			{
				"direction": "sent",
				"author_name": get_fullname(ticket.reply_author) if ticket.reply_author else "",
				"text_html": post_html(ticket.reply_text),
				"url": safe_url(ticket.reply_url),
				"posted_at": str(ticket.replied_at) if ticket.replied_at else None,
			}
		)
	if ticket.reply_status in ("Draft", "Awaiting Approval", "Approved", "Failed") and ticket.reply_text:
		entries.append(
			{
				"direction": "draft",
				"reply_status": ticket.reply_status,
				"author_name": get_fullname(ticket.reply_author) if ticket.reply_author else "",
				"text_html": post_html(ticket.reply_text),
				"posted_at": str(ticket.modified),
			}
		)
	return entries


# --- actions ----------------------------------------------------------------------------------


def opening_mention(doctype: str, name: str) -> str:
	return (
		frappe.db.get_value("Social Ticket", name, "social_mention") if doctype == "Social Ticket" else name
	)


@frappe.whitelist(methods=["POST"])
def assign(doctype: str, name: str, user: str | None = None) -> list:
	"""Assigns the conversation (to the caller unless another user is named)."""
	from frappe.desk.form import assign_to

	check_readable(doctype, name)
	frappe.has_permission(doctype, "write", name, throw=True)
	user = user or frappe.session.user
	if not frappe.db.exists("User", {"name": user, "enabled": 1}):
		frappe.throw(_("Choose an enabled user."))
	result = assign_to.add({"assign_to": [user], "doctype": doctype, "name": name})
	publish_conversation(doctype, name)
	return result


@frappe.whitelist(methods=["POST"])
def unassign(doctype: str, name: str, user: str | None = None):
	from frappe.desk.form import assign_to

	check_readable(doctype, name)
	frappe.has_permission(doctype, "write", name, throw=True)
	result = assign_to.remove(doctype, name, user or frappe.session.user)
	publish_conversation(doctype, name)
	return result


@frappe.whitelist(methods=["POST"])
def mark_done(doctype: str, name: str) -> str:
	"""A ticket is Resolved (its Issue too); a mention is Reviewed."""
	check_readable(doctype, name)
	doc = frappe.get_doc(doctype, name)
	doc.check_permission("write")
	doc.status = "Resolved" if doctype == "Social Ticket" else "Reviewed"
	doc.save()
	return doc.status


@frappe.whitelist(methods=["POST"])
def ignore(doctype: str, name: str) -> str:
	"""A mention is Ignored; a ticket (nothing to do after all) is Closed."""
	check_readable(doctype, name)
	if doctype == "Social Mention":
		api.ignore_mentions([name])
		return "Ignored"
	doc = frappe.get_doc(doctype, name)
	doc.check_permission("write")
	doc.status = "Closed"
	doc.save()
	return doc.status


@frappe.whitelist(methods=["POST"])
def reclassify(doctype: str, name: str, label: str) -> dict | None:
	"""Corrects the sentiment of the conversation's opening post; triage decides again."""
	check_readable(doctype, name)
	api.reclassify_sentiment([opening_mention(doctype, name)], label)
	return conversation_item(doctype, name)


@frappe.whitelist()
def customer_suggestions(doctype: str, name: str) -> list[dict]:
	check_readable(doctype, name)
	return api.customer_suggestions(opening_mention(doctype, name))


@frappe.whitelist(methods=["POST"])
def link_customer(doctype: str, name: str, customer: str, contact: str | None = None) -> dict:
	check_readable(doctype, name)
	return api.link_to_customer([opening_mention(doctype, name)], customer, contact)


@frappe.whitelist(methods=["POST"])
def create_ticket(name: str) -> str:
	check_readable("Social Mention", name)
	frappe.has_permission("Social Ticket", "create", throw=True)
	return api.create_tickets([name])[0]


@frappe.whitelist(methods=["POST"])
def create_lead(doctype: str, name: str) -> str:
	check_readable(doctype, name)
	return api.create_lead(opening_mention(doctype, name))


@frappe.whitelist(methods=["POST"])
def create_opportunity(doctype: str, name: str) -> str:
	check_readable(doctype, name)
	return api.create_opportunity(opening_mention(doctype, name))


# --- realtime -----------------------------------------------------------------------------------


def publish_conversation(doctype: str, name: str) -> None:
	"""Tells open inbox pages that a conversation changed, once the transaction is committed
	(a rolled-back change is never announced). Only names travel; each page asks for the item
	with its own permissions."""
	# the room is named: inside a background job Frappe would otherwise send it to the job's room
	frappe.publish_realtime(
		UPDATE_EVENT, {"doctype": doctype, "name": name}, room=get_site_room(), after_commit=True
	)


def publish_conversations(names: dict[str, list[str]]) -> None:
	"""`publish_conversation` for many at once (a page the fetch job stored): one message
	naming them all, by doctype."""
	names = {doctype: list(values) for doctype, values in names.items() if values}
	if names:
		frappe.publish_realtime(UPDATE_EVENT, {"names": names}, room=get_site_room(), after_commit=True)


def on_mention_change(doc, method=None) -> None:
	"""Social Mention after_insert / on_update: a new or changed post reaches the inbox."""
	publish_conversation("Social Mention", doc.name)
	if doc.social_ticket:
		publish_conversation("Social Ticket", doc.social_ticket)


@frappe.whitelist(methods=["POST"])
def viewing(doctype: str, name: str, state: str = "open") -> dict:
	"""The caller opened (or left) a conversation: the others reading it are told, in the
	document's realtime room (joined only by users who may read the document)."""
	check_readable(doctype, name)
	message = {
		"doctype": doctype,
		"name": name,
		"user": frappe.session.user,
		"full_name": get_fullname(frappe.session.user),
		"state": "closed" if state == "closed" else "open",
	}
	frappe.publish_realtime(VIEWING_EVENT, message, room=get_doc_room(doctype, name))
	return message
