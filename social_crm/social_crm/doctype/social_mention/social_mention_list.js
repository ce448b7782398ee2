// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.listview_settings["Social Mention"] = {
	add_fields: ["status", "sentiment_label", "social_ticket", "opportunity"],
	get_indicator(doc) {
		const colours = { New: "blue", Reviewed: "gray", Ticketed: "orange", Ignored: "gray", Replied: "green" };
		return [__(doc.status), colours[doc.status] || "gray", `status,=,${doc.status}`];
	},
	onload(listview) {
		frappe.require("/assets/social_crm/js/mention_actions.js", () => add_actions(listview));
	},
};

function add_actions(listview) {
	const actions = frappe.social_crm.mention_actions;
	const selected = () => listview.get_checked_items(true);
	if (frappe.model.can_create("Social Ticket")) {
		listview.page.add_actions_menu_item(__("Create Ticket"), () => actions.create_ticket(selected(), listview), false);
	}
	listview.page.add_actions_menu_item(__("Ignore"), () => actions.ignore(selected(), listview), false);
	listview.page.add_actions_menu_item(__("Reclassify Sentiment"), () => actions.reclassify(selected(), listview), false);
	listview.page.add_actions_menu_item(__("Link to Customer"), () => actions.link_to_customer(selected(), listview), false);
	listview.page.add_actions_menu_item(__("Re-analyse"), () => reanalyse({ names: selected() }), false);
	listview.page.add_menu_item(__("Re-analyse Filtered Mentions"), () =>
		reanalyse({ filters: listview.get_filters_for_args() })
	);
}

function reanalyse(args) {
	frappe.xcall("social_crm.ingest.reanalyse", args).then((count) =>
		frappe.show_alert({ message: __("Re-analysing {0} mentions in the background.", [count]), indicator: "blue" })
	);
}
