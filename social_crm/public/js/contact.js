// Social activity on the Contact form, for profiles linked to this Contact (social_panel.js).
frappe.ui.form.on("Contact", {
	refresh(frm) {
		if (frm.is_new()) return;
		frappe.require("/assets/social_crm/js/social_panel.js", () => frappe.social_crm.panel.render(frm, "Contact"));
	},
});
