"""Webhook deliveries as Meta and YouTube document them: authenticity and meaning."""

import json
from datetime import datetime, timezone

import pytest

from social_crm.engine.connectors.base import Secret
from social_crm.engine.mention import Platform
from social_crm.engine.webhooks import (
	BadDelivery,
	delivery_key,
	parse_meta_delivery,
	parse_youtube_push,
	sign,
	signature_valid,
	verification_answer,
	youtube_verification_answer,
)

SECRET = "app-secret-0123"
PAGE = "1000001"


def page_delivery(*values, page=PAGE):
	body = {
		"object": "page",
		"entry": [
			{"id": page, "time": 1772438460, "changes": [{"field": "feed", "value": v} for v in values]}
		],
	}
	return json.dumps(body).encode()


COMMENT = {
	"from": {"id": "24000000000001", "name": "Jürgen Weiß"},
	"post": {"status_type": "added_photos", "is_published": True, "id": f"{PAGE}_900001"},
	"message": "Seit dem Update geht nichts mehr 😡",
	"post_id": f"{PAGE}_900001",
	"comment_id": "900001_500007",
	"created_time": 1772438400,
	"item": "comment",
	"parent_id": f"{PAGE}_900001",
	"verb": "add",
}


# --- signatures ------------------------------------------------------------------------------


def test_a_signature_over_the_raw_body_with_the_app_secret_is_accepted():
	body = page_delivery(COMMENT)
	assert signature_valid(body, sign(body, SECRET), SECRET)
	assert signature_valid(body, sign(body, SECRET).upper().replace("SHA256=", "sha256="), SECRET)


@pytest.mark.parametrize(
	"header",
	[
		None,
		"",
		"sha256=",
		"sha1=" + "0" * 40,
		"sha256=" + "0" * 64,
		"sha256=zz" + "0" * 62,
		"0" * 64,
		"sha256=" + "a" * 63,
	],
)
def test_missing_malformed_or_wrong_signatures_are_refused(header):
	assert not signature_valid(page_delivery(COMMENT), header, SECRET)


def test_a_tampered_body_or_another_secret_is_refused():
	body = page_delivery(COMMENT)
	header = sign(body, SECRET)
	assert not signature_valid(body.replace(b"nichts", b"alles!"), header, SECRET)
	assert not signature_valid(body, header, "other-secret")
	assert not signature_valid(body, header, "")  # an account without a secret accepts nothing
	# Re-serialising the JSON changes the bytes: only the raw body verifies.
	assert not signature_valid(json.dumps(json.loads(body), indent=1).encode(), header, SECRET)


def test_the_handshake_echoes_the_challenge_only_for_a_configured_verify_token():
	params = {"hub.mode": "subscribe", "hub.verify_token": "tok-1", "hub.challenge": "1158201444"}
	assert verification_answer(params, ["other", "tok-1"]) == "1158201444"
	assert verification_answer({**params, "hub.verify_token": "tok-2"}, ["tok-1"]) is None
	assert verification_answer({**params, "hub.mode": "unsubscribe"}, ["tok-1"]) is None
	assert verification_answer({**params, "hub.challenge": "<script>"}, ["tok-1"]) is None
	assert (
		verification_answer(params, [""]) is None
		and verification_answer({**params, "hub.verify_token": ""}, [""]) is None
	)


def test_the_shell_s_secrets_work_as_secret_objects_and_stay_hidden():
	"""The shell hands app secret and verify tokens over as Secrets (its frames show `***`)."""
	body = page_delivery(COMMENT)
	assert signature_valid(body, sign(body, SECRET), Secret(SECRET))
	assert not signature_valid(body, sign(body, SECRET), Secret("other-secret"))
	assert not signature_valid(body, sign(body, SECRET), Secret(""))
	params = {"hub.mode": "subscribe", "hub.verify_token": "tok-1", "hub.challenge": "42"}
	assert verification_answer(params, [Secret("tok-1")]) == "42"
	assert verification_answer(params, [Secret("")]) is None
	assert SECRET not in repr(Secret(SECRET)) + str(Secret(SECRET))


def test_a_retried_delivery_has_the_same_key():
	body = page_delivery(COMMENT)
	assert delivery_key(body) == delivery_key(bytes(body)) != delivery_key(page_delivery(COMMENT, page="2"))


# --- Facebook Page feed -------------------------------------------------------------------


def test_a_page_comment_becomes_a_mention_keyed_by_app_scoped_id():
	(event,) = parse_meta_delivery(page_delivery(COMMENT))
	assert (event.platform, event.account_id) == (Platform.FACEBOOK, PAGE)
	mention = event.mention
	assert mention.external_id == "900001_500007" and mention.text == "Seit dem Update geht nichts mehr 😡"
	assert mention.author.handle == "24000000000001" and mention.author.name == "Jürgen Weiß"
	assert mention.posted_at == datetime.fromtimestamp(1772438400, timezone.utc)
	assert mention.conversation_id == "900001_500007" and mention.in_reply_to == f"{PAGE}_900001"
	assert mention.url == f"https://www.facebook.com/{PAGE}_900001?comment_id=500007"


def test_visitor_posts_count_and_the_pages_own_activity_and_reactions_do_not():
	visitor = {
		"from": {"id": "24000000000002", "name": "Kunde"},
		"post_id": f"{PAGE}_900050",
		"item": "status",
		"verb": "add",
		"message": "Hallo Acme",
		"created_time": 1772438500,
	}
	own = {**COMMENT, "from": {"id": PAGE, "name": "Acme GmbH"}, "comment_id": "900001_500008"}
	reaction = {
		"from": {"id": "24000000000003"},
		"post_id": f"{PAGE}_900001",
		"item": "reaction",
		"verb": "add",
		"reaction_type": "like",
	}
	events = parse_meta_delivery(page_delivery(visitor, own, reaction))
	assert [e.mention.external_id for e in events] == [f"{PAGE}_900050"]


