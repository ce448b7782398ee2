# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

"""Social Ticket Response Times: first reply and resolution per platform and agent, against
the Issue's Service Level Agreement.

Times are wall-clock from the ticket's opening (insights.ticket_times says where each comes
from); "within SLA" counts only tickets whose Issue has the deadline, so a site without SLAs
shows empty SLA columns rather than 0 %.
"""

import statistics

import frappe
from frappe import _
from frappe.utils import add_days, getdate, nowdate

from social_crm.insights import ticket_times

GROUPS = ("Platform", "Agent", "Platform and Agent")


def execute(filters=None):
	filters = frappe._dict(filters or {})
	group_by = filters.get("group_by") or "Platform"
	if group_by not in GROUPS:
		frappe.throw(_("Group by must be one of: {0}").format(", ".join(_(g) for g in GROUPS)))
	from_date = getdate(filters.get("from_date") or add_days(nowdate(), -29))
	to_date = getdate(filters.get("to_date") or nowdate())
	ticket_filters = [["creation", ">=", from_date], ["creation", "<", add_days(to_date, 1)]]
	if filters.get("platform"):
		ticket_filters.append(["platform", "=", filters.platform])
	rows = summarise(ticket_times(ticket_filters), group_by)
	return columns(group_by), rows, None, chart(rows)


def columns(group_by: str) -> list[dict]:
	cols = []
	if group_by in ("Platform", "Platform and Agent"):
		cols.append({"fieldname": "platform", "label": _("Platform"), "fieldtype": "Data", "width": 130})
	if group_by in ("Agent", "Platform and Agent"):
		cols.append(
			{"fieldname": "agent", "label": _("Agent"), "fieldtype": "Link", "options": "User", "width": 180}
		)
	return [
		*cols,
		{"fieldname": "tickets", "label": _("Tickets"), "fieldtype": "Int", "width": 90},
		{"fieldname": "replied", "label": _("Replied"), "fieldtype": "Int", "width": 90},
		{
			"fieldname": "median_first_reply",
			"label": _("Median First Reply"),
			"fieldtype": "Duration",
			"width": 160,
		},
		{
			"fieldname": "average_first_reply",
			"label": _("Average First Reply"),
			"fieldtype": "Duration",
			"width": 160,
		},
		{
			"fieldname": "reply_sla",
			"label": _("First Reply within SLA"),
			"fieldtype": "Percent",
			"width": 160,
		},
		{"fieldname": "resolved", "label": _("Resolved"), "fieldtype": "Int", "width": 90},
		{
			"fieldname": "median_resolution",
			"label": _("Median Resolution"),
			"fieldtype": "Duration",
			"width": 160,
		},
		{
			"fieldname": "resolution_sla",
			"label": _("Resolution within SLA"),
			"fieldtype": "Percent",
			"width": 160,
		},
	]


def summarise(tickets: list[dict], group_by: str) -> list[dict]:
	groups: dict[tuple, list[dict]] = {}
	for ticket in tickets:
		platform = ticket["platform"] if group_by != "Agent" else None
		agent = (ticket["agent"] or _("Unassigned")) if group_by != "Platform" else None
		groups.setdefault((platform, agent), []).append(ticket)
	rows = []
	for (platform, agent), members in sorted(groups.items(), key=lambda item: tuple(str(k) for k in item[0])):
		replies = [t["first_reply"] for t in members if t["first_reply"] is not None]
		resolutions = [t["resolution"] for t in members if t["resolution"] is not None]
		row = {
			"tickets": len(members),
			"replied": len(replies),
			"median_first_reply": statistics.median(replies) if replies else None,
			"average_first_reply": statistics.fmean(replies) if replies else None,
			"reply_sla": share([t["reply_in_sla"] for t in members]),
			"resolved": len(resolutions),
			"median_resolution": statistics.median(resolutions) if resolutions else None,
			"resolution_sla": share([t["resolution_in_sla"] for t in members]),
		}
		if platform is not None:
			row["platform"] = _(platform) if platform else ""
		if agent is not None:
			row["agent"] = agent
		rows.append(row)
	return rows


def share(flags: list) -> float | None:
	"""Percent of True among the tickets that have an SLA verdict (None: no SLA on any)."""
	judged = [flag for flag in flags if flag is not None]
	return round(100.0 * sum(judged) / len(judged), 1) if judged else None


def chart(rows: list[dict]) -> dict | None:
	rows = [r for r in rows if r["median_first_reply"] is not None]
	if not rows:
		return None
	return {
		"data": {
			"labels": [" / ".join(str(r[k]) for k in ("platform", "agent") if k in r) for r in rows],
			"datasets": [
				{
					"name": _("Median First Reply (Hours)"),
					"values": [round(r["median_first_reply"] / 3600, 2) for r in rows],
				}
			],
		},
		"type": "bar",
		"colors": ["#449CF0"],
	}
