// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt
// The reply composer of the Social Ticket and Issue forms and the Social Inbox: saved replies,
// the platform's character counter and the approval note; sending is done by social_crm/api.py.
frappe.provide("frappe.social_crm");
frappe.social_crm.reply = {
	// Counted as engine/reply_text.py counts (the server checks again before sending).
	length(info, text) {
		text = text || "";
		if (info.limit_unit === "graphemes") {
			if (window.Intl && Intl.Segmenter) {
				return [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].length;
			}
			return [...text].length;
		}
		if (info.url_weight) {
			const urls = text.match(/https?:\/\/\S+/gi) || [];
			return [...text.replace(/https?:\/\/\S+/gi, "")].length + urls.length * info.url_weight;
		}
		return [...text].length;
	},
	counter_html(info, text) {
		if (!info.limit) return "";
		const used = this.length(info, text);
		const left = info.limit - used;
		const colour = left < 0 ? "text-danger" : left < 20 ? "text-warning" : "text-muted";
		return `<div class="social-reply-counter small ${colour}" data-left="${left}">${__("{0} of {1} characters", [used, info.limit])}</div>`;
	},
	not_possible(info) {
		frappe.msgprint({
			title: __("Reply Not Possible"),
			message: __("Replies cannot be posted on {0}. Answer on the platform itself, then resolve the ticket.", [__(info.platform)]),
			indicator: "orange",
		});
	},
	// info: the answer of social_crm.api.reply_info
	open_dialog(info, send) {
		if (!info.reply_supported) return this.not_possible(info);
		const waits = info.approval_required && !info.can_approve;
		const dialog = new frappe.ui.Dialog({
			title: __("Reply on {0}", [__(info.platform)]),
			fields: [
				{ fieldname: "saved_reply", fieldtype: "Select", label: __("Saved Reply"), options: [] },
				{ fieldname: "text", fieldtype: "Small Text", label: __("Reply Text"), reqd: 1, default: info.reply_text || "" },
				{ fieldname: "counter", fieldtype: "HTML" },
				{
					fieldname: "note",
					fieldtype: "HTML",
					options: waits ? `<p class="text-muted">${__("A Social Media Manager approves the reply before it is sent.")}</p>` : "",
				},
			],
			primary_action_label: waits ? __("Submit for Approval") : __("Send"),
			primary_action: ({ text }) => {
				if (info.limit && this.length(info, text) > info.limit) {
					frappe.show_alert({ message: __("The reply is too long for {0}.", [__(info.platform)]), indicator: "red" });
					return;
				}
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
		const update = () => dialog.get_field("counter").$wrapper.html(this.counter_html(info, dialog.get_value("text")));
		dialog.get_field("text").$input.on("input", update);
		update();
		this.load_saved_replies(info.name, (saved) => {
			const field = dialog.get_field("saved_reply");
			field.df.options = [""].concat(saved.map((s) => ({ value: s.name, label: `${s.title} (${s.language})` })));
			field.refresh();
			field.$input.on("change", () => {
				const chosen = saved.find((s) => s.name === field.get_value());
				if (chosen) {
					dialog.set_value("text", chosen.text).then(update);
				}
			});
		});
		dialog.show();
		return dialog;
	},
	load_saved_replies(ticket, callback) {
		if (!ticket) return;
		frappe.call({ method: "social_crm.api.saved_replies", args: { ticket } }).then((r) => callback(r.message || []));
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
