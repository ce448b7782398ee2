// Social activity on the Customer form; the Connections tab's "Social" group comes from
// social_crm.overrides.customer_dashboard.
frappe.ui.form.on("Customer", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(
			__("Social Mentions"),
			() => frappe.set_route("List", "Social Mention", { customer: frm.doc.name }),
			__("View")
		);
	},
});
