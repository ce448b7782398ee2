// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Social CRM Settings", {
	refresh(frm) {
		frm.set_intro(
			__("Social Accounts and Monitored Keywords decide what is fetched; these settings decide what becomes a ticket.")
		);
	},
});
