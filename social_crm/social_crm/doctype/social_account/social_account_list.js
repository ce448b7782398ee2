// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt
// The account list shows each account's health: disabled, paused by a rate limit, failing, fetching.
frappe.listview_settings["Social Account"] = {
	add_fields: ["enabled", "last_error", "paused_until", "last_fetched_at"],
	get_indicator(doc) {
		if (!doc.enabled) return [__("Disabled"), "gray", "enabled,=,0"];
		if (doc.paused_until && doc.paused_until > frappe.datetime.now_datetime()) {
			return [__("Paused"), "orange", "paused_until,is,set"];
		}
		if (doc.last_error) return [__("Failing"), "red", "last_error,is,set"];
		if (!doc.last_fetched_at) return [__("Not Fetched Yet"), "blue", "last_fetched_at,is,not set"];
		return [__("Healthy"), "green", "last_error,is,not set"];
	},
};
