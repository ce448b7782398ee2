// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Monitored Keyword", {
	override_threshold(frm) {
		if (!frm.doc.override_threshold) {
			frm.set_value("ticket_threshold", 0);
		}
	},
});
