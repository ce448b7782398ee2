// Issues opened from social media link back to their Social Ticket.
frappe.ui.form.on("Issue", {
	refresh(frm) {
		if (frm.doc.social_ticket) {
			frm.add_custom_button(
				__("Social Ticket"),
				() => frappe.set_route("Form", "Social Ticket", frm.doc.social_ticket),
				__("View")
			);
		}
	},
});
