// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Social Account", {
	refresh(frm) {
		if (frm.doc.last_error) {
			frm.dashboard.set_headline(
				`<span class="indicator red">${__("Last fetch failed")}: ${frappe.utils.escape_html(frm.doc.last_error)}</span>`
			);
		}
	},
});
