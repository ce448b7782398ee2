import pytest

from social_crm.engine.connectors.base import AuthFailed, ReplyFailed
from social_crm.engine.platform_fakes.reddit import FakeReddit
from social_crm.engine.platform_fakes.server import SeedPost
from social_crm.tests.connector_contract import *  # noqa: F403
from social_crm.tests.connector_contract import SECRET_MARK, Harness, rate_limit_in

SECRET = f"sec-{SECRET_MARK}-reddit"
PASSWORD = f"pw-{SECRET_MARK}-reddit"
CREDENTIALS = {
	"client_id": "reddit-client",
	"client_secret": SECRET,
	"username": "acme_support",
	"password": PASSWORD,
}


@pytest.fixture
def harness():
	return Harness(
		FakeReddit,
		"Reddit",
		search_path="/search",
		fake_kwargs={"client_secret": SECRET, "password": PASSWORD},
		credentials=CREDENTIALS,
		own_handle="acme_support",
		auth_url_from_fake=True,
	)


@pytest.fixture
def reset_headers():
	return lambda seconds: {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(seconds)}


@pytest.fixture
def rate_limit():
	return {
		"x-ratelimit-used": "600",
		"x-ratelimit-remaining": "0",
		"x-ratelimit-reset": "95",
	}, rate_limit_in(95)


def test_search_uses_oauth_token_user_agent_and_maps_posts(harness, served):
	served.add_post(
		SeedPost(
			title="Acme Cloud Erfahrungen?",
			text="Ist **Acme Cloud** für Vereine gut? Grüße 🙂",
			author="max_m",
			likes=12,
			replies=3,
		)
	)
	result = harness.connector(served, user_agent="linux:social_crm:0.1 (by /u/acme_support)").fetch(
		["Acme Cloud"], {}
	)
	mention = result.mentions[0]
	assert mention.text == "Acme Cloud Erfahrungen?\n\nIst **Acme Cloud** für Vereine gut? Grüße 🙂"
	assert mention.external_id.startswith("t3_")
	assert mention.url.startswith("https://www.reddit.com/r/acme/comments/")
	assert (mention.likes, mention.replies, mention.author.handle) == (12, 3, "max_m")
	token_request = served.requests_to("/api/v1/access_token")[0]
	assert token_request.form() == {
		"grant_type": "password",
		"username": "acme_support",
		"password": PASSWORD,
	}
	search = served.requests_to("/search")[0]
	assert search.param("sort") == "new" and search.headers["authorization"].startswith(
		"bearer reddit-access-"
	)
	assert search.headers["user-agent"] == "linux:social_crm:0.1 (by /u/acme_support)"


def test_client_credentials_grant_without_user_skips_mentions(harness, served):
	harness.seed(served, 1)
	result = harness.connector(
		served, credentials={"client_id": "reddit-client", "client_secret": SECRET}
	).fetch(["Acme"], {})
	assert len(result.mentions) == 1
	assert served.requests_to("/api/v1/access_token")[0].form() == {"grant_type": "client_credentials"}
	assert served.requests_to("/message/mentions") == []


def test_expired_token_gets_a_new_one_once(harness, served):
	harness.seed(served, 1)
	connector = harness.connector(served)
	cursor = connector.fetch(["Acme"], {}).cursor
	served.expire_tokens()
	connector.fetch(["Acme"], cursor)
	assert len(served.requests_to("/api/v1/access_token")) == 2


def test_wrong_password_is_auth_failed(harness, served):
	with pytest.raises(AuthFailed, match="invalid_grant"):
		harness.connector(served, credentials={**CREDENTIALS, "password": "nope"}).fetch(["Acme"], {})


def test_own_mentions_are_username_mention_comments(harness, served):
	post = served.add_post(text="u/acme_support könnt ihr helfen?", own_mention=True)
	result = harness.connector(served).fetch([], {})
	assert [m.external_id for m in result.mentions] == [post.id]
	assert result.mentions[0].external_id.startswith("t1_")


def test_reply_posts_a_comment_on_the_thing(harness, served):
	post = served.add_post(title="Acme Cloud kaputt", text="Seit heute", author="max_m")
	connector = harness.connector(served)
	mention = connector.fetch(["Acme"], {}).mentions[0]
	result = connector.reply(mention, "Wir sind dran.", idempotency_key="t-2")
	assert served.comments_posted[-1] == {"thing_id": post.id, "text": "Wir sind dran.", "api_type": "json"}
	assert result.external_id.startswith("t1_") and result.url.startswith("https://www.reddit.com/r/acme/")


def test_reply_refused_by_reddit_is_reply_failed(harness, served):
	served.add_post(title="Acme Cloud", text="x")
	connector = harness.connector(served)
	mention = connector.fetch(["Acme"], {}).mentions[0]
	served.posts.clear()
	with pytest.raises(ReplyFailed, match="deleted"):
		connector.reply(mention, "Hallo", idempotency_key="t-3")
