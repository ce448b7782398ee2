// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Monitored Keyword", {
	refresh(frm) {
		frm.trigger("query");
	},
	query(frm) {
		// the live check is for those who write keywords (the server refuses everyone else)
		if (!frm.doc.query || !frappe.user.has_role(["Social Media Manager", "System Manager"])) return;
		frappe
			.xcall("social_crm.social_crm.doctype.monitored_keyword.monitored_keyword.check_query", {
				query: frm.doc.query,
			})
			.then((check) => {
				const help = check.valid
					? __("Platforms are searched for: {0}", [
							check.search_terms.map((term) => frappe.utils.escape_html(term)).join(", ") ||
								__("(nothing: a query of only NOT terms matches what other keywords fetch)"),
					  ])
					: `<span class="text-danger">${check.message}</span>`;
				frm.set_df_property("query", "description", help);
			});
	},
	override_threshold(frm) {
		if (!frm.doc.override_threshold) {
			frm.set_value("ticket_threshold", 0);
		}
	},
});
