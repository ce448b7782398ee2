// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Social Profile", {
	refresh(frm) {
		if (frm.doc.profile_url) {
			frm.add_web_link(frm.doc.profile_url, __("Open Profile"));
		}
	},
});
