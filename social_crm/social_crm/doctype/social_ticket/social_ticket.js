// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt
frappe.ui.form.on("Social Ticket", {
	refresh(frm) {
		if (frm.doc.issue) {
			frm.add_custom_button(__("Issue"), () => frappe.set_route("Form", "Issue", frm.doc.issue), __("View"));
		}
		frm.add_custom_button(__("Social Inbox"), () => frappe.set_route("social-inbox", { ticket: frm.doc.name }), __("View"));
		if (frm.doc.reply_url) {
			frm.add_web_link(frm.doc.reply_url, __("Open Reply"));
		}
		if (frm.is_new()) return;
		const onload = frm.doc.__onload || {};
		if (frm.doc.reply_error) {
			// reply_error is stored escaped once (escaping.py): escaping it again would show entities
			frm.dashboard.set_headline_alert(frm.doc.reply_error, "red");
		}
		// feeds and Hacker News cannot be answered from here: no Reply Text to fill in
		frm.toggle_display(["reply_section", "reply_text"], !!onload.reply_supported);
		if (!onload.reply_supported) {
			frm.set_intro(__("Replies cannot be posted on {0}. Answer on the platform itself, then resolve the ticket.", [__(frm.doc.platform)]), "orange");
			return;
		}
		if (!frm.perm[0].write || ["Resolved", "Closed"].includes(frm.doc.status)) return;
		if (frm.doc.reply_status === "Awaiting Approval" && onload.can_approve_reply) {
			frm.add_custom_button(__("Approve and Send"), () => call(frm, "social_crm.api.approve_reply", { ticket: frm.doc.name }));
		}
		if (frm.doc.reply_status === "Sent" || frm.doc.reply_status === "Awaiting Approval") return;
		// always offered: the dialog takes the text (the field's draft, if any, is its start)
		frm.add_custom_button(__("Reply"), () =>
			frappe.call({ method: "social_crm.api.reply_info", args: { ticket: frm.doc.name } }).then((r) => {
				if (!r.message) return;
				frappe.require("/assets/social_crm/js/social_reply.js", () =>
					frappe.social_crm.reply.open_dialog(r.message, (text) =>
						frappe
							.call({
								method: "social_crm.api.send_reply",
								args: { ticket: frm.doc.name, text },
								freeze: true,
								freeze_message: __("Sending reply…"),
							})
							.then((result) => {
								frm.reload_doc();
								return result;
							})
					)
				);
			})
		).addClass("btn-primary");
	},
});

function call(frm, method, args) {
	const send = () =>
		frappe
			.call({ method, args, freeze: true, freeze_message: __("Sending reply…") })
			.then((r) => {
				frm.reload_doc();
				frappe.require("/assets/social_crm/js/social_reply.js", () => frappe.social_crm.reply.show_result(r.message));
			});
	// unsaved reply text is saved first, so what is sent is what the agent sees
	if (frm.is_dirty()) frm.save().then(send);
	else send();
}

// The person behind the ticket: every profile linked to the same Contact or Customer (insights.py).
frappe.ui.form.on("Social Ticket", {
	refresh(frm) {
		if (frm.is_new()) return;
		frappe.require("/assets/social_crm/js/social_panel.js", () => frappe.social_crm.panel.render_person(frm));
	},
});
