import pytest

from social_crm.engine.connectors.base import AuthFailed, Credentials, ReplyResult
from social_crm.engine.platform_fakes.mastodon import FakeMastodon
from social_crm.engine.platform_fakes.server import SeedPost, iso_z
from social_crm.tests.connector_contract import *  # noqa: F403
from social_crm.tests.connector_contract import SECRET_MARK, Harness, rate_limit_in

TOKEN = f"tok-{SECRET_MARK}-mastodon"


@pytest.fixture(params=["search", "tag"])
def harness(request):
	"""Full-text search (max_id paging, ends with an empty page) and a hashtag timeline (Link)."""
	if request.param == "tag":
		return Harness(
			FakeMastodon,
			"Mastodon",
			search_path="/api/v1/timelines/tag/AcmeCloud",
			query="#AcmeCloud",
			seed_suffix=" #AcmeCloud",
			trailing_empty_page=1,
			fake_kwargs={"token": TOKEN},
			credentials={"access_token": TOKEN},
		)
	return Harness(
		FakeMastodon,
		"Mastodon",
		search_path="/api/v2/search",
		trailing_empty_page=1,
		search_has_cursor=False,
		fake_kwargs={"token": TOKEN},
		credentials={"access_token": TOKEN},
	)


@pytest.fixture
def reset_headers():
	return lambda seconds: {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": iso_z(rate_limit_in(seconds))}


@pytest.fixture
def rate_limit():
	reset = rate_limit_in(240)
	return {
		"X-RateLimit-Limit": "300",
		"X-RateLimit-Remaining": "0",
		"X-RateLimit-Reset": iso_z(reset),
	}, reset


def test_html_emoji_and_umlauts_become_plain_text_and_fields_are_mapped(harness, served):
	parent = served.add_post(text="Acme Cloud ist da", author="acme")
	served.add_post(
		SeedPost(
			text='<p>Grüße aus Köln 🎉 &amp; danke, <span class="h-card"><a href="https://social.example/@acme">@<span>acme</span></a></span>!</p>'
			"<p>Zweite Zeile<br>dritte Zeile <script>alert(1)</script>ß</p>",
			author="jörg@bonn.social",
			author_name="Jörg",
			lang="de",
			reply_to=parent.id,
			likes=3,
			replies=1,
			reposts=2,
			followers=77,
		)
	)
	result = harness.connector(served).fetch(["Acme"], {})
	mention = next(m for m in result.mentions if m.author.name == "Jörg")
	assert mention.text == "Grüße aus Köln 🎉 & danke, @acme!\n\nZweite Zeile\ndritte Zeile ß"
	assert mention.language == "de"
	assert mention.in_reply_to == parent.id
	assert (mention.likes, mention.replies, mention.reposts) == (3, 1, 2)
	assert mention.author.handle == "jörg@bonn.social"
	assert mention.author.followers == 77
	assert mention.url.startswith("https://social.example/@j%C3%B6rg/"), "non-ASCII paths are percent-encoded"


def test_hashtags_use_the_public_tag_timeline_and_follow_the_link_header(harness, served):
	posts = [served.add_post(text=f"Neu: #AcmeCloud Teil {n}") for n in range(5)]
	served.add_post(text="ohne Tag")
	connector = harness.connector(served, credentials={})
	result = connector.fetch(["#AcmeCloud"], {})
	assert sorted(m.external_id for m in result.mentions) == sorted(p.id for p in posts)
	tag_requests = served.requests_to("/api/v1/timelines/tag/AcmeCloud")
	# 2 + 2 + 1, and the page after the last one is empty and has no Link rel="next"
	assert len(tag_requests) == 4
	assert tag_requests[1].param("max_id") == posts[3].id  # from Link rel="next"
	assert "authorization" not in tag_requests[0].headers


def test_a_page_shorter_than_the_limit_is_not_the_last_one(harness, served):
	"""The server filters and caps pages: only a missing Link rel="next" ends the timeline."""
	posts = [served.add_post(text=f"Neu: #AcmeCloud Teil {n}") for n in range(6)]
	posts[4].hidden = True  # filtered by the server: page 1 has one status instead of two
	result = harness.connector(served, credentials={}).fetch(["#AcmeCloud"], {})
	assert sorted(m.external_id for m in result.mentions) == sorted(p.id for p in posts if not p.hidden)


def test_limit_is_capped_at_the_documented_40(harness, served):
	for n in range(45):
		served.add_post(text=f"#AcmeCloud {n}")
	result = harness.connector(served, credentials={}, page_size=80).fetch(["#AcmeCloud"], {})
	assert len(result.mentions) == 45
	first = served.requests_to("/api/v1/timelines/tag/AcmeCloud")[0]
	assert first.param("limit") == "40"


def test_search_without_a_token_is_skipped_with_a_warning(harness, served):
	served.add_post(text="Acme Cloud #acme")
	result = harness.connector(served, credentials={}).fetch(["Acme Cloud", "#acme"], {})
	assert len(result.mentions) == 1
	assert served.requests_to("/api/v2/search") == []
	assert any("needs an access token" in warning for warning in result.warnings)


def test_own_mentions_come_from_mention_notifications(harness, served):
	post = served.add_post(text="@acme hilft mir keiner?", own_mention=True)
	result = harness.connector(served).fetch([], {})
	assert [m.external_id for m in result.mentions] == [post.id]
	assert served.requests_to("/api/v1/notifications")[0].query["types[]"] == ["mention"]


def test_wrong_token_is_auth_failed(harness, served):
	with pytest.raises(AuthFailed, match="401"):
		harness.connector(served, credentials={"access_token": "nope"}).fetch(["Acme"], {})


def test_reply_posts_status_in_reply_with_idempotency_key(harness, served):
	served.add_post(text="Acme Cloud ist down?", author="anna")
	connector = harness.connector(served)
	mention = connector.fetch(["Acme"], {}).mentions[0]
	first = connector.reply(mention, "Wir schauen es uns an!", idempotency_key="ticket-7-reply-1")
	again = connector.reply(mention, "Wir schauen es uns an!", idempotency_key="ticket-7-reply-1")
	assert isinstance(first, ReplyResult)
	assert again == first
	sent = served.requests_to("/api/v1/statuses")
	assert [r.headers["idempotency-key"] for r in sent] == ["ticket-7-reply-1"] * 2
	body = sent[0].json()
	assert body["in_reply_to_id"] == mention.external_id
	assert body["status"] == "@anna@social.example Wir schauen es uns an!"
	assert sent[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_test_connection_names_the_account(harness, served):
	assert harness.connector(served).test_connection() == "acme"


def test_credentials_never_show_in_repr():
	creds = Credentials({"access_token": TOKEN})
	assert SECRET_MARK not in repr(creds) and SECRET_MARK not in str(creds["access_token"])
	assert f"{creds['access_token']}" == "***"
	assert creds.reveal("access_token") == TOKEN
