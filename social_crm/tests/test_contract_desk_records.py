"""Number cards, dashboard charts, chart sources and reports shipped as files: what Frappe
would reject or silently not import is caught here, and the workspace only places what exists."""

import json

import pytest

from social_crm.tests import contract

CARDS = "social_crm/social_crm/number_card"
CHARTS = "social_crm/social_crm/dashboard_chart"
REPORTS = "social_crm/social_crm/report"
WORKSPACE = "social_crm/social_crm/workspace/social_crm/social_crm.json"


def test_the_shipped_records_pass():
	for check in (contract.check_number_cards, contract.check_dashboard_charts, contract.check_reports):
		problems = check()
		assert problems == [], "\n".join(map(str, problems))


def test_the_workspace_places_the_kpis():
	workspace = json.loads((contract.APP_ROOT / WORKSPACE).read_text())
	assert {c["number_card_name"] for c in workspace["number_cards"]} == set(
		contract.desk_records(contract.APP_ROOT, "number_card")
	)
	assert {c["chart_name"] for c in workspace["charts"]} == set(
		contract.desk_records(contract.APP_ROOT, "dashboard_chart")
	)
	blocks = json.loads(workspace["content"])
	assert sum(b["type"] == "number_card" for b in blocks) == 5
	assert sum(b["type"] == "chart" for b in blocks) == 3


def edit(root, relative, change):
	path = root / relative
	doc = json.loads(path.read_text())
	change(doc)
	path.write_text(json.dumps(doc, indent=1))


@pytest.mark.parametrize(
	("rule", "relative", "change"),
	[
		(
			"card-type",
			f"{CARDS}/open_social_tickets/open_social_tickets.json",
			lambda d: d.update(type="Doctype"),
		),
		(
			"card-doctype",
			f"{CARDS}/open_social_tickets/open_social_tickets.json",
			lambda d: d.update(document_type="Social Tickets"),
		),
		(
			"card-doctype",
			f"{CARDS}/median_first_reply/median_first_reply.json",
			lambda d: d.pop("document_type"),
		),
		(
			"card-function",
			f"{CARDS}/open_social_tickets/open_social_tickets.json",
			lambda d: d.update(function="Median"),
		),
		(
			"card-method",
			f"{CARDS}/median_first_reply/median_first_reply.json",
			lambda d: d.update(method="social_crm.insights.readable"),
		),
		(
			"record-filters",
			f"{CARDS}/open_social_tickets/open_social_tickets.json",
			lambda d: d.update(filters_json='[["Social Ticket","state","=","Open",false]]'),
		),
		(
			"record-module",
			f"{CARDS}/open_social_tickets/open_social_tickets.json",
			lambda d: d.update(module="Support"),
		),
		(
			"record-folder",
			f"{CARDS}/open_social_tickets/open_social_tickets.json",
			lambda d: d.update(name="Open Tickets"),
		),
	],
)
def test_a_broken_number_card_is_caught(app_copy, rule, relative, change):
	edit(app_copy, relative, change)
	assert rule in {p.rule for p in contract.check_number_cards(app_copy)}


@pytest.mark.parametrize(
	("rule", "relative", "change"),
	[
		(
			"chart-type",
			f"{CHARTS}/mentions_per_platform/mentions_per_platform.json",
			lambda d: d.update(chart_type="Grouped"),
		),
		(
			"chart-display",
			f"{CHARTS}/mentions_per_platform/mentions_per_platform.json",
			lambda d: d.update(type="Column"),
		),
		(
			"chart-group-by",
			f"{CHARTS}/mentions_per_platform/mentions_per_platform.json",
			lambda d: d.update(group_by_based_on="network"),
		),
		(
			"chart-parent",
			f"{CHARTS}/share_of_voice_per_monitored_keyword/share_of_voice_per_monitored_keyword.json",
			lambda d: d.pop("parent_document_type"),
		),
		(
			"chart-source",
			f"{CHARTS}/mentions_per_day_by_sentiment/mentions_per_day_by_sentiment.json",
			lambda d: d.update(source="Mentions by Mood"),
		),
		(
			"chart-name",
			f"{CHARTS}/mentions_per_platform/mentions_per_platform.json",
			lambda d: d.update(chart_name="Platforms"),
		),
	],
)
def test_a_broken_chart_is_caught(app_copy, rule, relative, change):
	edit(app_copy, relative, change)
	assert rule in {p.rule for p in contract.check_dashboard_charts(app_copy)}


def test_a_chart_source_without_its_js_registration_is_caught(app_copy):
	js = (
		app_copy
		/ "social_crm/social_crm/dashboard_chart_source/social_mentions_by_sentiment/social_mentions_by_sentiment.js"
	)
	js.write_text(js.read_text().replace("Social Mentions by Sentiment", "Mentions by Sentiment"))
	assert "chart-source-js" in {p.rule for p in contract.check_dashboard_charts(app_copy)}


@pytest.mark.parametrize(
	("rule", "change"),
	[
		("report-doctype", lambda d: d.update(ref_doctype="Social Mentions")),
		("report-role", lambda d: d["roles"].append({"role": "Social Manager"})),
		("report-type", lambda d: d.update(report_type="Python Report")),
		("report-name", lambda d: d.update(report_name="Sentiment")),
	],
)
def test_a_broken_report_is_caught(app_copy, rule, change):
	edit(app_copy, f"{REPORTS}/social_sentiment_summary/social_sentiment_summary.json", change)
	assert rule in {p.rule for p in contract.check_reports(app_copy)}


def test_a_script_report_without_execute_is_caught(app_copy):
	path = app_copy / f"{REPORTS}/social_sentiment_summary/social_sentiment_summary.py"
	path.write_text(path.read_text().replace("def execute(", "def run("))
	assert "report-execute" in {p.rule for p in contract.check_reports(app_copy)}


@pytest.mark.parametrize(
	("rule", "change"),
	[
		("workspace-card", lambda d: d["number_cards"].append({"label": "Gone", "number_card_name": "Gone"})),
		("workspace-chart", lambda d: d["charts"].append({"chart_name": "Gone", "label": "Gone"})),
		(
			"workspace-block",
			lambda d: d.update(
				content=d["content"].replace(
					'"number_card_name":"Median First Reply"', '"number_card_name":"Median Reply"'
				)
			),
		),
		(
			"workspace-report",
			lambda d: next(link for link in d["links"] if link.get("link_type") == "Report").update(
				link_to="Sentiment"
			),
		),
	],
)
def test_a_workspace_placing_what_is_not_shipped_is_caught(app_copy, rule, change):
	edit(app_copy, WORKSPACE, change)
	assert rule in {p.rule for p in contract.check_workspaces(app_copy)}


def test_card_chart_and_report_names_need_german(app_copy):
	edit(
		app_copy,
		f"{CARDS}/open_social_incidents/open_social_incidents.json",
		lambda d: d.update(label="Incidents Open Now"),
	)
	missing = {p.message for p in contract.check_translations(app_copy) if p.rule == "translation-missing"}
	assert any("Incidents Open Now" in message for message in missing)
