import json
from datetime import datetime, timedelta, timezone

import pytest

from social_crm.engine.connectors.base import AuthFailed, RateLimited
from social_crm.engine.connectors.graph import (
	THROTTLE_PAUSE,
	graph_error,
	graph_time,
	throttle_decision,
	usage_from_headers,
)
from social_crm.engine.platform_fakes.facebook import FakeFacebook
from social_crm.engine.platform_fakes.graph import business_usage_header
from social_crm.tests.connector_contract import *  # noqa: F403
from social_crm.tests.connector_contract import SECRET_MARK, Harness, rate_limit_in

TOKEN = f"page-{SECRET_MARK}-token"
PAGE = "1000001"
LAUNCH = f"{PAGE}_900001"  # the fake's pinned post, first seeded


@pytest.fixture
def harness():
	return Harness(
		FakeFacebook,
		"Facebook",
		search_path=f"/v21.0/{LAUNCH}/comments",
		fake_kwargs={"token": TOKEN, "page_id": PAGE, "first_comment": True},
		credentials={"access_token": TOKEN},
		own_handle=PAGE,
		streams=3,
	)


@pytest.fixture
def reset_headers():
	"""Meta's estimate is in minutes (whole ones in its examples); the shared fault suite's
	short throttles of a few seconds are written as a fraction of a minute."""
	return lambda seconds: business_usage_header(PAGE, "pages", seconds / 60)


@pytest.fixture
def rate_limit():
	return business_usage_header(PAGE, "pages", 4, cputime=12, total_time=30), rate_limit_in(240)


def test_comments_and_replies_keep_thread_and_authors_are_app_scoped_ids(harness, served):
	comment = served.add_post(
		text="Seit dem Update stürzt die App ab 😡", author="jürgen", author_name="Jürgen Weiß", likes=3
	)
	reply = served.add_post(text="Same here since 2.0", author="sam", author_name="Sam", reply_to=comment.id)
	result = harness.connector(served).fetch([], {})
	by_id = {m.external_id: m for m in result.mentions}
	first, second = by_id[comment.id], by_id[reply.id]
	assert first.text == "Seit dem Update stürzt die App ab 😡"
	assert first.author.handle.isdigit() and first.author.name == "Jürgen Weiß"
	assert first.in_reply_to == LAUNCH and first.likes == 3
	# One ticket per comment thread, not one per busy post:
	assert first.conversation_id == comment.id == second.conversation_id
	assert second.in_reply_to == comment.id
	assert first.url.startswith("https://www.facebook.com/") and first.posted_at.tzinfo is timezone.utc
	comments = served.requests_to(f"/v21.0/{LAUNCH}/comments")[0]
	assert comments.param("filter") == "stream" and comments.param("order") == "reverse_chronological"


def test_the_token_travels_in_a_header_never_in_a_url(harness, served):
	harness.seed(served, 7)
	harness.connector(served).fetch([], {})
	assert len(served.requests_to(f"/v21.0/{LAUNCH}/comments")) == 4
	for request in served.requests:
		assert "access_token" not in request.query  # Meta's paging.next carries it; we page by `after`
		assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_visitor_posts_and_tagged_posts_are_mentions_the_pages_own_posts_are_not(harness, served):
	visitor = served.add_post(text="Wann kommt die Rechnung für März?", kind="visitor_post", author="kunde")
	tagged = served.add_post(text="Great support from @Acme today", kind="tagged", author="fan")
	served.add_post(text="Wartung heute Nacht", kind="page_post", author=PAGE)
	result = harness.connector(served).fetch([], {})
	assert {m.external_id for m in result.mentions} == {visitor.id, tagged.id, served.first_comment.id}


def test_recommendations_are_mentions_and_a_token_without_the_permission_skips_them(harness, served):
	rating = served.add_post(
		text="Support antwortet nie. Nicht zu empfehlen.", kind="rating", title="negative", author="kritiker"
	)
	result = harness.connector(served).fetch([], {})
	mention = next(m for m in result.mentions if m.external_id == rating.id)
	assert mention.raw["recommendation_type"] == "negative" and mention.text.startswith(
		"Support antwortet nie"
	)
	served.ratings_allowed = False
	served.add_post(text="Neuer Kommentar")
	again = harness.connector(served).fetch([], {})
	assert "Neuer Kommentar" in {m.text for m in again.mentions}
	assert any("ratings skipped" in warning for warning in again.warnings)


