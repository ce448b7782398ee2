from email.utils import format_datetime

import pytest

from social_crm.engine.connectors.base import (
	AccountConfig,
	BadPayload,
	PlatformUnavailable,
	RateLimited,
	ReplyNotSupported,
	get_connector,
)
from social_crm.engine.connectors.rss import unwrap_google_redirect
from social_crm.engine.platform_fakes.rss import FakeFeeds
from social_crm.engine.platform_fakes.server import SeedPost
from social_crm.tests.connector_contract import rate_limit_in


@pytest.fixture
def served():
	with FakeFeeds() as fake:
		yield fake


def connector(fake, path="/feed.xml", **overrides):
	values = dict(platform="RSS/Atom", base_url=fake.base_url + path, retries=2, backoff=0.001, timeout=2.0)
	values.update(overrides)
	return get_connector(AccountConfig(**values))


def test_rss_entries_become_plain_text_mentions(served):
	served.add_post(
		SeedPost(
			title="Acme Cloud im Test",
			text="<p>Schnell &amp; günstig 🚀</p><p>Fazit: gut</p>",
			author_name="Eva Muster",
		)
	)
	result = connector(served).fetch([], {})
	mention = result.mentions[0]
	assert mention.text == "Acme Cloud im Test\n\nSchnell & günstig 🚀\n\nFazit: gut"
	assert mention.external_id == "https://blog.example/posts/1"
	# dc:creator is the author; the channel's <language> alone does not decide: detection does
	assert mention.author.name == "Eva Muster" and mention.author.handle == "Eva Muster@blog.example"
	assert mention.language is None


def test_unchanged_feed_costs_one_conditional_request_and_returns_nothing(served):
	served.add_post(text="Acme Cloud")
	feeds = connector(served)
	first = feeds.fetch([], {})
	again = feeds.fetch([], first.cursor)
	assert again.mentions == [] and again.requests == 1
	assert (
		served.requests[-1].headers["if-none-match"]
		== first.cursor[f"feed:{served.base_url}/feed.xml"]["etag"]
	)


def test_changed_feed_returns_only_new_entries(served):
	served.add_post(text="alt")
	feeds = connector(served)
	first = feeds.fetch([], {})
	new = served.add_post(text="neu")
	second = feeds.fetch([], first.cursor)
	assert [m.external_id for m in second.mentions] == [new.id]


def test_google_alerts_links_are_unwrapped_and_titles_plain(served):
	served.add_post(
		SeedPost(
			title="<b>Acme Cloud</b> senkt Preise",
			text="Die <b>Acme</b> GmbH &amp; Co. KG …",
			link="https://news.example/artikel?id=5&x=ä",
		)
	)
	mention = connector(served, "/alerts.atom").fetch([], {}).mentions[0]
	assert mention.url == "https://news.example/artikel?id=5&x=%C3%A4", "unwrapped, then percent-encoded"
	assert mention.text == "Acme Cloud senkt Preise\n\nDie Acme GmbH & Co. KG …"
	assert mention.external_id.startswith("tag:google.com,2013:googlealerts/feed:")


def test_unwrap_leaves_other_links_alone():
	assert (
		unwrap_google_redirect("https://example.com/a?url=https://b") == "https://example.com/a?url=https://b"
	)


@pytest.mark.parametrize("kind", ["malformed", "cut_json"])
def test_broken_feed_is_bad_payload(served, kind):
	served.add_post(text="x")
	served.fail(kind)
	with pytest.raises(BadPayload):
		connector(served).fetch([], {})


def test_a_feed_cut_off_mid_answer_is_platform_unavailable(served):
	served.add_post(text="x")
	served.fail("truncated")
	with pytest.raises(PlatformUnavailable, match="broke off its answer"):
		connector(served).fetch([], {})


