frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Social Mentions by Sentiment"] = {
	method: "social_crm.social_crm.dashboard_chart_source.social_mentions_by_sentiment.social_mentions_by_sentiment.get",
	filters: [
		{ fieldname: "days", label: __("Days"), fieldtype: "Int", default: 30 },
		{ fieldname: "platform", label: __("Platform"), fieldtype: "Data" },
	],
};
