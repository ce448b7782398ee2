import pytest

from social_crm.engine.connectors.base import AuthFailed, Credentials, Secret
from social_crm.engine.platform_fakes.bluesky import FakeBluesky
from social_crm.engine.platform_fakes.server import SeedPost
from social_crm.tests.connector_contract import *  # noqa: F403
from social_crm.tests.connector_contract import SECRET_MARK, Harness, rate_limit_in

PASSWORD = f"pw-{SECRET_MARK}-bsky"


@pytest.fixture
def harness():
	return Harness(
		FakeBluesky,
		"Bluesky",
		search_path="/xrpc/app.bsky.feed.searchPosts",
		fake_kwargs={"app_password": PASSWORD},
		credentials={"app_password": PASSWORD},
		own_handle="acme.bsky.social",
	)


@pytest.fixture
def reset_headers():
	return lambda seconds: {
		"ratelimit-remaining": "0",
		"ratelimit-reset": str(int(rate_limit_in(seconds).timestamp())),
	}


@pytest.fixture
def rate_limit():
	reset = rate_limit_in(300)
	return {
		"ratelimit-limit": "3000",
		"ratelimit-remaining": "0",
		"ratelimit-reset": str(int(reset.timestamp())),
		"ratelimit-policy": "3000;w=300",
	}, reset


def test_search_maps_post_view_and_builds_bsky_app_url(harness, served):
	root = served.add_post(text="Acme Cloud: Wartung heute Nacht", author="acme.bsky.social")
	served.add_post(
		SeedPost(
			text="Acme Cloud läuft wieder 🎉 Danke! Straße frei",
			author="jana.bsky.social",
			author_name="Jana",
			lang="de",
			reply_to=root.id,
			likes=4,
			reposts=1,
		)
	)
	result = harness.connector(served).fetch(["Acme Cloud"], {})
	mention = next(m for m in result.mentions if m.author.handle == "jana.bsky.social")
	assert mention.text == "Acme Cloud läuft wieder 🎉 Danke! Straße frei"
	assert (
		mention.url
		== f"https://bsky.app/profile/jana.bsky.social/post/{mention.external_id.rsplit('/', 1)[1]}"
	)
	assert mention.in_reply_to == root.id and mention.conversation_id == root.id
	assert (mention.language, mention.likes, mention.reposts) == ("de", 4, 1)
	request = served.requests_to("/xrpc/app.bsky.feed.searchPosts")[0]
	assert request.param("sort") == "latest" and request.param("q") == "Acme Cloud"


def test_session_is_created_once_and_reused_by_the_next_poll(harness, served):
	harness.seed(served, 2)
	first = harness.connector(served).fetch(["Acme"], {})
	assert len(served.requests_to("/xrpc/com.atproto.server.createSession")) == 1
	assert set(first.credentials_update) >= {"access_jwt", "refresh_jwt"}
	for secret in first.credentials_update.values():
		assert secret.reveal() not in repr(first)
	stored = {**{"app_password": PASSWORD}, **first.credentials_update}
	later = harness.connector(served, credentials=Credentials(stored)).fetch(["Acme"], first.cursor)
	assert later.requests == 2
	assert len(served.requests_to("/xrpc/com.atproto.server.createSession")) == 1


def test_expired_token_is_refreshed_and_the_call_repeated(harness, served):
	harness.seed(served, 1)
	connector = harness.connector(served)
	first = connector.fetch(["Acme"], {})
	served.expire_tokens()
	harness.seed(served, 1, text="Acme Cloud nach Ablauf {n}")
	second = connector.fetch(["Acme"], first.cursor)
	assert len(second.mentions) == 1
	assert len(served.requests_to("/xrpc/com.atproto.server.refreshSession")) == 1
	assert second.credentials_update["access_jwt"] != first.credentials_update["access_jwt"]


def test_wrong_app_password_is_auth_failed(harness, served):
	with pytest.raises(AuthFailed, match="refused"):
		harness.connector(served, credentials={"app_password": "wrong"}).fetch(["Acme"], {})


def test_own_mentions_come_from_notifications(harness, served):
	post = served.add_post(text="@acme.bsky.social wo ist meine Rechnung?", own_mention=True)
	result = harness.connector(served).fetch([], {})
	assert [m.external_id for m in result.mentions] == [post.id]


def test_reply_references_root_and_parent(harness, served):
	root = served.add_post(text="Acme Cloud Frage", author="jana.bsky.social")
	child = served.add_post(text="Acme Cloud Nachfrage", author="ben.bsky.social", reply_to=root.id)
	connector = harness.connector(served)
	mention = next(m for m in connector.fetch(["Acme"], {}).mentions if m.external_id == child.id)
	result = connector.reply(mention, "Danke, wir melden uns!", idempotency_key="t-1")
	record = served.created_records[-1]
	assert record["repo"] == served.did and record["collection"] == "app.bsky.feed.post"
	assert record["record"]["reply"]["root"]["uri"] == root.id
	assert record["record"]["reply"]["parent"] == {"uri": child.id, "cid": served.cid(child)}
	assert record["record"]["text"] == "Danke, wir melden uns!"
	assert result.url.startswith("https://bsky.app/profile/acme.bsky.social/post/")


def test_test_connection_names_the_handle(harness, served):
	assert harness.connector(served).test_connection() == "acme.bsky.social"


def test_secret_value_hidden():
	assert SECRET_MARK not in repr(Secret(PASSWORD)) + str(Secret(PASSWORD))
