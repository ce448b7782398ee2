import pytest

from social_crm.engine.connectors.base import AuthFailed
from social_crm.engine.platform_fakes.graph import business_usage_header
from social_crm.engine.platform_fakes.instagram import FakeInstagram
from social_crm.engine.platform_fakes.server import SeedPost
from social_crm.tests.connector_contract import *  # noqa: F403
from social_crm.tests.connector_contract import SECRET_MARK, Harness, rate_limit_in

TOKEN = f"ig-{SECRET_MARK}-token"
USER = "17841400000000001"
LAUNCH = "17900000000000001"  # the fake's first media


@pytest.fixture
def harness():
	return Harness(
		FakeInstagram,
		"Instagram",
		search_path=f"/v21.0/{LAUNCH}/comments",
		fake_kwargs={"token": TOKEN, "user_id": USER, "first_comment": True},
		credentials={"access_token": TOKEN},
		own_handle=USER,
	)


@pytest.fixture
def reset_headers():
	"""Meta's estimate is in minutes (whole ones in its examples); the shared fault suite's
	short throttles of a few seconds are written as a fraction of a minute."""
	return lambda seconds: business_usage_header(USER, "instagram", seconds / 60)


@pytest.fixture
def rate_limit():
	return business_usage_header(USER, "instagram", 5, cputime=3, total_time=9), rate_limit_in(300)


def test_comments_and_replies_link_to_the_media_permalink_and_key_authors_by_username(harness, served):
	comment = served.add_post(text="Wo bleibt der Dark Mode? 🙏", author="lisa.m")
	reply = served.add_post(text="+1 from me", author="tom_uk", reply_to=comment.id)
	result = harness.connector(served).fetch([], {})
	by_id = {m.external_id: m for m in result.mentions}
	permalink = served.render_media(served.launch)["permalink"]
	assert by_id[comment.id].url == permalink == by_id[reply.id].url
	assert by_id[comment.id].author.handle == "lisa.m"
	assert by_id[comment.id].author.profile_url == "https://www.instagram.com/lisa.m/"
	assert by_id[reply.id].in_reply_to == comment.id and by_id[comment.id].in_reply_to == LAUNCH
	assert "username" in served.requests_to(f"/v21.0/{LAUNCH}/comments")[0].param("fields")


def test_media_the_account_is_tagged_in_are_mentions(harness, served):
	tagged = served.add_post(text="Unser Team-Event mit @acme", kind="tagged_media", author="event_gmbh")
	result = harness.connector(served).fetch([], {})
	mention = next(m for m in result.mentions if m.external_id == tagged.id)
	assert mention.author.handle == "event_gmbh" and mention.url.startswith("https://www.instagram.com/p/")


def test_media_without_new_comments_cost_nothing(harness, served):
	other = served.add_post(text="Zweites Bild", kind="media", author="acme")
	served.add_post(text="Schön!", reply_to=other.id)
	connector = harness.connector(served)
	cursor = connector.fetch([], {}).cursor
	late = served.add_post(text="Und wann kommt es nach Österreich?", reply_to=other.id)
	before = len(served.requests)
	result = connector.fetch([], cursor)
	assert [m.external_id for m in result.mentions] == [late.id]
	assert [r.path for r in served.requests[before:]] == [
		f"/v21.0/{USER}/media",
		f"/v21.0/{other.id}/comments",  # comment threads first, then the tags
		f"/v21.0/{USER}/tags",
	]


def test_hidden_comments_mark_instead_of_creating(harness, served):
	hidden = served.add_post(text="Kauft Follower bei mir", kind="hidden", author="spam_bot")
	connector = harness.connector(served)
	result = connector.fetch([], {})
	assert hidden.id not in {m.external_id for m in result.mentions}
	assert [(e.external_id, e.state) for e in connector.moderation] == [(hidden.id, "Hidden")]


def test_mentions_are_read_by_the_ids_a_webhook_delivers(harness, served):
	elsewhere = served.add_post(text="Foto vom Konzert", kind="mentioned_media", author="band")
	mention = served.add_post(
		SeedPost(text="@acme euer Stand war super!", kind="mention", author="fan", reply_to=elsewhere.id)
	)
	connector = harness.connector(served)
	found = connector.mentioned_comment(mention.id)
	assert (found.external_id, found.text, found.author.handle) == (
		mention.id,
		"@acme euer Stand war super!",
		"fan",
	)
	assert found.url == served.render_media(elsewhere)["permalink"]
	media = connector.mentioned_media(elsewhere.id)
	assert media.external_id == elsewhere.id and media.author.handle == "band"
	lookup = served.requests_to(f"/v21.0/{USER}")[0]
	assert lookup.param("fields").startswith(f"mentioned_comment.comment_id({mention.id})")


def test_a_reply_to_a_reply_goes_to_its_top_level_comment(harness, served):
	top = served.add_post(text="Ist das Angebot noch gültig?", author="kundin")
	served.add_post(text="Frage ich mich auch", author="zweite", reply_to=top.id)
	connector = harness.connector(served)
	mentions = {m.text: m for m in connector.fetch([], {}).mentions}
	connector.reply(mentions["Frage ich mich auch"], "Ja, bis Freitag!", idempotency_key="t-2")
	assert served.replies_posted[-1]["to"] == top.id
	sent = served.requests_to(f"/v21.0/{top.id}/replies")[-1]
	assert sent.method == "POST" and sent.form() == {"message": "Ja, bis Freitag!"}


def test_test_connection_names_the_account(harness, served):
	assert harness.connector(served).test_connection() == f"@acme (Instagram account {USER})"


def test_wrong_token_is_auth_failed(harness, served):
	with pytest.raises(AuthFailed, match="190"):
		harness.connector(served, credentials={"access_token": "nope"}).fetch([], {})
