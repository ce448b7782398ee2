// Social activity on the Customer form (social_panel.js, data from social_crm.insights); the
// Connections tab's "Social" group comes from social_crm.overrides.customer_dashboard.
frappe.ui.form.on("Customer", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(
			__("Social Mentions"),
			() => frappe.set_route("List", "Social Mention", { customer: frm.doc.name }),
			__("View")
		);
		frappe.require("/assets/social_crm/js/social_panel.js", () => frappe.social_crm.panel.render(frm, "Customer"));
	},
});
