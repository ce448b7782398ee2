"""The people the app stores data about: erasing an author, retention, and the data-subject hooks.

An author's personal data lives in their Social Profile, in every mention they wrote (text,
names, links, the platform's payload), in the thread rows of Social Tickets, in the subject
and description of tickets and Issues their posts opened, and in the Communications their
posts became on an Issue's timeline. `erase_author` anonymises all of it at once, so the
links between the records stay valid (tickets, Issues and counters keep working) but nothing
says who wrote what any more. Frappe's change history (Version) of those records is removed
with it, or it would keep the old values.

hooks.py `user_data_fields` lets Frappe's Personal Data Download/Deletion Request find the
same records by the e-mail address of the Contact a profile is linked to (`email` on the
profile, `author_email` on mentions and tickets, kept in step by `sync_author_email`).

Retention (`delete_expired`) deletes permanently: no Deleted Document keeps a copy of the
text, the counters of the profiles concerned are recomputed from what is left, and profiles
left without mentions, tickets, customer or contact expire too.
"""

import frappe
from frappe import _
from frappe.utils import add_days, now_datetime

ERASER_ROLES = ("Social Media Manager", "System Manager")
ERASED = "[erased]"
BATCH = 10_000


def erased_handle(profile_name: str) -> str:
	return f"erased-{profile_name}"


@frappe.whitelist(methods=["POST"])
def erase_author(profile: str) -> dict:
	"""The "Erase Author" action of a Social Profile (Social Media Manager)."""
	if not set(ERASER_ROLES) & set(frappe.get_roles()):
		frappe.throw(_("Only a Social Media Manager can erase an author."), frappe.PermissionError)
	doc = frappe.get_doc("Social Profile", profile)
	doc.check_permission("write")
	counts = anonymise_author(doc)
	doc.add_comment("Info", _("Author erased by {0}").format(frappe.session.user))
	return counts


def anonymise_author(profile) -> dict:
	"""Anonymises the profile and everything its author wrote; returns what was changed."""
	from social_crm.profiles import key_of_stored

	handle = erased_handle(profile.name)
	mentions = frappe.get_all(
		"Social Mention", {"social_profile": profile.name}, ["name", "author_name", "author_handle"]
	)
	names = [row.name for row in mentions]
	senders = {value for row in mentions for value in (row.author_name, row.author_handle) if value}
	for name in names:
		frappe.db.set_value(
			"Social Mention",
			name,
			{
				"author_handle": handle,
				"author_name": "",
				"author_email": "",
				"text": ERASED,
				"url": "",
				"raw_payload": None,
				"lead": None,
			},
			update_modified=False,
		)
	rows = frappe.get_all("Social Ticket Mention", {"social_mention": ("in", names or [""])}, pluck="name")
	for row in rows:
		frappe.db.set_value("Social Ticket Mention", row, "author_handle", handle, update_modified=False)
	# Tickets the author's posts opened lose subject and reason; every ticket their posts are
	# in (also someone else's) loses the Communications those posts became.
	opened = frappe.get_all(
		"Social Ticket",
		filters={"social_mention": ("in", names or [""])},
		or_filters={"social_profile": profile.name},
		fields=["name", "issue"],
	)
	for ticket in opened:
		frappe.db.set_value(
			"Social Ticket",
			ticket.name,
			{"subject": ERASED, "triage_reason": "", "author_email": ""},
			update_modified=False,
		)
		if ticket.issue:
			frappe.db.set_value(
				"Issue", ticket.issue, {"subject": ERASED, "description": ERASED}, update_modified=False
			)
	threads = frappe.get_all(
		"Social Ticket Mention", {"name": ("in", rows or [""])}, pluck="parent", distinct=True
	)
	issues = {ticket.issue for ticket in opened if ticket.issue}
	issues |= set(frappe.get_all("Social Ticket", {"name": ("in", threads or [""])}, pluck="issue"))
	issues.discard(None)
	communications = 0
	if issues and senders:
		for name in frappe.get_all(
			"Communication",
			{
				"reference_doctype": "Issue",
				"reference_name": ("in", sorted(issues)),
				"sent_or_received": "Received",
				"sender_full_name": ("in", sorted(senders)),
			},
			pluck="name",
		):
			frappe.db.set_value(
				"Communication",
				name,
				{"content": ERASED, "sender_full_name": handle, "subject": ERASED},
				update_modified=False,
			)
			communications += 1
	profile_values = {
		"handle": handle,
		"handle_key": key_of_stored(profile.platform, handle),
		"display_name": "",
		"profile_url": "",
		"avatar_url": "",
		"bio": "",
		"followers": 0,
		"verified": 0,
		"contact": None,
		"email": "",
	}
	frappe.db.set_value("Social Profile", profile.name, profile_values, update_modified=False)
	forget_history("Social Mention", names)
	forget_history("Social Profile", [profile.name])
	forget_history("Social Ticket", [ticket.name for ticket in opened])
	return {"mentions": len(names), "tickets": len(opened), "communications": communications}