def test_unchanged_posts_are_not_read_again_and_a_new_comment_on_an_old_post_is(harness, served):
	old_post = served.add_post(text="Neue Preise ab April", kind="page_post", author=PAGE)
	served.add_post(text="Zu teuer!", reply_to=old_post.id)
	connector = harness.connector(served)
	cursor = connector.fetch([], {}).cursor
	served.add_post(text="Newer page post", kind="page_post", author=PAGE)
	late = served.add_post(text="Immer noch zu teuer", reply_to=old_post.id)
	before = len(served.requests)
	result = connector.fetch([], cursor)
	assert [m.external_id for m in result.mentions] == [late.id]
	read = [r.path for r in served.requests[before:]]
	assert f"/v21.0/{old_post.id}/comments" in read and f"/v21.0/{LAUNCH}/comments" not in read


def test_hidden_comments_are_marked_not_created_and_deleted_ones_vanish(harness, served):
	hidden = served.add_post(text="Spam spam", kind="hidden")
	gone = served.add_post(text="Ich lösche das gleich wieder")
	kept = served.add_post(text="Danke für die schnelle Hilfe")
	served.delete(gone.id)
	connector = harness.connector(served)
	result = connector.fetch([], {})
	assert [m.external_id for m in result.mentions] == [served.first_comment.id, kept.id]
	assert [(e.external_id, e.state) for e in connector.moderation] == [(hidden.id, "Hidden")]


def test_expired_token_is_auth_failed_with_the_reason_and_fbtrace_id(harness, served):
	served.token_expired = True
	with pytest.raises(AuthFailed) as caught:
		harness.connector(served).fetch([], {})
	message = str(caught.value)
	assert "expired" in message and "190" in message and "replace the token" in message
	assert "fbtrace_id" in message


def test_wrong_token_is_auth_failed(harness, served):
	with pytest.raises(AuthFailed, match="190"):
		harness.connector(served, credentials={"access_token": "nope"}).fetch([], {})


def test_high_usage_slows_down_and_leaves_old_posts_for_later(harness, served):
	post = served.add_post(text="Ankündigung", kind="page_post", author=PAGE)
	served.add_post(text="Erster Kommentar", reply_to=post.id)
	connector = harness.connector(served)
	cursor = connector.fetch([], {}).cursor
	served.add_post(text="Zweiter Kommentar", reply_to=post.id)
	served.usage = {"call_count": 91, "total_cputime": 10, "total_time": 12}
	result = connector.fetch([], cursor)
	assert result.mentions == [] and result.caught_up is False
	assert any("91 %" in warning for warning in result.warnings)
	served.usage = {"call_count": 10, "total_cputime": 10, "total_time": 12}
	assert [m.text for m in connector.fetch([], result.cursor).mentions] == ["Zweiter Kommentar"]


def test_reply_is_a_comment_on_the_comment(harness, served):
	served.add_post(text="Wo ist meine Bestellung?", author="anna")
	connector = harness.connector(served)
	mention = connector.fetch([], {}).mentions[-1]
	result = connector.reply(mention, "Wir melden uns per Nachricht!", idempotency_key="t-1")
	sent = served.requests_to(f"/v21.0/{mention.external_id}/comments")[-1]
	assert sent.method == "POST" and sent.form() == {"message": "Wir melden uns per Nachricht!"}
	assert served.replies_posted == [
		{"id": result.external_id, "to": mention.external_id, "message": "Wir melden uns per Nachricht!"}
	]


def test_test_connection_names_the_page(harness, served):
	assert harness.connector(served).test_connection() == f"Acme GmbH (Page {PAGE})"


def test_command_line_query_is_the_page_id(harness, served):
	served.add_post(text="Acme hilft")
	result = harness.connector(served, own_handle="").fetch([PAGE], {})
	assert [m.text for m in result.mentions] == ["Endlich! 🎉", "Acme hilft"]


