// Issues opened from social media link back to their Social Ticket and can answer on the platform.
frappe.ui.form.on("Issue", {
	refresh(frm) {
		if (!frm.doc.social_ticket) return;
		frm.add_custom_button(
			__("Social Ticket"),
			() => frappe.set_route("Form", "Social Ticket", frm.doc.social_ticket),
			__("View")
		);
		if (["Resolved", "Closed"].includes(frm.doc.status)) return;
		frappe.call({ method: "social_crm.api.reply_info", args: { ticket: frm.doc.social_ticket } }).then((r) => {
			const info = r.message;
			if (!info || !info.reply_supported) return;
			frm.add_custom_button(__("Reply on {0}", [__(info.platform)]), () =>
				frappe.require("/assets/social_crm/js/social_reply.js", () =>
					frappe.social_crm.reply.open_dialog(info, (text) =>
						frappe
							.call({
								method: "social_crm.api.reply_from_issue",
								args: { issue: frm.doc.name, text },
								freeze: true,
								freeze_message: __("Sending reply…"),
							})
							.then((result) => {
								frm.reload_doc();
								return result;
							})
					)
				)
			);
		});
	},
});
