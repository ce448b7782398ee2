"""Comments a page hid or an author deleted: marked on the stored mention, never created."""

import frappe

from social_crm.engine import untrusted
from social_crm.stored_mention import mention_key

STATES = ("", "Hidden", "Deleted")


def mark_moderated(events) -> int:
	"""Sets "On the Platform" of each stored mention named; unknown ids are left alone (a hidden
	comment that was never stored must not turn into a mention)."""
	marked = 0
	for event in events:
		if event.state not in STATES:
			continue
		# the same unique key ingest stores under (exact, whatever the collation), of the id as
		# the engine normalises it
		key = mention_key(event.platform, untrusted.clean_id(event.external_id))
		name = frappe.db.get_value("Social Mention", {"mention_key": key}, "name")
		if name:
			frappe.db.set_value("Social Mention", name, "platform_state", event.state, update_modified=False)
			marked += 1
	return marked
