"""Tickets opened before `last_activity_at` existed get it, so threading finds them by author:
the latest post on the ticket or our reply, whichever is later."""

import frappe


def execute():
	frappe.db.sql(
		"""
		update `tabSocial Ticket` t
		left join (
			select parent, max(posted_at) as posted_at from `tabSocial Ticket Mention`
			where parenttype = 'Social Ticket' group by parent
		) thread on thread.parent = t.name
		set t.last_activity_at = coalesce(
			greatest(coalesce(thread.posted_at, t.replied_at), coalesce(t.replied_at, thread.posted_at)),
			t.creation
		)
		where t.last_activity_at is null
		"""
	)
