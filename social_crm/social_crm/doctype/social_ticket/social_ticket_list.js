// Copyright (c) 2026, social_crm contributors
// For license information, please see license.txt
frappe.listview_settings["Social Ticket"] = {
	onload(listview) {
		// where agents work the tickets: the thread, replies and actions without opening forms
		listview.page.add_inner_button(__("Social Inbox"), () => frappe.set_route("social-inbox"));
	},
};
