// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Social Incident", {
	refresh(frm) {
		if (frm.is_new() || !frm.doc.__onload || !frm.doc.__onload.can_answer) return;
		frm.add_custom_button(__("Answer Incident"), () => answer(frm)).addClass("btn-primary");
	},
});

function answer(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Answer Incident"),
		fields: [
			{
				fieldname: "text",
				fieldtype: "Small Text",
				label: __("Status Reply Text"),
				reqd: 1,
				default: frm.doc.status_reply || "",
				description: __("Posted once per platform as a public reply. Every customer's ticket keeps its own thread."),
			},
		],
		primary_action_label: __("Post Status Reply"),
		primary_action({ text }) {
			dialog.disable_primary_action();
			frappe
				.xcall("social_crm.incidents.answer_incident", { name: frm.doc.name, text })
				.then((rows) => {
					dialog.hide();
					const sent = rows.filter((row) => row.reply_status === "Sent").length;
					frappe.show_alert({
						message: __("Status reply posted on {0} of {1} platforms.", [sent, rows.length]),
						indicator: sent === rows.length ? "green" : "orange",
					});
					frm.reload_doc();
				})
				.finally(() => dialog.enable_primary_action());
		},
	});
	dialog.show();
}
