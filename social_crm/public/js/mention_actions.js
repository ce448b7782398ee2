// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt

// The actions on Social Mentions, shared by the list (bulk, social_mention_list.js) and the
// form (social_mention.js); each calls a permission-checked method of social_crm/api.py.
frappe.provide("frappe.social_crm");

frappe.social_crm.mention_actions = {
	// target: the list view or the form to refresh afterwards
	call(method, args, target, message) {
		return frappe.call({ method, args, freeze: true }).then((r) => {
			if (message) frappe.show_alert({ message, indicator: "green" });
			this.refresh(target);
			return r;
		});
	},

	refresh(target) {
		if (target.reload_doc) target.reload_doc();
		else target.refresh();
	},

	create_ticket(names, target) {
		this.call("social_crm.api.create_tickets", { names }, target, __("Social Ticket created")).then((r) => {
			if (target.reload_doc && r.message && r.message[0]) {
				frappe.set_route("Form", "Social Ticket", r.message[0]);
			}
		});
	},

	ignore(names, target) {
		this.call("social_crm.api.ignore_mentions", { names }, target, __("Ignored"));
	},

	reclassify(names, target) {
		const dialog = new frappe.ui.Dialog({
			title: __("Reclassify Sentiment"),
			fields: [
				{
					fieldname: "label",
					fieldtype: "Select",
					label: __("Sentiment"),
					options: [
						{ value: "Positive", label: __("Positive") },
						{ value: "Neutral", label: __("Neutral") },
						{ value: "Negative", label: __("Negative") },
					],
					reqd: 1,
				},
			],
			primary_action_label: __("Save"),
			primary_action: ({ label }) => {
				dialog.hide();
				this.call("social_crm.api.reclassify_sentiment", { names, label }, target, __("Sentiment corrected"));
			},
		});
		dialog.show();
	},

	link_to_customer(names, target) {
		const dialog = new frappe.ui.Dialog({
			title: __("Link to Customer"),
			fields: [
				{ fieldname: "suggestions", fieldtype: "HTML" },
				{ fieldname: "customer", fieldtype: "Link", options: "Customer", label: __("Customer"), reqd: 1 },
				{
					fieldname: "contact",
					fieldtype: "Link",
					options: "Contact",
					label: __("Contact"),
					get_query: () => {
						const customer = dialog.get_value("customer");
						return customer ? { filters: { link_doctype: "Customer", link_name: customer } } : {};
					},
				},
			],
			primary_action_label: __("Link"),
			primary_action: (values) => {
				dialog.hide();
				this.call(
					"social_crm.api.link_to_customer",
					{ names, customer: values.customer, contact: values.contact },
					target,
					__("Linked to the customer, earlier mentions included")
				);
			},
		});
		dialog.show();
		const wrapper = dialog.get_field("suggestions").$wrapper;
		wrapper.html(`<p class="text-muted">${__("Looking for matching customers…")}</p>`);
		frappe.call({
			method: "social_crm.api.customer_suggestions",
			args: { mention: names[0] },
			callback: (r) => {
				const suggestions = r.message || [];
				if (!suggestions.length) {
					wrapper.html(`<p class="text-muted">${__("No suggestions")}</p>`);
					return;
				}
				const esc = frappe.utils.escape_html;
				wrapper.html(
					`<p>${__("Suggestions")}</p>` +
						suggestions
							.map(
								(s, i) => `<div class="mb-2">
									<a href="#" class="social-crm-suggestion" data-index="${i}">${esc(s.customer_name)}</a>
									<span class="text-muted small"> (${Math.round(s.score * 100)}%) ${esc(s.reason)}</span>
								</div>`
							)
							.join("")
				);
				wrapper.find(".social-crm-suggestion").on("click", (event) => {
					event.preventDefault();
					dialog.set_value("customer", suggestions[$(event.currentTarget).data("index")].customer);
				});
			},
		});
	},
};
