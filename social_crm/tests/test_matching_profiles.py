import random
from datetime import datetime, timedelta, timezone

import pytest

from social_crm.engine.matching import ProfileStats, add_mention, profile_key, recompute_stats
from social_crm.engine.mention import Platform

# --- profile keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
	("handle", "instance", "key"),
	[
		("anna@mastodon.social", None, "anna@mastodon.social"),
		("@Anna@Mastodon.Social", None, "anna@mastodon.social"),
		("anna", "mastodon.social", "anna@mastodon.social"),
		("@anna", "https://Mastodon.Social/", "anna@mastodon.social"),
		("anna@chaos.social", "mastodon.social", "anna@chaos.social"),  # a remote acct keeps its server
		("https://mastodon.social/@Anna", None, "anna@mastodon.social"),
		("acct:anna@mastodon.social", None, "anna@mastodon.social"),
		("anna@münchen.social", None, "anna@xn--mnchen-3ya.social"),
	],
)
def test_mastodon_keys(handle, instance, key):
	assert profile_key("Mastodon", handle, instance) == ("Mastodon", key)


def test_local_mastodon_handle_without_instance_is_an_error():
	with pytest.raises(ValueError, match="instance"):
		profile_key(Platform.MASTODON, "anna")


@pytest.mark.parametrize("handle", ["u/Spez", "/u/spez", "@spez", "SPEZ", "user/spez", "/u/spez/"])
def test_reddit_keys(handle):
	assert profile_key("Reddit", handle) == ("Reddit", "spez")


@pytest.mark.parametrize("handle", ["Acme.DE", "@acme.de", "acme.de.", "at://acme.de"])
def test_bluesky_handles_are_lower_case_domains(handle):
	assert profile_key("Bluesky", handle) == ("Bluesky", "acme.de")


def test_bluesky_did_is_kept():
	assert profile_key("Bluesky", "did:plc:abc123xyz") == ("Bluesky", "did:plc:abc123xyz")


@pytest.mark.parametrize("handle", ["@Acme_DE", "acme_de", " ACME_DE "])
def test_x_keys(handle):
	assert profile_key(Platform.X, handle) == ("X", "acme_de")


def test_hacker_news_ids_keep_their_case():
	assert profile_key("Hacker News", "PG") == ("Hacker News", "PG")
	assert profile_key("Hacker News", "PG") != profile_key("Hacker News", "pg")


def test_youtube_channel_id_keeps_case_and_handle_does_not():
	channel = "UCBR8-60-B28hp2BmDPdntcQ"
	assert profile_key("YouTube", channel) == ("YouTube", channel)
	assert profile_key("YouTube", "@AcmeDE") == ("YouTube", "acmede")


def test_instagram_keys():
	assert profile_key("Instagram", "@Acme.Official") == ("Instagram", "acme.official")


def test_empty_handle_is_an_error():
	with pytest.raises(ValueError):
		profile_key("X", " @ ")


# --- profile stats -------------------------------------------------------------------------------

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_add_mention_counts_averages_and_keeps_the_latest_time():
	stats = ProfileStats()
	stats = add_mention(stats, 0.5, T0 + timedelta(days=2))
	stats = add_mention(stats, -1.0, T0)  # older, arrives later
	assert stats.mention_count == 2
	assert stats.last_mention_at == T0 + timedelta(days=2)
	assert stats.average_sentiment == pytest.approx(-0.25)


def test_mention_without_sentiment_counts_but_does_not_move_the_average():
	stats = add_mention(add_mention(ProfileStats(), 0.6, T0), None, T0 + timedelta(hours=1))
	assert stats.mention_count == 2
	assert stats.average_sentiment == pytest.approx(0.6)
	assert stats.last_mention_at == T0 + timedelta(hours=1)


def test_stats_loaded_from_three_stored_fields_continue_correctly():
	stored = ProfileStats(mention_count=3, last_mention_at=T0, average_sentiment=0.2)
	stats = add_mention(stored, 1.0, T0 - timedelta(days=1))
	assert stats.average_sentiment == pytest.approx((0.2 * 3 + 1.0) / 4)
	assert stats.last_mention_at == T0


def test_incremental_stats_equal_recomputed_in_any_order():
	rng = random.Random(7)
	mentions = [
		(rng.choice([None, rng.uniform(-1, 1)]), T0 + timedelta(minutes=rng.randint(0, 100_000)))
		for _ in range(200)
	]
	expected = recompute_stats(mentions)
	for _ in range(3):
		rng.shuffle(mentions)
		stats = ProfileStats()
		for sentiment, posted_at in mentions:
			stats = add_mention(stats, sentiment, posted_at)
		assert stats.mention_count == expected.mention_count == 200
		assert stats.last_mention_at == expected.last_mention_at == max(m[1] for m in mentions)
		assert stats.average_sentiment == pytest.approx(expected.average_sentiment)
		assert stats.scored_count == expected.scored_count


def test_recompute_of_nothing_is_empty():
	assert recompute_stats([]) == ProfileStats(0, None, None, 0)


def test_naive_times_are_rejected():
	with pytest.raises(ValueError):
		add_mention(ProfileStats(), 0.0, datetime(2026, 3, 1, 9, 0))
