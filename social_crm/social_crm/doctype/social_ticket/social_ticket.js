// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Social Ticket", {
	refresh(frm) {
		if (frm.doc.issue) {
			frm.add_custom_button(__("Issue"), () => frappe.set_route("Form", "Issue", frm.doc.issue), __("View"));
		}
	},
});
