"""hooks.py is wiring that resolves: every dotted path names a real function of the app."""


import pytest

from social_crm.tests import contract


def test_hooks_resolve():
	problems = contract.check_hooks()
	assert problems == [], "\n".join(map(str, problems))


def test_desk_js_calls_only_whitelisted_methods():
	problems = contract.check_js_methods()
	assert problems == [], "\n".join(map(str, problems))


def test_hooks_wire_what_the_app_needs():
	hooks = contract.read_hooks()
	assert hooks["required_apps"] == ["frappe/erpnext"]
	assert contract.resolve(hooks["after_install"]) is not None
	assert contract.resolve(hooks["before_uninstall"]) is not None
	assert contract.resolve(hooks["before_tests"]) is not None  # a fresh site runs the setup wizard
	assert "Customer" in hooks["override_doctype_dashboards"]
	assert set(hooks["doctype_js"]) >= {"Customer", "Issue"}


def test_resolve_follows_modules_and_classes():
	assert contract.resolve("social_crm.install.after_install") is not None
	assert contract.resolve("social_crm.social_crm.doctype.social_profile.social_profile.SocialProfile.validate") is not None
	assert contract.resolve("social_crm.install.no_such_function") is None
	assert contract.resolve("social_crm.no_such_module.after_install") is None
	assert contract.resolve("erpnext.setup.install.after_install") is None


def edit_hooks(root, old, new):
	"""Replaces `old` by `new`; with old None, appends `new`, which overrides an earlier assignment."""
	path = root / "social_crm/hooks.py"
	text = path.read_text()
	if old is None:
		path.write_text(text + "\n" + new + "\n")
		return
	assert old in text
	path.write_text(text.replace(old, new))


@pytest.mark.parametrize(
	("rule", "old", "new"),
	[
		("hooks-path", '"social_crm.install.after_install"', '"social_crm.install.after_instal"'),
		("hooks-path", '"social_crm.overrides.customer_dashboard.get_dashboard_data"', '"social_crm.overrides.dashboard.get_dashboard_data"'),
		("hooks-path", None, 'scheduler_events = {"daily": ["social_crm.tasks.missing"]}'),
		("hooks-path", None, 'scheduler_events = {"cron": {"* * * * *": ["social_crm.tasks.missing"]}}'),
		("hooks-path", None, 'doc_events = {"Issue": {"on_update": "social_crm.nowhere.sync"}}'),
		("hooks-required-apps", '["frappe/erpnext"]', '["erpnext"]'),
		("hooks-doctype", '"Issue": "public/js/issue.js"', '"Ticket": "public/js/issue.js"'),
		("hooks-js", '"public/js/issue.js"', '"public/js/ticket.js"'),
		("hooks-fixtures", None, 'fixtures = ["Social Thing"]'),
		("hooks-scheduler", None, 'scheduler_events = {"every_minute": ["social_crm.install.after_install"]}'),
	],
)
def test_each_hooks_rule_catches_a_broken_copy(app_copy, rule, old, new):
	assert contract.check_hooks(app_copy) == []
	edit_hooks(app_copy, old, new)
	assert rule in {p.rule for p in contract.check_hooks(app_copy)}


def test_js_calling_a_method_that_is_not_whitelisted_is_caught(app_copy):
	js = app_copy / "social_crm/public/js/issue.js"
	js.write_text(js.read_text() + '\nfrappe.call({method: "social_crm.install.after_install"});\n')
	assert "js-method" in {p.rule for p in contract.check_js_methods(app_copy)}