@pytest.mark.parametrize(("verb", "state"), [("remove", "Deleted"), ("hide", "Hidden"), ("unhide", "")])
def test_removed_and_hidden_comments_are_moderation_never_new_mentions(verb, state):
	(event,) = parse_meta_delivery(page_delivery({**COMMENT, "verb": verb, "message": None}))
	assert event.mention is None
	assert (event.moderation.external_id, event.moderation.state) == ("900001_500007", state)


@pytest.mark.parametrize(
	"body",
	[b"", b"not json", b"[]", b'{"object": "page"}', b'{"object": "page", "entry": "x"}', b"\xff\xfe"],
)
def test_bodies_that_are_no_delivery_are_bad_delivery(body):
	with pytest.raises(BadDelivery):
		parse_meta_delivery(body)


def test_odd_changes_are_skipped_without_losing_the_good_ones():
	body = json.dumps(
		{
			"object": "page",
			"entry": [
				"nonsense",
				{
					"id": PAGE,
					"time": "soon",
					"changes": [
						{
							"field": "feed",
							"value": {
								"item": "comment",
								"verb": "add",
								"comment_id": "1_2",
								"created_time": "yesterday",
							},
						},
						{"field": "feed", "value": COMMENT},
						{"field": "ratings", "value": {}},
					],
				},
			],
		}
	).encode()
	assert [e.mention.external_id for e in parse_meta_delivery(body)] == ["900001_500007"]


# --- Instagram ------------------------------------------------------------------------------


def instagram_delivery(field, value, user="17841400000000001"):
	return json.dumps(
		{
			"object": "instagram",
			"entry": [{"id": user, "time": 1772438460, "changes": [{"field": field, "value": value}]}],
		}
	).encode()


def test_an_instagram_comment_is_looked_up_with_the_delivery_as_fallback():
	value = {
		"from": {"id": "232323232", "username": "lisa.m"},
		"media": {"id": "17900000000000001", "media_product_type": "FEED"},
		"id": "17850000000000009",
		"parent_id": "17850000000000002",
		"text": "Wann kommt das Update?",
	}
	(event,) = parse_meta_delivery(instagram_delivery("comments", value))
	assert event.lookup == ("comment", "17850000000000009")
	assert event.mention.author.handle == "lisa.m" and event.mention.in_reply_to == "17850000000000002"


def test_instagram_mentions_carry_only_ids_to_look_up():
	(comment,) = parse_meta_delivery(
		instagram_delivery("mentions", {"media_id": "17920000000000001", "comment_id": "17860000000000001"})
	)
	(caption,) = parse_meta_delivery(instagram_delivery("mentions", {"media_id": "17920000000000001"}))
	assert comment.lookup == ("mentioned_comment", "17860000000000001") and comment.mention is None
	assert caption.lookup == ("mentioned_media", "17920000000000001")


def test_the_accounts_own_instagram_replies_are_not_mentions():
	value = {
		"from": {"id": "17841400000000001", "username": "acme", "self_ig_scoped_id": "1"},
		"id": "1785",
		"text": "Danke!",
		"media": {"id": "1790"},
	}
	assert parse_meta_delivery(instagram_delivery("comments", value)) == []


# --- YouTube ----------------------------------------------------------------------------------

ATOM = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">
  <link rel="hub" href="https://pubsubhubbub.appspot.com"/>
  <link rel="self" href="https://www.youtube.com/xml/feeds/videos.xml?channel_id=UCacme0000000000000000A1"/>
  <title>YouTube video feed</title>
  <updated>2026-03-02T08:00:00.000000+00:00</updated>
  <entry>
    <id>yt:video:vid00000042</id>
    <yt:videoId>vid00000042</yt:videoId>
    <yt:channelId>UCacme0000000000000000A1</yt:channelId>
    <title>Acme Cloud 2.1</title>
    <link rel="alternate" href="http://www.youtube.com/watch?v=vid00000042"/>
    <author><name>Acme GmbH</name><uri>http://www.youtube.com/channel/UCacme0000000000000000A1</uri></author>
    <published>2026-03-02T08:00:00+00:00</published>
    <updated>2026-03-02T08:00:01+00:00</updated>
  </entry>
</feed>"""


def test_a_youtube_push_names_the_new_video():
	(notice,) = parse_youtube_push(ATOM)
	assert (notice.channel_id, notice.video_id) == ("UCacme0000000000000000A1", "vid00000042")


def test_a_youtube_push_with_odd_ids_or_entities_names_nothing():
	hostile = ATOM.replace(b"vid00000042</yt:videoId>", b"../../etc</yt:videoId>")
	assert parse_youtube_push(hostile) == []
	bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&b;</title></entry></feed>'
	assert parse_youtube_push(bomb) == []


def test_the_youtube_intent_check_echoes_only_for_our_channels():
	topic = "https://www.youtube.com/xml/feeds/videos.xml?channel_id=UCacme0000000000000000A1"
	params = {
		"hub.mode": "subscribe",
		"hub.topic": topic,
		"hub.challenge": "abc123",
		"hub.lease_seconds": "432000",
	}
	assert youtube_verification_answer(params, ["UCacme0000000000000000A1"]) == "abc123"
	assert youtube_verification_answer(params, ["UCother000000000000000A1"]) is None
