"""The Social group on the Customer form's Connections tab."""

from frappe import _


def get_dashboard_data(data):
	data["transactions"].append(
		{"label": _("Social"), "items": ["Social Profile", "Social Mention", "Social Ticket"]}
	)
	return data


def get_item_dashboard_data(data):
	"""Item ▸ Connections ▸ Social: the Monitored Keywords that concern the Item; their mentions
	are one click away (public/js/item.js) and in the Social Sentiment Summary by Item."""
	data["transactions"].append({"label": _("Social"), "items": ["Monitored Keyword"]})
	data.setdefault("non_standard_fieldnames", {})["Monitored Keyword"] = "item"
	return data
