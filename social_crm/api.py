"""Whitelisted methods of the desk: mention list actions, customer links, sales, replies.

Every method checks the caller's permission on the documents it touches before changing
anything; the work itself is done by named functions (here, in social_crm/tickets.py,
replies.py and corrections.py).
"""

import frappe
from frappe import _
from frappe.utils import nowdate

from social_crm import corrections, replies, tickets
from social_crm.engine.matching import CustomerCandidate, CustomerDirectory
from social_crm.engine.reply_text import fill, reply_limit
from social_crm.engine.triage import Action, Decision, Priority, Reason
from social_crm.escaping import DATA_LENGTH, refit
from social_crm.stored_mention import CORRECTED_SCORES, engine_mention

# What "Reclassify Sentiment" stores as the score of a label an agent chose.
LEAD_SOURCE_NAMES = ("Social Media", "Social")


def _names(names) -> list[str]:
	names = frappe.parse_json(names) if isinstance(names, str) else names
	if isinstance(names, str):
		names = [names]
	return [name for name in (names or []) if name]


def _mentions(names, ptype: str = "write") -> list:
	docs = []
	for name in _names(names):
		doc = frappe.get_doc("Social Mention", name)
		doc.check_permission(ptype)
		docs.append(doc)
	if not docs:
		frappe.throw(_("Select at least one Social Mention."))
	return docs


# --- mention list actions ---------------------------------------------------------------------


@frappe.whitelist()
def create_tickets(names) -> list[str]:
	"""An agent opens tickets for the chosen mentions (each gets one; threads are respected)."""
	frappe.has_permission("Social Ticket", "create", throw=True)
	return [create_ticket_for(doc) for doc in _mentions(names)]


def create_ticket_for(mention_doc) -> str:
	if mention_doc.social_ticket:
		return mention_doc.social_ticket
	priority = (
		mention_doc.triage_priority
		if mention_doc.triage_priority in Priority._value2member_map_
		else "Medium"
	)
	decision = Decision(
		action=Action.CREATE_TICKET,
		priority=Priority(priority),
		reasons=(Reason(tickets.R_AGENT_CREATED, {"user": frappe.utils.get_fullname(frappe.session.user)}),),
		opportunity=bool(mention_doc.opportunity),
	)
	return tickets.apply_decision(mention_doc, decision)


@frappe.whitelist()
def ignore_mentions(names) -> int:
	docs = _mentions(names)
	for doc in docs:
		doc.status = "Ignored"
		doc.save()
	return len(docs)


@frappe.whitelist()
def reclassify_sentiment(names, label: str) -> int:
	"""An agent's correction of the sentiment, after which triage decides again (the reason,
	and whether the mention's ticket stays open); the site's model learns from corrections."""
	if label not in CORRECTED_SCORES:
		frappe.throw(_("Choose Positive, Neutral or Negative."))
	docs = _mentions(names)
	from social_crm.ingest import build_pipeline

	pipeline = build_pipeline()
	for doc in docs:
		doc.sentiment_label = label
		doc.sentiment_score = CORRECTED_SCORES[label]
		doc.sentiment_corrected = 1
		doc.save()
		corrections.retriage(doc, pipeline)
	return len(docs)


@frappe.whitelist()
def link_to_customer(names, customer: str, contact: str | None = None) -> dict:
	"""Links the authors' Social Profiles to the Customer (and Contact): every mention of those
	profiles, earlier ones included, and their open Social Tickets get the customer."""
	if not customer or not frappe.db.exists("Customer", customer):
		frappe.throw(_("Choose a Customer."))
	frappe.has_permission("Customer", "read", doc=customer, throw=True)
	if contact and not frappe.db.exists("Contact", contact):
		frappe.throw(_("Contact {0} does not exist.").format(frappe.bold(contact)))
	profiles, loose = set(), []
	for doc in _mentions(names):
		if doc.social_profile:
			profiles.add(doc.social_profile)
		else:
			loose.append(doc)
	for doc in loose:
		doc.customer = customer
		doc.save()
	for profile in sorted(profiles):
		link_profile(profile, customer, contact)
	return {"profiles": len(profiles), "mentions": len(loose) + count_mentions(profiles)}


def link_profile(profile_name: str, customer: str, contact: str | None) -> None:
	"""The profile gets the customer; its controller passes it on (corrections.propagate_customer)."""
	profile = frappe.get_doc("Social Profile", profile_name)
	profile.check_permission("write")
	profile.customer = customer
	if contact:
		profile.contact = contact
	profile.save()


def count_mentions(profiles) -> int:
	return frappe.db.count("Social Mention", {"social_profile": ("in", list(profiles))}) if profiles else 0


@frappe.whitelist()
def customer_suggestions(mention: str) -> list[dict]:
	"""Customers the mention's author probably is, with the reason in the user's language."""
	doc = frappe.get_doc("Social Mention", mention)
	doc.check_permission("read")
	frappe.has_permission("Customer", "read", throw=True)
	return [
		{
			"customer": suggestion.customer.name,
			"customer_name": suggestion.customer.customer_name,
			"score": suggestion.score,
			"reason": _(suggestion.reason).format(**suggestion.reason_params),  # the dialog escapes it
		}
		for suggestion in customer_directory().suggest(engine_mention(doc).author)
	]


