"""Every DocType JSON is valid by Frappe v15's rules; each rule is shown to catch a broken copy."""

import copy

import pytest

from social_crm.tests import contract

DOCTYPES = contract.load_doctypes()


def field(doc, fieldname):
	return next(f for f in doc["fields"] if f["fieldname"] == fieldname)


def add_field(doc, **values):
	doc["fields"].append(values)
	doc["field_order"].append(values["fieldname"])


def test_the_app_has_its_data_model():
	assert {
		"Social CRM Settings",
		"Social Account",
		"Monitored Keyword",
		"Social Profile",
		"Social Mention",
		"Social Ticket",
	} <= set(DOCTYPES)
	assert DOCTYPES["Social CRM Settings"].get("issingle") == 1


def test_every_doctype_is_valid():
	problems = contract.check_doctype_files() + contract.check_doctypes(DOCTYPES)
	assert problems == [], "\n".join(map(str, problems))


def test_workspace_is_valid():
	assert contract.check_workspaces() == []


def test_credentials_are_password_fields_only_managers_can_read():
	account = DOCTYPES["Social Account"]
	for fieldname in ("client_secret", "access_token", "password"):
		assert field(account, fieldname)["fieldtype"] == "Password"
		assert field(account, fieldname).get("permlevel") == 1
	level_one_roles = {p["role"] for p in account["permissions"] if p.get("permlevel") == 1}
	assert level_one_roles == {"System Manager", "Social Media Manager"}
	assert "Support Team" in {p["role"] for p in account["permissions"]}


def test_no_secret_is_kept_in_a_plain_field():
	for name, doc in DOCTYPES.items():
		for f in doc["fields"]:
			if any(word in f["fieldname"] for word in ("secret", "token", "password")):
				assert f["fieldtype"] == "Password", f"{name}.{f['fieldname']} must be a Password field"


def test_lists_filter_on_indexed_columns():
	mention = DOCTYPES["Social Mention"]
	for fieldname in ("status", "posted_at", "customer", "social_profile", "sentiment_label", "conversation_id"):
		assert field(mention, fieldname).get("search_index"), fieldname


