// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Social Account", {
	platform(frm) {
		frm.refresh();
	},
	refresh(frm) {
		if (frm.doc.last_error) {
			frm.dashboard.set_headline(
				`<span class="indicator red">${__("Last fetch failed")}: ${frm.doc.last_error /* stored escaped once (escaping.py) */}</span>`
			);
		}
		const hook = { Facebook: "facebook", Instagram: "instagram", YouTube: "youtube" }[frm.doc.platform];
		if (hook) {
			const url = `${window.location.origin}/api/method/social_crm.webhooks.${hook}`;
			frm.set_intro(__("Webhook callback URL: {0}", [frappe.utils.escape_html(url)]), "blue");
		}
		if (frm.is_new()) return;
		frm.add_custom_button(__("Test Connection"), () =>
			frm.call("test_connection").then((r) => frappe.msgprint({ message: r.message, indicator: "green" }))
		);
		frm.add_custom_button(__("Fetch Now"), () =>
			frm.call("fetch_now").then((r) => frappe.show_alert({ message: r.message, indicator: "blue" }))
		);
		frm.add_custom_button(
			__("Fetch Log"),
			() => frappe.set_route("List", "Social Fetch Log", { social_account: frm.doc.name }),
			__("View")
		);
	},
});