def test_rate_limit_with_http_date(served):
	reset = rate_limit_in(600)
	served.fail("rate_limit", headers={"Retry-After": format_datetime(reset, usegmt=True)})
	with pytest.raises(RateLimited) as caught:
		connector(served).fetch([], {})
	assert caught.value.reset_at == reset


def test_server_errors_are_retried_then_unavailable(served):
	served.add_post(text="x")
	served.fail("server_error", times=2)
	assert len(connector(served).fetch([], {}).mentions) == 1
	served.fail("server_error", times=5)
	with pytest.raises(PlatformUnavailable):
		connector(served).fetch([], {})


def test_reply_is_not_supported(served):
	served.add_post(text="x")
	feeds = connector(served)
	with pytest.raises(ReplyNotSupported):
		feeds.reply(feeds.fetch([], {}).mentions[0], "Hallo", idempotency_key="t")


def test_paged_feeds_are_followed_by_rel_next_up_to_the_page_limit():
	with FakeFeeds(page_size=2) as fake:
		posts = [fake.add_post(text=f"Beitrag {n}") for n in range(5)]
		feeds = connector(fake)
		first = feeds.fetch([], {})
		assert sorted(m.external_id for m in first.mentions) == sorted(p.id for p in posts)
		assert [r.param("page") for r in fake.requests] == [None, "2", "3"]
		new = fake.add_post(text="neu")
		before = len(fake.requests)
		second = feeds.fetch([], first.cursor)
		assert [m.external_id for m in second.mentions] == [new.id]
		assert len(fake.requests) - before == 1  # page 1 held nothing old and new: no need for page 2
		limited = connector(fake, page_limit=2).fetch([], {})
		assert len(limited.mentions) == 4


def test_forum_entries_keep_their_authors_threads_and_own_language():
	with FakeFeeds() as fake:
		question = fake.add_post(
			SeedPost(text="Wie kündige ich Acme?", author="jana", author_name="Jana", lang=None)
		)
		answer = fake.add_post(
			SeedPost(
				text="Acme raises prices again, I am leaving.",
				author="tom",
				author_name="Tom",
				lang="en",
				reply_to=question.id,
			)
		)
		result = connector(fake, "/forum.atom").fetch([], {})
	by_id = {m.external_id: m for m in result.mentions}
	jana, tom = by_id[question.id], by_id[answer.id]
	assert (jana.author.name, tom.author.name) == ("Jana", "Tom")
	assert jana.author.handle != tom.author.handle  # two people, two profiles
	assert tom.author.profile_url == "https://forum.example/u/tom"
	assert tom.in_reply_to == question.id and jana.in_reply_to is None
	assert tom.language == "en"  # its own xml:lang over the feed's "de"
	assert jana.language is None  # only the feed said "de": detected downstream


def test_a_failing_later_page_keeps_what_came_and_the_old_cursor():
	with FakeFeeds(page_size=2) as fake:
		posts = [fake.add_post(text=f"Beitrag {n}") for n in range(5)]
		fake.fail("server_error", times=5, path="/feed.xml", skip=1)
		feeds = connector(fake)
		result = feeds.fetch([], {})
		assert isinstance(result.error, PlatformUnavailable)
		assert len(result.mentions) == 2 and result.cursor == {f"feed:{fake.base_url}/feed.xml": {}}
		retry = feeds.fetch([], result.cursor)
	assert {m.external_id for m in retry.mentions} == {p.id for p in posts}


def test_an_entry_with_an_unreadable_date_is_kept():
	with FakeFeeds() as fake:
		fake.add_post(text="gut")
		fake.add_post(text="auch gut")
		body = fake.handle

		def with_a_bad_date(request, empty):
			reply = body(request, empty)
			reply.body = reply.body.replace("<pubDate>", "<pubDate>Mon, 99 Foo 99999 ", 1)
			return reply

		fake.handle = with_a_bad_date
		result = connector(fake).fetch([], {})
	assert len(result.mentions) == 2  # the date falls back to the time of fetching
