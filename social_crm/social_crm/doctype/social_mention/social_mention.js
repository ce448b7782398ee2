// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

frappe.ui.form.on("Social Mention", {
	refresh(frm) {
		if (frm.doc.url) {
			frm.add_web_link(frm.doc.url, __("Open Post"));
		}
		if (frm.is_new() || !frm.perm[0].write) return;
		// the same actions as the list's, for this one mention
		frappe.require("/assets/social_crm/js/mention_actions.js", () => add_buttons(frm));
	},
});

function add_buttons(frm) {
	const actions = frappe.social_crm.mention_actions;
	const names = [frm.doc.name];
	if (frm.doc.social_ticket) {
		frm.add_custom_button(__("Social Ticket"), () => frappe.set_route("Form", "Social Ticket", frm.doc.social_ticket), __("View"));
	} else if (frappe.model.can_create("Social Ticket")) {
		frm.add_custom_button(__("Create Ticket"), () => actions.create_ticket(names, frm), __("Actions"));
	}
	if (frm.doc.status !== "Ignored") {
		frm.add_custom_button(__("Ignore"), () => actions.ignore(names, frm), __("Actions"));
	}
	frm.add_custom_button(__("Reclassify Sentiment"), () => actions.reclassify(names, frm), __("Actions"));
	frm.add_custom_button(__("Link to Customer"), () => actions.link_to_customer(names, frm), __("Actions"));
	if (frm.doc.opportunity || frm.doc.lead || frm.doc.sales_opportunity) {
		sales_button(frm, "lead", "Lead", __("Create Lead"), "social_crm.api.create_lead");
		if (frm.doc.customer || frm.doc.sales_opportunity) {
			sales_button(frm, "sales_opportunity", "Opportunity", __("Create Opportunity"), "social_crm.api.create_opportunity");
		}
	}
}

function sales_button(frm, field, doctype, label, method) {
	if (frm.doc[field]) {
		frm.add_custom_button(__(doctype), () => frappe.set_route("Form", doctype, frm.doc[field]), __("View"));
		return;
	}
	if (!frappe.model.can_create(doctype)) return;
	frm.add_custom_button(label, () =>
		frappe.call({ method, args: { mention: frm.doc.name }, freeze: true }).then((r) => {
			frm.reload_doc();
			if (r.message) frappe.set_route("Form", doctype, r.message);
		}), __("Sales"));
}
