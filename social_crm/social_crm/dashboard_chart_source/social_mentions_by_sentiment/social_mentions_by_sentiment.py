"""Mentions per day by sentiment (the workspace chart "Mentions per Day by Sentiment")."""

import frappe
from frappe import _
from frappe.utils import add_days, cint, getdate, nowdate
from frappe.utils.dashboard import cache_source

LABELS = ("Negative", "Neutral", "Positive")
MAX_DAYS = 366


@frappe.whitelist()
@cache_source
def get(
	chart_name=None,
	chart=None,
	no_cache=None,
	filters=None,
	from_date=None,
	to_date=None,
	timespan=None,
	time_interval=None,
	heatmap_year=None,
):
	filters = frappe.parse_json(filters) or {}
	days = min(max(cint(filters.get("days")) or 30, 1), MAX_DAYS)
	return mentions_by_day(days, filters.get("platform"))


def mentions_by_day(days: int, platform: str | None = None) -> dict:
	"""One stacked bar per day of the last `days`, counted from the mentions the user may read."""
	start = getdate(add_days(nowdate(), -days + 1))
	list_filters = {"posted_at": (">=", start)}
	if platform:
		list_filters["platform"] = platform
	rows = frappe.get_list(
		"Social Mention",
		filters=list_filters,
		fields=["posted_at", "sentiment_label"],
		limit_page_length=0,
	)
	dates = [add_days(start, i) for i in range(days)]
	counts = {label: [0] * days for label in LABELS}
	for row in rows:
		index = (getdate(row.posted_at) - start).days
		if 0 <= index < days and row.sentiment_label in counts:
			counts[row.sentiment_label][index] += 1
	return {
		"labels": [frappe.format(day, "Date") for day in dates],
		"datasets": [{"name": _(label), "values": counts[label]} for label in LABELS],
	}