# --- throttling and errors as plain functions ------------------------------------------------

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttling_codes_pause_for_the_estimate_or_five_minutes(code):
	body = {
		"error": {"message": "limit reached", "type": "OAuthException", "code": code, "fbtrace_id": "Ax1"}
	}
	plain = throttle_decision(400, {}, body, NOW)
	assert plain.action == "pause" and plain.until == NOW + THROTTLE_PAUSE
	headers = {
		"x-app-usage": json.dumps(
			{"call_count": 100, "total_time": 5, "total_cputime": 5, "estimated_time_to_regain_access": 12}
		)
	}
	estimated = throttle_decision(400, headers, body, NOW)
	assert estimated.until == NOW + timedelta(minutes=12)


def test_usage_headers_slow_down_before_meta_blocks():
	assert throttle_decision(200, {"X-App-Usage": '{"call_count": 40}'}, None, NOW).action == "go"
	assert (
		throttle_decision(200, {"X-Page-Usage": '{"call_count": 5, "total_time": 80}'}, None, NOW).action
		== "slow"
	)
	buc = {
		"X-Business-Use-Case-Usage": json.dumps(
			{"1": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 3}]}
		)
	}
	decision = throttle_decision(200, buc, None, NOW)
	assert decision.action == "pause" and decision.until == NOW + timedelta(minutes=3)


@pytest.mark.parametrize(
	"raw", ["not json", "[1,2]", '{"call_count": "lots"}', '{"1": [null, 5]}', '{"call_count": NaN}']
)
def test_malformed_usage_headers_are_ignored(raw):
	usage = usage_from_headers({"X-App-Usage": raw, "X-Business-Use-Case-Usage": raw})
	assert usage.percent == 0.0 and usage.regain_after is None


def test_graph_error_objects_are_read_defensively():
	error = graph_error(
		{"error": {"message": "Bad", "code": "190", "error_subcode": 460, "fbtrace_id": "A1"}}
	)
	assert (error.code, error.subcode, error.bad_token) == (190, 460, True)
	assert "password was changed" in error.reason()
	assert graph_error({"error": "nope"}) is None and graph_error([]) is None


def test_graph_timestamps_with_plus_0000_offsets_parse_on_every_python():
	assert graph_time("2026-03-02T08:01:00+0000") == datetime(2026, 3, 2, 8, 1, tzinfo=timezone.utc)
	assert graph_time(1772438460) == datetime(2026, 3, 2, 8, 1, tzinfo=timezone.utc)


def test_a_throttled_page_raises_rate_limited_without_retry(harness, served):
	served.fail("rate_limit", path=f"/v21.0/{PAGE}/feed")
	with pytest.raises(RateLimited) as caught:
		harness.connector(served).fetch([], {})
	assert "80001" in str(caught.value)
	assert len(served.requests_to(f"/v21.0/{PAGE}/feed")) == 1


def test_a_throttle_within_the_wait_budget_is_waited_out_and_the_request_sent_again(
	harness, served, reset_headers
):
	"""Graph's throttling goes through the base's budget: half a minute of Meta's estimate fits
	a minute of Rate Limit Wait, so the poll waits once, asks again and finishes."""
	harness.seed(served, 1)
	served.fail("rate_limit", path=f"/v21.0/{PAGE}/feed", headers=reset_headers(30))
	connector = harness.connector(served, throttle_wait=60)
	slept: list[float] = []
	connector.sleep = slept.append
	result = connector.fetch([], {})
	assert len(slept) == 1 and 20 < slept[0] <= 30
	assert len(served.requests_to(f"/v21.0/{PAGE}/feed")) == 2
	assert result.error is None and result.mentions


def test_a_throttle_beyond_the_wait_budget_is_not_waited_and_says_why(harness, served, reset_headers):
	harness.seed(served, 1)
	served.fail("rate_limit", path=f"/v21.0/{PAGE}/feed", headers=reset_headers(240))
	connector = harness.connector(served, throttle_wait=60)
	slept: list[float] = []
	connector.sleep = slept.append
	with pytest.raises(RateLimited) as caught:
		connector.fetch([], {})
	assert slept == [] and len(served.requests_to(f"/v21.0/{PAGE}/feed")) == 1
	assert "Graph error 80001" in str(caught.value) and TOKEN not in str(caught.value)
	assert caught.value.reset_at > datetime.now(timezone.utc) + timedelta(minutes=3)
