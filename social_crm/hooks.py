app_name = "social_crm"
app_title = "Social CRM"
app_publisher = "social_crm contributors"
app_description = "Social media monitoring, sentiment and social tickets for ERPNext"
app_email = "social-crm@example.com"
app_license = "GNU General Public License (v3)"
required_apps = ["frappe/erpnext"]

# Installation
# ------------

after_install = "social_crm.install.after_install"
# a fresh site gets ERPNext's setup wizard before the integration tests (as ERPNext apps do)
before_tests = "social_crm.tests.bench_setup.before_tests"
before_uninstall = "social_crm.uninstall.before_uninstall"

# Desk
# ----

doctype_js = {
	"Contact": "public/js/contact.js",
	"Customer": "public/js/customer.js",
	"Issue": "public/js/issue.js",
	"Item": "public/js/item.js",
}

override_doctype_dashboards = {
	"Customer": "social_crm.overrides.customer_dashboard.get_dashboard_data",
	"Item": "social_crm.overrides.customer_dashboard.get_item_dashboard_data",
}

# Document Events
# ---------------

doc_events = {
	"Issue": {
		"on_update": "social_crm.tickets.on_issue_update",
	},
	"Social Mention": {
		"on_update": "social_crm.incidents.link_ticket",
	},
}

# Scheduled Tasks
# ---------------

scheduler_events = {
	"cron": {
		"* * * * *": ["social_crm.tasks.enqueue_due_fetches"],
		"*/5 * * * *": ["social_crm.incidents.close_recovered"],
		# the Issues and timelines of what the fetch job stored (queued after each page too)
		"*/3 * * * *": ["social_crm.tickets.mirror_pending"],
	},
	"daily_long": [
		"social_crm.tasks.train_sentiment_model",
		"social_crm.tasks.delete_expired_mentions",
	],
}

default_log_clearing_doctypes = {"Social Fetch Log": 30}

# Personal data (Frappe's Personal Data Download / Deletion Request), found by the e-mail of
# the Contact a Social Profile is linked to; social_crm.privacy keeps those fields in step.
# The Erase Author action of a Social Profile (privacy.erase_author) does the full erasure.
user_data_fields = [
	{
		"doctype": "Social Profile",
		"filter_by": "email",
		"redact_fields": ["handle", "display_name", "bio", "profile_url", "avatar_url"],
		"partial": 1,
	},
	{
		"doctype": "Social Mention",
		"filter_by": "author_email",
		"redact_fields": ["author_handle", "author_name", "text", "url", "raw_payload"],
		"partial": 1,
	},
	{
		"doctype": "Social Ticket",
		"filter_by": "author_email",
		"redact_fields": ["subject", "triage_reason"],
		"partial": 1,
	},
]

# Fixtures
# --------

fixtures = []
