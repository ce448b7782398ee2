"""The Social group on the Customer form's Connections tab."""

from frappe import _


def get_dashboard_data(data):
	data["transactions"].append(
		{"label": _("Social"), "items": ["Social Profile", "Social Mention", "Social Ticket"]}
	)
	return data
