// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

// The reply dialog of the Social Ticket and Issue forms; sending is done by social_crm/api.py.
frappe.provide("frappe.social_crm");

frappe.social_crm.reply = {
	// info: the answer of social_crm.api.reply_info
	open_dialog(info, send) {
		if (!info.reply_supported) {
			frappe.msgprint({
				title: __("Reply Not Possible"),
				message: __("Replies cannot be posted on {0}. Answer on the platform itself, then resolve the ticket.", [
					__(info.platform),
				]),
				indicator: "orange",
			});
			return;
		}
		const dialog = new frappe.ui.Dialog({
			title: __("Reply on {0}", [__(info.platform)]),
			fields: [
				{ fieldname: "text", fieldtype: "Small Text", label: __("Reply Text"), reqd: 1, default: info.reply_text || "" },
				{
					fieldname: "note",
					fieldtype: "HTML",
					options: info.approval_required && !info.can_approve
						? `<p class="text-muted">${__("A Social Media Manager approves the reply before it is sent.")}</p>`
						: "",
				},
			],
			primary_action_label: info.approval_required && !info.can_approve ? __("Submit for Approval") : __("Send"),
			primary_action: ({ text }) => {
				dialog.disable_primary_action();
				send(text).then(
					(r) => {
						dialog.hide();
						this.show_result(r.message);
					},
					() => dialog.enable_primary_action()
				);
			},
		});
		dialog.show();
	},

	show_result(state) {
		if (!state) return;
		if (state.reply_status === "Sent") {
			frappe.show_alert({ message: __("Reply sent"), indicator: "green" });
		} else if (state.reply_status === "Awaiting Approval") {
			frappe.show_alert({ message: __("Reply submitted for approval"), indicator: "blue" });
		} else if (state.reply_status === "Failed") {
			frappe.msgprint({ title: __("Reply Failed"), message: state.reply_error || "" /* escaped once when stored (escaping.py) */, indicator: "red" });
		}
	},
};
