"""The account's own posts and sent replies are recognised, so they never become mentions."""

from datetime import datetime, timezone

from social_crm.engine.mention import Author, Mention
from social_crm.engine.own_posts import OwnAccount

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


def post(handle, *, platform="Mastodon", external_id="1"):
	return Mention(
		platform=platform,
		external_id=external_id,
		url="https://social.example/@x/1",
		author=Author(handle=handle),
		text="Das tut uns leid, @lena",
		posted_at=NOW,
	)


def test_local_own_handle_matches_the_instance_qualified_author():
	own = OwnAccount.of("Mastodon", ["acme"], instance="social.example")
	assert own.wrote(post("acme@social.example"))
	assert own.wrote(post("@ACME@Social.Example"))
	assert own.wrote(post("acme"))


def test_same_name_on_another_instance_is_someone_else():
	own = OwnAccount.of("Mastodon", ["acme"], instance="social.example")
	assert not own.wrote(post("acme@other.example"))
	assert not own.wrote(post("lena@social.example"))


def test_a_reply_we_sent_is_ours_whoever_the_platform_names_as_author():
	own = OwnAccount.of("Mastodon", [], instance="social.example", sent_ids=["110", "111"])
	assert own.wrote(post("renamed@social.example", external_id="111"))
	assert not own.wrote(post("renamed@social.example", external_id="112"))


def test_other_platforms_and_handles_compare_as_profiles_do():
	bluesky = OwnAccount.of("Bluesky", ["@Acme.bsky.social"])
	assert bluesky.wrote(post("acme.bsky.social", platform="Bluesky"))
	assert not bluesky.wrote(post("acme.bsky.social", platform="Mastodon"))
	reddit = OwnAccount.of("Reddit", ["u/AcmeSupport"])
	assert reddit.wrote(post("acmesupport", platform="Reddit"))


def test_without_own_handle_or_instance_nothing_is_claimed():
	assert not OwnAccount.of("Mastodon", [""]).wrote(post("acme@social.example"))
	# a local handle whose server is unknown cannot be qualified: no guess
	assert not OwnAccount.of("Mastodon", ["acme"]).wrote(post("acme@social.example"))
	assert not OwnAccount.of("X", []).wrote(post("acme", platform="X"))