def forget_history(doctype: str, names: list[str]) -> None:
	"""Removes Frappe's change history of the records (it holds old values of their fields)."""
	if names:
		frappe.db.delete("Version", {"ref_doctype": doctype, "docname": ("in", names)})


# --- Frappe's data-subject requests ----------------------------------------------------------


def sync_author_email(profile, *, linked: bool = True) -> None:
	"""Social Profile.on_update: the linked Contact's e-mail on the profile's mentions and
	tickets, so a Personal Data Download/Deletion Request for that address finds them
	(`linked=False`: on the profile only, for one just inserted that nothing links to)."""
	email = frappe.db.get_value("Contact", profile.contact, "email_id") if profile.contact else ""
	email = email or ""
	if (profile.email or "") != email:
		profile.db_set("email", email, update_modified=False)
	if not linked:
		return
	for doctype in ("Social Mention", "Social Ticket"):
		frappe.db.set_value(
			doctype,
			{"social_profile": profile.name},
			"author_email",
			email,
			update_modified=False,
		)


def detach_profile(profile) -> None:
	"""Social Profile.on_trash: deleting a profile erases its author from the mentions and
	tickets, which then keep no link to the deleted profile."""
	anonymise_author(profile)
	for doctype in ("Social Mention", "Social Ticket"):
		frappe.db.set_value(
			doctype, {"social_profile": profile.name}, "social_profile", None, update_modified=False
		)


# --- retention ----------------------------------------------------------------------------------


def delete_expired(days: int) -> dict:
	"""Mentions older than `days` that no ticket refers to, deleted permanently; the counters
	of their profiles recomputed; profiles left with nothing expire as well."""
	cutoff = add_days(now_datetime(), -days)
	rows = frappe.get_all(
		"Social Mention",
		filters={"posted_at": ("<", cutoff), "social_ticket": ("is", "not set")},
		fields=["name", "social_profile"],
		limit_page_length=BATCH,
	)
	names = [row.name for row in rows]
	for name in names:
		frappe.delete_doc(
			"Social Mention", name, ignore_permissions=True, force=True, delete_permanently=True
		)
	forget_history("Social Mention", names)
	profiles = sorted({row.social_profile for row in rows if row.social_profile})
	for profile in profiles:
		recompute_counters(profile)
	expired = expire_profiles(cutoff)
	return {"mentions": len(names), "profiles": expired}


def recompute_counters(profile: str) -> None:
	"""mention_count, last_mention_at and average_sentiment from the mentions that are left."""
	count, last, average = frappe.db.sql(
		"""select count(*), max(posted_at), avg(sentiment_score)
		from `tabSocial Mention` where social_profile = %s""",
		profile,
	)[0]
	values = {
		"mention_count": int(count or 0),
		"average_sentiment": round(float(average), 4) if average is not None else 0,
	}
	if last:  # with none left, when the author was last seen still says when the profile expires
		values["last_mention_at"] = last
	frappe.db.set_value("Social Profile", profile, values, update_modified=False)


def expire_profiles(cutoff) -> int:
	"""Profiles without mentions, tickets, customer or contact, not seen since `cutoff`."""
	names = frappe.db.sql(
		"""select p.name from `tabSocial Profile` p
		where ifnull(p.customer, '') = '' and ifnull(p.contact, '') = ''
		and ifnull(p.last_mention_at, p.creation) < %s
		and not exists (select 1 from `tabSocial Mention` m where m.social_profile = p.name)
		and not exists (select 1 from `tabSocial Ticket` t where t.social_profile = p.name)
		limit %s""",
		(cutoff, BATCH),
		pluck=True,
	)
	for name in names:
		frappe.delete_doc(
			"Social Profile", name, ignore_permissions=True, force=True, delete_permanently=True
		)
	forget_history("Social Profile", names)
	return len(names)
