// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Social Fetch Log", {
	refresh(frm) {
		frm.disable_save();
	},
});
