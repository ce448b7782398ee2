// Product feedback on the Item: mentions of the Monitored Keywords that concern it (insights.item_mentions).
frappe.ui.form.on("Item", {
	refresh(frm) {
		if (frm.is_new()) return;
		frappe.xcall("social_crm.insights.item_mentions", { item: frm.doc.name }).then((data) => {
			if (!data.keywords.length) return;
			frm.add_custom_button(
				__("Social Mentions"),
				() => {
					frappe.route_options = { "Social Mention Keyword.monitored_keyword": ["in", data.keywords] };
					frappe.set_route("List", "Social Mention");
				},
				__("View")
			);
			frm.add_custom_button(
				__("Social Sentiment Summary"),
				() => frappe.set_route("query-report", "Social Sentiment Summary", { group_by: "Item" }),
				__("View")
			);
			frm.dashboard.add_comment(
				frappe.utils.escape_html(
					__("{0} social mentions in the last 90 days, {1} of them negative.", [data.mentions, data.negative])
				),
				data.negative ? "orange" : "blue",
				true
			);
		});
	},
});
