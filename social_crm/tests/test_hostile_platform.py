"""The hostile Mastodon server through the real connector: what reaches the pipeline is normalised."""

import json
import unicodedata

import pytest

from social_crm.engine import untrusted
from social_crm.engine.connectors.base import AccountConfig, AuthFailed, get_connector
from social_crm.engine.matching import profile_key
from social_crm.engine.platform_fakes import hostile
from social_crm.engine.platform_fakes.hostile import HostileMastodon


@pytest.fixture(scope="module")
def mentions():
	with HostileMastodon(token="hostile-token") as fake:
		config = AccountConfig(
			platform="Mastodon",
			base_url=fake.base_url,
			own_handle="acme",
			credentials={"access_token": "hostile-token"},
			page_size=40,
			page_limit=5,
			timeout=5.0,
		)
		result = get_connector(config).fetch(["acme"], {})
	return {m.author.handle: m for m in result.mentions}


def test_every_payload_is_served_and_fetched(mentions):
	# "mallory\u200b@evil.example" is "mallory@evil.example" once the invisible character is out
	# (what a reader sees, and the server the handle names said so): one key less.
	assert len(mentions) == len(hostile.hostile_posts()) - 1


def test_the_json_looking_post_arrives_as_the_plain_text_the_shell_must_escape(mentions):
	post = mentions["json@evil.example"]
	assert json.loads(post.text).startswith("<img src=x onerror="), (
		"valid JSON: Frappe's sanitize_html would pass it"
	)
	assert post.author.name == f'"{hostile.XSS_IMG}"'
	assert post.author.bio == f'"{hostile.XSS_IMG}"'


def test_no_url_that_breaks_out_of_an_attribute_or_runs_script_survives(mentions):
	links = mentions["links@evil.example"]
	assert (links.url, links.author.profile_url, links.author.avatar_url) == ("", "", "")
	for mention in mentions.values():
		for url in (mention.url, mention.author.profile_url, mention.author.avatar_url):
			assert not url or untrusted.SAFE_URL.fullmatch(url)


def test_handles_are_free_of_invisible_characters_and_variants_stay_apart(mentions):
	for handle in mentions:
		assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in handle)
	assert "acme@evil.example" in mentions and "emca@evil.example" in mentions
	keys = {profile_key("Mastodon", handle)[1] for handle in mentions}
	assert "mallory@evil.example" in keys
	assert "mallóry@evil.example" in keys, "an accent variant is another person"
	assert profile_key("Mastodon", "MALLORY@evil.example") == profile_key(
		"Mastodon", hostile.REAL_CUSTOMER
	), "Mastodon handles are case-insensitive: the same account"
	assert "Acme GmbH" in {m.author.name for m in mentions.values()}, "the RTL override is gone from the name"


def test_oversized_values_arrive_capped_to_their_fields(mentions):
	long = mentions["long@evil.example"]
	assert len(long.text.encode()) > 65_535, "still longer than a Text column: the shell stores Long Text"
	assert len(long.text) <= untrusted.TEXT_LENGTH
	assert len(long.author.name) == untrusted.NAME_LENGTH and long.author.name.endswith("…")


def test_a_server_that_echoes_the_token_in_its_error_does_not_get_it_into_the_message():
	sentinel = "SENTINEL-tok-5f1c9e"
	with HostileMastodon(token="the-real-token") as fake:
		config = AccountConfig(
			platform="Mastodon",
			base_url=fake.base_url,
			own_handle="acme",
			credentials={"access_token": sentinel},
			timeout=5.0,
		)
		with pytest.raises(AuthFailed) as caught:
			get_connector(config).test_connection()
		assert fake.last_authorization == f"Bearer {sentinel}", "the server did receive it"
	assert sentinel not in str(caught.value)
	assert "is invalid" in str(caught.value)