def customer_directory() -> CustomerDirectory:
	"""Enabled Customers with their website and the e-mail domains of their Contacts."""
	domains: dict[str, set[str]] = {}
	for customer, email in frappe.db.sql(
		"""
		select link.link_name, email.email_id
		from `tabDynamic Link` link
		join `tabContact Email` email on email.parent = link.parent and email.parenttype = 'Contact'
		where link.parenttype = 'Contact' and link.link_doctype = 'Customer'
		"""
	):
		if email and "@" in email:
			domains.setdefault(customer, set()).add(email.rsplit("@", 1)[1].lower())
	return CustomerDirectory(
		[
			CustomerCandidate(
				name=row.name,
				customer_name=row.customer_name or row.name,
				email_domains=frozenset(domains.get(row.name, ())),
				website=row.website or "",
			)
			for row in frappe.get_all("Customer", {"disabled": 0}, ["name", "customer_name", "website"])
		]
	)


# --- sales ------------------------------------------------------------------------------------


def lead_source() -> str | None:
	for name in LEAD_SOURCE_NAMES:
		if frappe.db.exists("Lead Source", name):
			return name
	return frappe.db.get_value("Lead Source", {"name": ("like", "%social%")})


def sales_note(doc) -> list[dict]:
	return [{"note": tickets.post_html(doc), "added_by": frappe.session.user}]


@frappe.whitelist()
def create_lead(mention: str) -> str:
	"""An ERPNext Lead from the mention's author, with the post as its note."""
	doc = frappe.get_doc("Social Mention", mention)
	doc.check_permission("write")
	if doc.lead:
		return doc.lead
	lead = frappe.get_doc(
		{
			"doctype": "Lead",
			"lead_name": refit(doc.author_name or doc.author_handle, DATA_LENGTH),
			"source": lead_source(),
			"notes": sales_note(doc),
		}
	)
	lead.insert()
	doc.db_set("lead", lead.name)
	return lead.name


@frappe.whitelist()
def create_opportunity(mention: str) -> str:
	"""An ERPNext Opportunity for the known Customer who wrote the mention."""
	doc = frappe.get_doc("Social Mention", mention)
	doc.check_permission("write")
	if doc.sales_opportunity:
		return doc.sales_opportunity
	if not doc.customer:
		frappe.throw(_("Link the mention to a Customer first, or create a Lead."), title=_("No Customer"))
	opportunity = frappe.get_doc(
		{
			"doctype": "Opportunity",
			"opportunity_from": "Customer",
			"party_name": doc.customer,
			"source": lead_source(),
			"company": frappe.defaults.get_user_default("Company")
			or frappe.db.get_single_value("Global Defaults", "default_company"),
			"transaction_date": nowdate(),
			"notes": sales_note(doc),
		}
	)
	opportunity.insert()
	doc.db_set("sales_opportunity", opportunity.name)
	return opportunity.name


# --- replies ----------------------------------------------------------------------------------


@frappe.whitelist(methods=["POST"])
def send_reply(ticket: str, text: str | None = None) -> dict:
	"""Sends the ticket's reply (or submits it for approval when Settings require it)."""
	return replies.request_reply(ticket, text)


@frappe.whitelist(methods=["POST"])
def approve_reply(ticket: str) -> dict:
	return replies.approve_reply(ticket)


@frappe.whitelist(methods=["POST"])
def reply_from_issue(issue: str, text: str) -> dict:
	"""The Issue form's "Reply on <platform>": the reply goes through the Issue's Social Ticket."""
	issue_doc = frappe.get_doc("Issue", issue)
	issue_doc.check_permission("read")
	if not issue_doc.get("social_ticket"):
		frappe.throw(_("This Issue was not opened from social media."))
	return replies.request_reply(issue_doc.social_ticket, text)


@frappe.whitelist()
def reply_info(ticket: str) -> dict | None:
	"""What the reply buttons need to know about a ticket (None for users who cannot see it,
	so the Issue form of someone without Social Ticket access simply shows no button)."""
	if not frappe.db.exists("Social Ticket", ticket) or not frappe.has_permission(
		"Social Ticket", "read", ticket
	):
		return None
	doc = frappe.get_doc("Social Ticket", ticket)
	limit = reply_limit(doc.platform)
	return {
		"name": doc.name,
		"platform": doc.platform,
		"reply_supported": replies.reply_supported(doc.platform),
		"reply_status": doc.reply_status,
		"reply_text": doc.reply_text,
		"approval_required": replies.approval_required(),
		"can_approve": replies.is_reply_manager(),
		"limit": limit.limit if limit else None,
		"limit_unit": limit.unit if limit else None,
		"url_weight": limit.url_weight if limit else None,
	}


@frappe.whitelist()
def saved_replies(ticket: str) -> list[dict]:
	"""The saved replies the user may read, German and English, filled in for this ticket."""
	doc = frappe.get_doc("Social Ticket", ticket)
	doc.check_permission("read")
	values = replies.saved_reply_values(doc)
	rows = frappe.get_list(
		"Social Saved Reply",
		fields=["name", "title", "language", "reply"],
		order_by="language asc, title asc",
		limit_page_length=200,
	)
	return [
		{"name": row.name, "title": row.title, "language": row.language, "text": fill(row.reply, values)}
		for row in rows
	]
