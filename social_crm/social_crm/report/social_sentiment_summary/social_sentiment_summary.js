// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.query_reports["Social Sentiment Summary"] = {
	filters: [
		{ fieldname: "from_date", label: __("From Date"), fieldtype: "Date", default: frappe.datetime.add_days(frappe.datetime.get_today(), -29), reqd: 1 },
		{ fieldname: "to_date", label: __("To Date"), fieldtype: "Date", default: frappe.datetime.get_today(), reqd: 1 },
		{
			fieldname: "group_by",
			label: __("Group By"),
			fieldtype: "Select",
			options: [
				{ value: "Monitored Keyword", label: __("Monitored Keyword") },
				{ value: "Platform", label: __("Platform") },
				{ value: "Customer", label: __("Customer") },
				{ value: "Item", label: __("Item") },
			],
			default: "Monitored Keyword",
			reqd: 1,
		},
		{ fieldname: "monitored_keyword", label: __("Monitored Keyword"), fieldtype: "Link", options: "Monitored Keyword" },
		{
			fieldname: "platform",
			label: __("Platform"),
			fieldtype: "Select",
			options: ["", "Mastodon", "Bluesky", "Reddit", "X", "Hacker News", "RSS/Atom", "Facebook", "Instagram", "YouTube"],
		},
		{ fieldname: "customer", label: __("Customer"), fieldtype: "Link", options: "Customer" },
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "negative_share" && data && data.negative_share >= 50) {
			value = `<span class="text-danger">${value}</span>`;
		}
		return value;
	},
};
