// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.query_reports["Social Ticket Response Times"] = {
	filters: [
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: frappe.datetime.add_days(frappe.datetime.get_today(), -29), reqd: 1 },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "Platform", label: __("Platform") },
				{ value: "Agent", label: __("Agent") },
				{ value: "Platform and Agent", label: __("Platform and Agent") },
			],
			default: "Platform",
			reqd: 1,
		},
		{
			fieldname: "platform",
			label: __("Platform"),
			fieldtype: "Select",
			options: ["", "Mastodon", "Bluesky", "Reddit", "X", "Hacker News", "RSS/Atom", "Facebook", "Instagram", "YouTube"],
		},
	],
};
