from datetime import datetime, timezone

import pytest

from social_crm.engine.connectors.base import AuthFailed, RateLimited
from social_crm.engine.connectors.youtube import next_quota_reset, quota_day, throttle_decision
from social_crm.engine.platform_fakes.youtube import CHANNEL, FakeYouTube
from social_crm.tests.connector_contract import *  # noqa: F403
from social_crm.tests.connector_contract import SECRET_MARK, Harness, rate_limit_in

KEY = f"key-{SECRET_MARK}-youtube"
REFRESH = f"refresh-{SECRET_MARK}"


@pytest.fixture
def harness():
	return Harness(
		FakeYouTube,
		"YouTube",
		search_path="/youtube/v3/commentThreads",
		streams=1,
		fake_kwargs={"api_key": KEY, "refresh_token": REFRESH},
		credentials={"api_key": KEY},
		own_handle=CHANNEL,
		auth_url_from_fake=True,
	)


@pytest.fixture
def reset_headers():
	return lambda seconds: {"Retry-After": str(seconds)}  # with a 429 rateLimitExceeded


@pytest.fixture
def rate_limit():
	return {"Retry-After": "90"}, rate_limit_in(90)


def oauth(**extra):
	return {
		"api_key": KEY,
		"client_id": "yt-client",
		"client_secret": "yt-client-secret",
		"refresh_token": REFRESH,
		**extra,
	}


def test_threads_and_their_replies_become_mentions_with_comment_links(harness, served):
	top = served.add_post(text="Seit dem Update ruckelt alles 😤", author="gamer_de", likes=7)
	reply = served.add_post(text="Same on Android", author="droid", reply_to=top.id)
	result = harness.connector(served).fetch([], {})
	by_id = {m.external_id: m for m in result.mentions}
	video = served.launch.id
	assert by_id[top.id].url == f"https://www.youtube.com/watch?v={video}&lc={top.id}"
	assert by_id[top.id].author.handle.startswith("UC") and by_id[top.id].author.name == "@gamer_de"
	assert by_id[top.id].likes == 7 and by_id[top.id].replies == 1
	assert by_id[reply.id].in_reply_to == top.id and by_id[reply.id].conversation_id == top.id
	sent = served.requests_to("/youtube/v3/commentThreads")[0]
	assert sent.param("allThreadsRelatedToChannelId") == CHANNEL
	assert (sent.param("part"), sent.param("textFormat"), sent.param("order")) == (
		"snippet,replies",
		"plainText",
		"time",
	)
	assert sent.headers["x-goog-api-key"] == KEY and "key" not in sent.query


def test_quota_units_are_counted_per_pacific_day_and_carried_between_polls(harness, served):
	harness.seed(served, 5)
	connector = harness.connector(served)
	first = connector.fetch([], {})
	assert connector.quota_state()["units"] == 3 == served.quota_used
	later = harness.connector(served)
	later.load_quota(connector.quota_state())
	later.fetch([], first.cursor)
	assert later.quota_state() == {
		"day": quota_day(datetime.now(timezone.utc)).isoformat(),
		"units": 4,
		"limit": 10_000,
	}
	yesterday = harness.connector(served)
	yesterday.load_quota({"day": "2020-01-01", "units": 9_999})
	assert yesterday.quota_state()["units"] == 0


def test_quota_exceeded_pauses_until_midnight_pacific_and_is_never_retried(harness, served):
	served.quota_limit = 0
	with pytest.raises(RateLimited) as caught:
		harness.connector(served).fetch([], {})
	assert caught.value.reset_at == next_quota_reset(datetime.now(timezone.utc))
	assert len(served.requests_to("/youtube/v3/commentThreads")) == 1


def test_a_cursor_at_the_daily_quota_does_not_call_at_all(harness, served):
	connector = harness.connector(served)
	connector.daily_quota = 5
	connector.load_quota({"day": quota_day(datetime.now(timezone.utc)).isoformat(), "units": 5})
	with pytest.raises(RateLimited, match="quota"):
		connector.fetch([], {})
	assert served.requests == []


def test_a_video_with_comments_disabled_is_a_warning_not_a_failure(harness, served):
	video = served.add_post(text="Werbespot", kind="disabled_video")
	served.add_post(text="Toll!")
	result = harness.connector(served).fetch([f"video:{video.id}", f"video:{served.launch.id}"], {})
	assert [m.text for m in result.mentions] == ["Toll!"]
	assert any("commentsDisabled" in warning for warning in result.warnings)
	assert [r.param("videoId") for r in served.requests] == [video.id, served.launch.id]  # not the channel


def test_reply_exchanges_the_refresh_token_and_answers_the_top_level_comment(harness, served):
	top = served.add_post(text="Wie kündige ich?", author="frager")
	served.add_post(text="Würde mich auch interessieren", author="zweiter", reply_to=top.id)
	connector = harness.connector(served, credentials=oauth())
	mentions = {m.text: m for m in connector.fetch([], {}).mentions}
	result = connector.reply(
		mentions["Würde mich auch interessieren"], "Unter Konto > Vertrag.", idempotency_key="t-3"
	)
	assert served.replies_posted == [
		{"id": result.external_id, "parent": top.id, "text": "Unter Konto > Vertrag."}
	]
	token_request = served.requests_to("/token")[0]
	assert (
		token_request.form()["grant_type"] == "refresh_token"
		and token_request.form()["refresh_token"] == REFRESH
	)
	insert = served.requests_to("/youtube/v3/comments")[0]
	assert (
		insert.headers["authorization"].startswith("Bearer ya29.") and "x-goog-api-key" not in insert.headers
	)


def test_reply_without_oauth_credentials_says_what_is_missing(harness, served):
	served.add_post(text="Hallo?")
	connector = harness.connector(served)
	mention = connector.fetch([], {}).mentions[0]
	with pytest.raises(AuthFailed, match="refresh token"):
		connector.reply(mention, "Hallo!", idempotency_key="t-4")


def test_test_connection_names_the_channel_and_whether_replies_work(harness, served):
	assert (
		harness.connector(served).test_connection()
		== f"Acme GmbH (channel {CHANNEL}; read only (no OAuth refresh token for replies))"
	)
	assert "replies enabled" in harness.connector(served, credentials=oauth()).test_connection()


def test_quota_reset_is_midnight_pacific_in_winter_and_summer():
	assert next_quota_reset(datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)) == datetime(
		2026, 3, 3, 8, 0, tzinfo=timezone.utc
	)
	assert next_quota_reset(datetime(2026, 7, 1, 6, 59, tzinfo=timezone.utc)) == datetime(
		2026, 7, 1, 7, 0, tzinfo=timezone.utc
	)


def test_throttle_decisions_tell_quota_from_rate_limit():
	now = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
	quota = {"error": {"code": 403, "errors": [{"reason": "quotaExceeded", "domain": "youtube.quota"}]}}
	assert throttle_decision(403, {}, quota, now).action == "pause"
	rate = {"error": {"code": 429, "errors": [{"reason": "rateLimitExceeded"}]}}
	wait = throttle_decision(429, {"Retry-After": "7"}, rate, now)
	assert (wait.action, wait.seconds) == ("wait", 7.0)
	assert (
		throttle_decision(403, {}, {"error": {"errors": [{"reason": "commentsDisabled"}]}}, now).action
		== "go"
	)
