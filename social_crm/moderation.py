"""Comments a page hid or an author deleted: marked on the stored mention, never created."""

import frappe

STATES = ("", "Hidden", "Deleted")


def mark_moderated(events) -> int:
	"""Sets "On the Platform" of each stored mention named; unknown ids are left alone (a hidden
	comment that was never stored must not turn into a mention)."""
	marked = 0
	for event in events:
		if event.state not in STATES:
			continue
		name = frappe.db.get_value(
			"Social Mention", {"platform": event.platform, "external_id": event.external_id}, "name"
		)
		if name:
			frappe.db.set_value("Social Mention", name, "platform_state", event.state, update_modified=False)
			marked += 1
	return marked
