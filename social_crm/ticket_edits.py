"""An agent's save of a Social Ticket while the fetch job appends a mention to it.

The job appends without loading or saving the ticket (tickets.append_mentions): it inserts
the thread row and moves `last_activity_at`, both read-only on the form, and when that is all
it changes it leaves `modified` alone, so a form an agent opened before stays saveable. That
save writes the whole form back, though: Frappe deletes the thread rows the form does not
hold and puts back the form's `last_activity_at`. `keep_appended` (Social Ticket.validate)
takes both from the database first. Frappe's save reads the stored ticket with its rows
`for update` before validate (`check_if_latest`), and the job locks the ticket row before it
adds its row, so whichever comes second sees what the first committed.

When the job changes a field agents edit (a priority raised, a Replied ticket reopened) it
moves `modified`, and Frappe refuses a form opened before as modified meanwhile, rather than
letting the agent's save silently undo the job's change.

The Issue mirror (tickets.mirror_ticket) writes the ticket's Issue and clears its rows'
`mirror_pending` without moving `modified` either; `keep_appended` keeps both, so a form
loaded before neither loses the Issue link nor sends a post to the Issue's timeline twice.
"""

from frappe.utils import get_datetime

# The thread row's fields, as the job writes them (tickets.append_mentions), and the one the
# Issue mirror clears once the post is on the Issue's timeline (tickets.mirror_ticket).
ROW_FIELDS = ("social_mention", "posted_at", "author_handle", "mirror_pending")


def keep_appended(ticket) -> None:
	"""The thread rows and the latest activity the job stored after the form was loaded."""
	stored = ticket.get_doc_before_save() if not ticket.is_new() else None
	if stored is None:
		return
	held = {row.name: row for row in ticket.get("mentions") or []}
	for row in stored.get("mentions") or []:
		if row.name not in held:
			ticket.append("mentions", {"name": row.name, **{field: row.get(field) for field in ROW_FIELDS}})
		else:
			# the form's copy of a row the mirror has written since would mark it pending again
			# (and its post would reach the Issue twice)
			held[row.name].mirror_pending = row.get("mirror_pending")
	if stored.get("issue") and not ticket.get("issue"):
		ticket.issue = stored.issue  # written by the mirror after the form was loaded
	if stored.last_activity_at and (
		not ticket.last_activity_at
		or get_datetime(stored.last_activity_at) > get_datetime(ticket.last_activity_at)
	):
		ticket.last_activity_at = stored.last_activity_at
