import pytest

from social_crm.engine.connectors.base import ReplyNotSupported
from social_crm.engine.platform_fakes.hackernews import FakeHackerNews
from social_crm.engine.platform_fakes.server import SeedPost
from social_crm.tests.connector_contract import *  # noqa: F403
from social_crm.tests.connector_contract import Harness, rate_limit_in


@pytest.fixture
def harness():
	return Harness(FakeHackerNews, "Hacker News", search_path="/api/v1/search_by_date", streams=1)


@pytest.fixture
def reset_headers():
	return lambda seconds: {"Retry-After": str(seconds)}


@pytest.fixture
def rate_limit():
	return {"Retry-After": "120"}, rate_limit_in(120)


def test_comments_and_stories_map_to_plain_text_and_item_urls(harness, served):
	story = served.add_post(
		SeedPost(
			title="Show HN: Acme Cloud",
			text="",
			author="pg",
			likes=42,
			replies=7,
			link="https://acme.example",
		)
	)
	served.add_post(
		SeedPost(
			text="<p>Acme Cloud&#x27;s pricing is <i>odd</i> &amp; the Grüße 🙂<p>Second para",
			author="tptacek",
			kind="comment",
			reply_to=story.id,
		)
	)
	result = harness.connector(served).fetch(["Acme Cloud"], {})
	by_author = {m.author.handle: m for m in result.mentions}
	comment, top = by_author["tptacek"], by_author["pg"]
	assert comment.text == "Acme Cloud's pricing is odd & the Grüße 🙂\n\nSecond para"
	assert comment.url == f"https://news.ycombinator.com/item?id={comment.external_id}"
	assert comment.in_reply_to == story.id and comment.conversation_id == story.id
	assert top.text == "Show HN: Acme Cloud\n\nhttps://acme.example" and top.likes == 42
	request = served.requests_to("/api/v1/search_by_date")[0]
	assert request.param("tags") == "(story,comment)"


def test_incremental_poll_filters_by_created_at(harness, served):
	harness.seed(served, 2)
	connector = harness.connector(served)
	cursor = connector.fetch(["Acme"], {}).cursor
	connector.fetch(["Acme"], cursor)
	assert (
		served.requests_to("/api/v1/search_by_date")[-1].param("numericFilters").startswith("created_at_i>=")
	)


def test_reply_is_not_supported(harness, served):
	harness.seed(served, 1)
	connector = harness.connector(served)
	mention = connector.fetch(["Acme"], {}).mentions[0]
	assert connector.supports_reply is False
	with pytest.raises(ReplyNotSupported, match=r"news\.ycombinator\.com"):
		connector.reply(mention, "Hallo", idempotency_key="t-6")
