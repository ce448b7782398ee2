from datetime import datetime, timedelta, timezone

import pytest

from social_crm.engine.mention import Author, Mention, Platform


def make(**overrides):
	values = dict(
		platform="Mastodon",
		external_id="109",
		url="https://mastodon.example/@anna/109",
		author=Author(handle="anna@mastodon.example", name="Anna"),
		text="Hallo",
		posted_at=datetime(2026, 11, 1, 12, 0, tzinfo=timezone(timedelta(hours=1))),
	)
	values.update(overrides)
	return Mention(**values)


def test_platform_label_becomes_enum_and_time_becomes_utc():
	mention = make()
	assert mention.platform is Platform.MASTODON
	assert mention.posted_at == datetime(2026, 11, 1, 11, 0, tzinfo=timezone.utc)
	assert mention.key == ("Mastodon", "109")


def test_naive_timestamp_is_rejected():
	with pytest.raises(ValueError, match="timezone-aware"):
		make(posted_at=datetime(2026, 11, 1, 12, 0))


def test_missing_external_id_is_rejected():
	with pytest.raises(ValueError, match="external id"):
		make(external_id="")


def test_unknown_platform_is_rejected():
	with pytest.raises(ValueError):
		make(platform="MySpace")


def test_to_dict_is_json_ready_and_leaves_raw_out_by_default():
	mention = make(raw={"id": "109"})
	data = mention.to_dict()
	assert data["platform"] == "Mastodon"
	assert data["posted_at"] == "2026-11-01T11:00:00+00:00"
	assert data["author"]["handle"] == "anna@mastodon.example"
	assert "raw" not in data
	assert mention.to_dict(include_raw=True)["raw"] == {"id": "109"}