# (rule expected, doctype to break, how to break it)
BREAKAGES = [
	("doctype-key", "Social Mention", lambda d: d.update(doctype="Report")),
	("doctype-name", "Social Mention", lambda d: d.update(name="1 Social Mention")),
	("module", "Social Mention", lambda d: d.update(module="Selling")),
	("field-order", "Social Mention", lambda d: d["field_order"].reverse()),
	("fieldtype", "Social Mention", lambda d: field(d, "text").update(fieldtype="Textarea")),
	("fieldname", "Social Mention", lambda d: add_field(d, fieldname="Bad Name", fieldtype="Data")),
	("fieldname-reserved", "Social Mention", lambda d: add_field(d, fieldname="modified", fieldtype="Datetime")),
	("fieldname-unique", "Social Mention", lambda d: add_field(d, fieldname="text", fieldtype="Data")),
	("link-options", "Social Mention", lambda d: field(d, "customer").pop("options")),
	("link-target", "Social Mention", lambda d: field(d, "customer").update(options="Kunde")),
	("table-target", "Social Ticket", lambda d: field(d, "mentions").update(options="Customer")),
	("multiselect-link", "Social Mention", lambda d: DOCTYPES_COPY["Social Mention Keyword"]["fields"][0].update(fieldtype="Data")),
	("select-options", "Social Mention", lambda d: field(d, "status").update(options="")),
	("select-default", "Social Mention", lambda d: field(d, "status").update(default="Done")),
	("check-default", "Social Account", lambda d: field(d, "enabled").update(default="yes")),
	("data-options", "Social Mention", lambda d: field(d, "url").update(options="Link")),
	("dynamic-link", "Social Mention", lambda d: add_field(d, fieldname="ref", fieldtype="Dynamic Link", options="text")),
	("unique-type", "Social Mention", lambda d: field(d, "text").update(unique=1)),
	("index-type", "Social Mention", lambda d: field(d, "text").update(search_index=1)),
	("mandatory-type", "Social Mention", lambda d: field(d, "author_section").update(reqd=1)),
	("hidden-mandatory", "Social Mention", lambda d: field(d, "raw_payload").update(reqd=1)),
	("list-view-type", "Social Mention", lambda d: field(d, "author_section").update(in_list_view=1)),
	("global-search-type", "Social Mention", lambda d: field(d, "author_section").update(in_global_search=1)),
	("precision", "Social Mention", lambda d: field(d, "sentiment_score").update(precision="9")),
	("depends-on", "Social Mention", lambda d: field(d, "text").update(depends_on="status=New")),
	("fetch-from", "Social Ticket Mention", lambda d: field(d, "posted_at").update(fetch_from="social_mention.postedat")),
	("fold", "Social Mention", lambda d: add_field(d, fieldname="fold_here", fieldtype="Fold")),
	("search-fields", "Social Mention", lambda d: d.update(search_fields="author_handle,nope")),
	("title-field", "Social Mention", lambda d: d.update(title_field="title")),
	("timeline-field", "Social Mention", lambda d: d.update(timeline_field="text")),
	("image-field", "Social Profile", lambda d: d.update(image_field="avatar_url")),
	("sort-field", "Social Mention", lambda d: d.update(sort_field="popularity")),
	("naming", "Social Account", lambda d: d.update(autoname="field:label")),
	("naming", "Social Account", lambda d: field(d, "account_name").pop("unique")),
	("permissions", "Social Mention", lambda d: d.update(permissions=[])),
	("permission-role", "Social Mention", lambda d: d["permissions"][0].update(role="Social Intern")),
	("permission-basic", "Social Mention", lambda d: d["permissions"].append({"role": "Accounts User", "print": 1})),
	("permission-double", "Social Mention", lambda d: d["permissions"].append(dict(d["permissions"][0]))),
	("permission-level", "Social Account", lambda d: d["permissions"].append({"role": "Accounts User", "permlevel": 1, "read": 1})),
	("permission-submit", "Social Mention", lambda d: d["permissions"][0].update(submit=1)),
	("permission-import", "Social Mention", lambda d: d["permissions"][0].update({"import": 1})),
	("permission-keys", "Social Mention", lambda d: d["permissions"][0].update(reed=1)),
	("connection-target", "Social Profile", lambda d: d["links"].append({"link_doctype": "Tweet", "link_fieldname": "x"})),
	("connection-field", "Social Profile", lambda d: d["links"].append({"link_doctype": "Social Ticket", "link_fieldname": "author"})),
]
DOCTYPES_COPY: dict = {}


@pytest.mark.parametrize(("rule", "doctype", "breakage"), BREAKAGES, ids=[f"{r}-{i}" for i, (r, _d, _b) in enumerate(BREAKAGES)])
def test_each_rule_catches_a_broken_copy(rule, doctype, breakage):
	DOCTYPES_COPY.clear()
	DOCTYPES_COPY.update(copy.deepcopy(DOCTYPES))
	breakage(DOCTYPES_COPY[doctype])
	rules = {p.rule for p in contract.check_doctypes(DOCTYPES_COPY)}
	assert rule in rules


def test_a_json_file_that_does_not_parse_is_caught(app_copy):
	path = app_copy / "social_crm/social_crm/doctype/social_mention/social_mention.json"
	path.write_text(path.read_text()[:-20])
	assert "json-parse" in {p.rule for p in contract.check_doctype_files(app_copy)}


def test_a_doctype_folder_without_controller_is_caught(app_copy):
	(app_copy / "social_crm/social_crm/doctype/social_mention/social_mention.py").unlink()
	assert "controller-missing" in {p.rule for p in contract.check_doctype_files(app_copy)}


def test_a_workspace_linking_a_missing_doctype_is_caught(app_copy):
	path = app_copy / "social_crm/social_crm/workspace/social_crm/social_crm.json"
	path.write_text(path.read_text().replace('"link_to": "Social Account"', '"link_to": "Social Acount"'))
	assert "workspace-link" in {p.rule for p in contract.check_workspaces(app_copy)}
