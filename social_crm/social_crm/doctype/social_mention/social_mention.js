// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Social Mention", {
	refresh(frm) {
		if (frm.doc.url) {
			frm.add_web_link(frm.doc.url, __("Open Post"));
		}
	},
});
