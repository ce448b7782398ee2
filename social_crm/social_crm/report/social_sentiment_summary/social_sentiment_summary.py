# Copyright (c) 2026, social_crm contributors
# For license information, please see license.txt

"""Social Sentiment Summary: per Monitored Keyword, platform, Customer or Item over a period,
how many mentions, how many negative, their share and the average sentiment.

Mentions are read with frappe.get_list, so the report holds only what the user may read. A
mention that matched two keywords counts for both (share of voice); grouped by platform or
customer it counts once. By Item, a mention counts for the Items of its keywords.
"""

import statistics

import frappe
from frappe import _
from frappe.utils import add_days, getdate, nowdate

GROUPS = {
	"Monitored Keyword": "keyword",
	"Platform": "platform",
	"Customer": "customer",
	"Item": "item",
}
CHART_GROUPS = 10


def execute(filters=None):
	filters = frappe._dict(filters or {})
	group_by = filters.get("group_by") or "Monitored Keyword"
	if group_by not in GROUPS:
		frappe.throw(_("Group by must be one of: {0}").format(", ".join(_(g) for g in GROUPS)))
	rows = summarise(mentions(filters), group_by)
	return columns(group_by), rows, None, chart(rows)


def columns(group_by: str) -> list[dict]:
	link = {"Monitored Keyword": "Monitored Keyword", "Customer": "Customer", "Item": "Item"}.get(group_by)
	first = {"fieldname": "group", "label": _(group_by), "width": 220}
	first.update({"fieldtype": "Link", "options": link} if link else {"fieldtype": "Data"})
	return [
		first,
		{"fieldname": "mentions", "label": _("Mentions"), "fieldtype": "Int", "width": 100},
		{"fieldname": "positive", "label": _("Positive"), "fieldtype": "Int", "width": 100},
		{"fieldname": "neutral", "label": _("Neutral"), "fieldtype": "Int", "width": 100},
		{"fieldname": "negative", "label": _("Negative"), "fieldtype": "Int", "width": 100},
		{"fieldname": "negative_share", "label": _("Negative Share"), "fieldtype": "Percent", "width": 130},
		{
			"fieldname": "average_sentiment",
			"label": _("Average Sentiment"),
			"fieldtype": "Float",
			"precision": 3,
			"width": 150,
		},
	]


def mentions(filters) -> list:
	"""The period's mentions the user may read, one row per matched keyword (or one without)."""
	from_date = getdate(filters.get("from_date") or add_days(nowdate(), -29))
	to_date = getdate(filters.get("to_date") or nowdate())
	list_filters = [
		["Social Mention", "posted_at", ">=", from_date],
		["Social Mention", "posted_at", "<", add_days(to_date, 1)],
	]
	for field in ("platform", "customer"):
		if filters.get(field):
			list_filters.append(["Social Mention", field, "=", filters[field]])
	if filters.get("monitored_keyword"):
		list_filters.append(["Social Mention Keyword", "monitored_keyword", "=", filters.monitored_keyword])
	return frappe.get_list(
		"Social Mention",
		filters=list_filters,
		fields=[
			"name",
			"platform",
			"customer",
			"sentiment_label",
			"sentiment_score",
			"`tabSocial Mention Keyword`.`monitored_keyword` as keyword",
		],
		limit_page_length=0,
	)


def keyword_items() -> dict[str, str]:
	return {
		row.name: row.item
		for row in frappe.get_list("Monitored Keyword", fields=["name", "item"], limit_page_length=0)
		if row.item
	}


def summarise(rows: list, group_by: str) -> list[dict]:
	key = GROUPS[group_by]
	items = keyword_items() if key == "item" else {}
	seen: set[tuple] = set()
	groups: dict[str, dict] = {}
	for row in rows:
		if key == "item":
			value = items.get(row.keyword)
			if not value:
				continue
		elif key == "keyword":
			value = row.keyword or _("No Keyword")
		elif key == "platform":
			value = row.platform
		else:
			value = row.customer or _("No Customer")
		if (value, row.name) in seen:
			continue
		seen.add((value, row.name))
		group = groups.setdefault(
			value, {"group": value, "scores": [], "Positive": 0, "Neutral": 0, "Negative": 0}
		)
		group["scores"].append(row.sentiment_score or 0.0)
		if row.sentiment_label in ("Positive", "Neutral", "Negative"):
			group[row.sentiment_label] += 1
	result = []
	for value, group in groups.items():
		total = len(group["scores"])
		result.append(
			{
				"group": value if key != "platform" else _(value),
				"mentions": total,
				"positive": group["Positive"],
				"neutral": group["Neutral"],
				"negative": group["Negative"],
				"negative_share": round(100.0 * group["Negative"] / total, 1) if total else 0.0,
				"average_sentiment": round(statistics.fmean(group["scores"]), 3) if total else 0.0,
			}
		)
	return sorted(result, key=lambda r: (-r["mentions"], str(r["group"])))


def chart(rows: list[dict]) -> dict | None:
	if not rows:
		return None
	top = rows[:CHART_GROUPS]
	return {
		"data": {
			"labels": [str(r["group"]) for r in top],
			"datasets": [
				{"name": _("Negative"), "values": [r["negative"] for r in top]},
				{"name": _("Neutral"), "values": [r["neutral"] for r in top]},
				{"name": _("Positive"), "values": [r["positive"] for r in top]},
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": ["#E24C4C", "#B8C2CC", "#48BB74"],
	}
