import pytest

from social_crm.engine.connectors.base import AuthFailed, RequestRejected
from social_crm.engine.platform_fakes.server import SeedPost
from social_crm.engine.platform_fakes.x import FakeX
from social_crm.tests.connector_contract import *  # noqa: F403
from social_crm.tests.connector_contract import SECRET_MARK, Harness, rate_limit_in

BEARER = f"bearer-{SECRET_MARK}-x"
USER = f"user-{SECRET_MARK}-x"


@pytest.fixture
def harness():
	return Harness(
		FakeX,
		"X",
		search_path="/2/tweets/search/recent",
		page_size=10,
		streams=1,
		own_handle="",
		fake_kwargs={"bearer_token": BEARER, "user_token": USER},
		credentials={"bearer_token": BEARER, "user_access_token": USER},
	)


@pytest.fixture
def reset_headers():
	return lambda seconds: {
		"x-rate-limit-remaining": "0",
		"x-rate-limit-reset": str(int(rate_limit_in(seconds).timestamp())),
	}


@pytest.fixture
def rate_limit():
	reset = rate_limit_in(900)
	return {
		"x-rate-limit-limit": "450",
		"x-rate-limit-remaining": "0",
		"x-rate-limit-reset": str(int(reset.timestamp())),
	}, reset


def test_search_joins_includes_users_and_unescapes_text(harness, served):
	parent = served.add_post(text="Acme Cloud ist toll", author="acme")
	served.add_post(
		SeedPost(
			text="Acme Cloud & Co. <3 Grüße aus München 🥨",
			author="sepp",
			author_name="Sepp",
			lang="de",
			reply_to=parent.id,
			likes=5,
			followers=999,
		)
	)
	result = harness.connector(served).fetch(["Acme Cloud"], {})
	mention = next(m for m in result.mentions if m.author.handle == "sepp")
	assert mention.text == "Acme Cloud & Co. <3 Grüße aus München 🥨"
	assert mention.url == f"https://x.com/sepp/status/{mention.external_id}"
	assert (mention.author.name, mention.author.followers, mention.likes, mention.language) == (
		"Sepp",
		999,
		5,
		"de",
	)
	assert mention.in_reply_to == parent.id and mention.conversation_id == parent.id
	request = served.requests_to("/2/tweets/search/recent")[0]
	assert request.param("expansions") == "author_id"
	assert "public_metrics" in request.param("user.fields")
	assert request.headers["authorization"] == f"Bearer {BEARER}"


def test_incremental_poll_sends_since_id(harness, served):
	harness.seed(served, 2)
	connector = harness.connector(served)
	cursor = connector.fetch(["Acme"], {}).cursor
	connector.fetch(["Acme"], cursor)
	assert (
		served.requests_to("/2/tweets/search/recent")[-1].param("since_id")
		== cursor["search:Acme"]["newest"]["id"]
	)


def test_own_handle_adds_a_mentions_search(harness, served):
	post = served.add_post(text="@acme hallo?", own_mention=True)
	result = harness.connector(served, own_handle="acme").fetch([], {})
	assert [m.external_id for m in result.mentions] == [post.id]
	assert served.requests_to("/2/tweets/search/recent")[0].param("query") == "@acme"


def test_page_size_below_ten_is_raised_to_the_api_minimum(harness, served):
	harness.seed(served, 1)
	harness.connector(served, page_size=5).fetch(["Acme"], {})
	assert served.requests_to("/2/tweets/search/recent")[0].param("max_results") == "10"


def test_reply_uses_user_token_and_reply_field(harness, served):
	served.add_post(text="Acme Cloud down?", author="sepp")
	connector = harness.connector(served, own_handle="acme")
	mention = connector.fetch(["Acme Cloud"], {}).mentions[0]
	result = connector.reply(mention, "Wir prüfen das.", idempotency_key="t-4")
	request = served.requests_to("/2/tweets")[-1]
	assert request.method == "POST" and request.headers["authorization"] == f"Bearer {USER}"
	assert request.json() == {
		"text": "Wir prüfen das.",
		"reply": {"in_reply_to_tweet_id": mention.external_id},
	}
	assert result.url == f"https://x.com/acme/status/{result.external_id}"


def test_reply_without_user_token_says_what_is_missing(harness, served):
	served.add_post(text="Acme Cloud?", author="sepp")
	connector = harness.connector(served, credentials={"bearer_token": BEARER})
	mention = connector.fetch(["Acme"], {}).mentions[0]
	with pytest.raises(AuthFailed, match="user access token"):
		connector.reply(mention, "Hallo", idempotency_key="t-5")


def test_parameter_the_api_rejects_is_request_rejected(harness, served):
	connector = harness.connector(served)
	connector.max_page_size = 500
	connector.account.page_size = 300
	with pytest.raises(RequestRejected, match="400"):
		connector.fetch(["Acme"], {})
