// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Social Profile", {
	refresh(frm) {
		if (frm.doc.profile_url) {
			frm.add_web_link(frm.doc.profile_url, __("Open Profile"));
		}
		if (!frm.is_new() && frappe.user.has_role(["Social Media Manager", "System Manager"])) {
			frm.add_custom_button(__("Erase Author"), () =>
				frappe.confirm(
					__("Erase everything this author wrote and who they are from the profile, its mentions, tickets and Issue timelines? This cannot be undone."),
					() =>
						frappe
							.xcall("social_crm.privacy.erase_author", { profile: frm.doc.name })
							.then((counts) => {
								frappe.show_alert({
									message: __("Author erased: {0} mentions, {1} tickets, {2} timeline entries.", [
										counts.mentions,
										counts.tickets,
										counts.communications,
									]),
									indicator: "green",
								});
								frm.reload_doc();
							})
				)
			);
		}
	},
});
