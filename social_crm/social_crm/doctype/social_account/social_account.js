// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

// Credentials are API tokens, not passwords people choose: no strength meter on them.
const CREDENTIAL_FIELDS = [
	"access_token",
	"app_password",
	"client_secret",
	"password",
	"bearer_token",
	"user_access_token",
	"app_secret",
	"verify_token",
	"api_key",
	"refresh_token",
];

frappe.ui.form.on("Social Account", {
	onload(frm) {
		for (const fieldname of CREDENTIAL_FIELDS) {
			const field = frm.get_field(fieldname);
			if (field && field.disable_password_checks) field.disable_password_checks();
		}
	},
	platform(frm) {
		frm.refresh();
	},
	refresh(frm) {
		show_default_interval(frm);
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
		// both methods need write on the account: roles that only read it do not see them
		if (frm.perm[0] && frm.perm[0].write) {
			frm.add_custom_button(__("Test Connection"), () =>
				frm.call("test_connection").then((r) => frappe.msgprint({ message: r.message, indicator: "green" }))
			);
			frm.add_custom_button(__("Fetch Now"), () =>
				frm.call("fetch_now").then((r) => frappe.show_alert({ message: r.message, indicator: "blue" }))
			);
		}
		frm.add_custom_button(
			__("Fetch Log"),
			() => frappe.set_route("List", "Social Fetch Log", { social_account: frm.doc.name }),
			__("View")
		);
	},
});

// 0 means "the Settings default": show the field empty with that default as placeholder.
function show_default_interval(frm) {
	const field = frm.get_field("poll_interval");
	if (!field || !field.$input) return;
	frappe.db.get_single_value("Social CRM Settings", "poll_interval").then((minutes) => {
		field.$input.attr("placeholder", __("Default: {0} minutes", [minutes || 15]));
		if (!frm.doc.poll_interval) field.$input.val("");
	});
}
