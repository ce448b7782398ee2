// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.listview_settings["Social Mention"] = {
	add_fields: ["status", "sentiment_label", "sentiment_score", "social_ticket", "opportunity", "text"],
	formatters: {
		// The subject column (title field author_handle) is set as textContent by the list view:
		// plain text here, never HTML, so a post cannot inject markup.
		author_handle(value, df, doc) {
			// Stored text carries Frappe's XSS escaping ("&lt;"); a textarea decodes it without running anything.
			const decoder = document.createElement("textarea");
			decoder.innerHTML = String(doc.text || "");
			const text = decoder.value.replace(/\s+/g, " ").trim();
			const snippet = text.length > 120 ? text.slice(0, 119) + "…" : text;
			return snippet ? `@${value || ""}: ${snippet}` : `@${value || ""}`;
		},
		sentiment_label(value, df, doc) {
			if (!value) return "";
			const score = typeof doc.sentiment_score === "number" ? ` ${doc.sentiment_score >= 0 ? "+" : ""}${doc.sentiment_score.toFixed(2)}` : "";
			const colour = { Positive: "green", Neutral: "gray", Negative: "red" }[value] || "gray";
			return `<span class="indicator-pill ${colour} filterable" data-filter="sentiment_label,=,${frappe.utils.escape_html(value)}">${frappe.utils.escape_html(__(value) + score)}</span>`;
		},
	},
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
