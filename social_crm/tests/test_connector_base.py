from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from social_crm.engine.connectors.base import (
	AccountConfig,
	Connector,
	ConnectorError,
	Credentials,
	Secret,
	SendTimeAuth,
	connector_class,
	get_connector,
	parse_time,
	reset_time_from_headers,
)
from social_crm.engine.mention import Platform
from social_crm.engine.text import html_to_text

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
	("headers", "expected"),
	[
		({"Retry-After": "30"}, NOW + timedelta(seconds=30)),
		(
			{"Retry-After": format_datetime(NOW + timedelta(minutes=5), usegmt=True)},
			NOW + timedelta(minutes=5),
		),
		(
			{"x-rate-limit-reset": str(int((NOW + timedelta(minutes=15)).timestamp()))},
			NOW + timedelta(minutes=15),
		),
		({"X-RateLimit-Reset": "95"}, NOW + timedelta(seconds=95)),  # Reddit: seconds left
		({"X-RateLimit-Reset": "2026-03-02T12:05:00.000Z"}, NOW + timedelta(minutes=5)),  # Mastodon: ISO
		(
			{"ratelimit-reset": str(int((NOW + timedelta(seconds=300)).timestamp()))},
			NOW + timedelta(seconds=300),
		),
		({"RateLimit-Reset": "42"}, NOW + timedelta(seconds=42)),  # IETF draft: seconds
		({}, NOW + timedelta(seconds=60)),
		({"Retry-After": "soon"}, NOW + timedelta(seconds=60)),
	],
)
def test_reset_time_is_read_from_each_platforms_header(headers, expected):
	assert reset_time_from_headers(headers, now=NOW) == expected


def test_reset_in_the_past_means_now():
	assert reset_time_from_headers({"x-rate-limit-reset": "1700000000"}, now=NOW) == NOW


def test_every_open_platform_has_a_connector():
	for platform in (
		Platform.MASTODON,
		Platform.BLUESKY,
		Platform.REDDIT,
		Platform.X,
		Platform.HACKER_NEWS,
		Platform.RSS,
		Platform.FACEBOOK,
		Platform.INSTAGRAM,
		Platform.YOUTUBE,
	):
		cls = connector_class(platform)
		assert issubclass(cls, Connector) and cls.platform is platform


def test_company_page_platforms_read_their_own_pages_not_searches():
	for platform in ("Facebook", "Instagram", "YouTube"):
		connector = get_connector(AccountConfig(platform=platform))
		assert connector.supports_search is False and connector.supports_reply is True


def test_account_config_wraps_plain_credentials_and_hides_them():
	account = AccountConfig(platform="Mastodon", credentials={"access_token": "hunter2-token", "empty": ""})
	assert isinstance(account.credentials, Credentials)
	assert list(account.credentials) == ["access_token"]
	assert "hunter2" not in repr(account) and "hunter2" not in str(account)
	assert f"{account.credentials['access_token']}" == "***"
	assert account.credentials["access_token"] == Secret("hunter2-token")


def test_missing_required_credential_is_auth_failed_naming_it():
	with pytest.raises(ConnectorError, match="app password"):
		Credentials({}).reveal("app_password")


@pytest.mark.parametrize(
	("value", "expected"),
	[
		("2026-03-02T12:00:00Z", NOW),
		("2026-03-02T12:00:00.1234567Z", NOW.replace(microsecond=123456)),
		("2026-03-02T13:00:00+01:00", NOW),
		(1772452800, NOW),
	],
)
def test_parse_time_accepts_what_platforms_send(value, expected):
	assert parse_time(value) == expected


@pytest.mark.parametrize(
	("markup", "expected"),
	[
		("<p>Hallo <b>Welt</b></p><p>Zweiter Absatz</p>", "Hallo Welt\n\nZweiter Absatz"),
		("Zeile 1<br>Zeile 2<br/>Zeile 3", "Zeile 1\nZeile 2\nZeile 3"),
		("Gr&uuml;&szlig;e &amp; &#x27;Tsch&#252;ss&#39; 🎉", "Grüße & 'Tschüss' 🎉"),
		("<script>alert('x')</script><style>p{}</style>sichtbar", "sichtbar"),
		('<a href="javascript:alert(1)" onclick="x()">Link</a>', "Link"),
		(
			'<span class="invisible">https://</span><span class="ellipsis">acme.example/very</span><span class="invisible">/long</span>',
			"https://acme.example/very/long",
		),
		("<p>unclosed <i>tags", "unclosed tags"),
		("", ""),
		(None, ""),
		("a &lt;b&gt; not a tag", "a <b> not a tag"),
	],
)
def test_html_to_text(markup, expected):
	assert html_to_text(markup) == expected


def test_demo_platforms_serve_every_sample_post_through_the_real_connectors():
	from social_crm.engine.platform_fakes.demo import load_sample_posts, running_demo_platforms

	samples = load_sample_posts()
	with running_demo_platforms() as demo:
		found = []
		for account in demo.accounts:
			found += get_connector(account).fetch(demo.queries, {}).mentions
	assert len(found) == len(samples) == len({m.key for m in found})
	assert {m.language for m in found} >= {"de", "en"}
	assert {m.platform for m in found} == {
		Platform.MASTODON,
		Platform.BLUESKY,
		Platform.REDDIT,
		Platform.X,
		Platform.HACKER_NEWS,
		Platform.RSS,
		Platform.FACEBOOK,
		Platform.INSTAGRAM,
		Platform.YOUTUBE,
	}


@pytest.mark.parametrize(
	"value",
	["1e300", "inf", "-inf", "nan", "-5", "9" * 400, "Fri, 31 Dec 9999 23:59:59 GMT", "\x00\ufffd", "1e-300"],
)
def test_hostile_reset_headers_never_raise_and_never_pause_beyond_a_day(value):
	for name in ("Retry-After", "x-rate-limit-reset", "X-RateLimit-Reset", "ratelimit-reset"):
		reset = reset_time_from_headers({name: value}, now=NOW)
		assert NOW <= reset <= NOW + timedelta(hours=24)


def test_a_reset_far_in_the_future_is_capped_at_24_hours():
	assert reset_time_from_headers({"Retry-After": "999999999"}, now=NOW) == NOW + timedelta(hours=24)
	far = format_datetime(NOW + timedelta(days=3000), usegmt=True)
	assert reset_time_from_headers({"Retry-After": far}, now=NOW) == NOW + timedelta(hours=24)


def test_send_time_auth_shows_no_secret_and_signs_the_prepared_request():
	import requests

	auth = SendTimeAuth("Bearer", Secret("tok-SENTINEL"), json_body={"password": Secret("pw-SENTINEL")})
	assert "SENTINEL" not in repr(auth) and "SENTINEL" not in str(auth)
	prepared = requests.Request("POST", "http://example.invalid/x", auth=auth).prepare()
	assert prepared.headers["Authorization"] == "Bearer tok-SENTINEL"
	assert prepared.body == b'{"password": "pw-SENTINEL"}'
	assert prepared.headers["Content-Length"] == str(len(prepared.body))
	basic = requests.Request(
		"POST",
		"http://example.invalid/x",
		auth=SendTimeAuth(
			basic=(Secret("id"), Secret("sec")), form={"grant_type": "password", "p": Secret("x y")}
		),
	).prepare()
	assert basic.headers["Authorization"] == "Basic aWQ6c2Vj"
	assert basic.body == "grant_type=password&p=x+y"


def test_a_timeout_that_is_not_a_positive_number_is_refused():
	for bad in (0, -1, float("nan"), float("inf")):
		with pytest.raises(ValueError):
			AccountConfig(platform=Platform.HACKER_NEWS, timeout=bad)


def test_the_throttle_hook_lets_a_platform_slow_down_on_its_own_signal():
	"""What Meta usage headers and YouTube quotas plug into: a usable answer that pauses the rest."""
	from social_crm.engine.connectors.base import Throttle
	from social_crm.engine.platform_fakes.hackernews import FakeHackerNews

	class UsageHN(connector_class(Platform.HACKER_NEWS)):
		def throttle(self, response):
			if response.headers.get("X-App-Usage"):
				return Throttle(datetime.now(timezone.utc) + timedelta(hours=1), usable=True, reason="usage")
			return super().throttle(response)

	with FakeHackerNews() as fake:
		fake.add_many(5, text="Acme {n}")
		account = AccountConfig(platform=Platform.HACKER_NEWS, base_url=fake.base_url, page_size=2)
		connector = UsageHN(account)
		original = fake.handle

		def with_usage(request, empty):
			reply = original(request, empty)
			reply.headers["X-App-Usage"] = '{"call_count": 100}'
			return reply

		fake.handle = with_usage
		result = connector.fetch(["Acme"], {})
	assert len(result.mentions) == 2  # page 1 was used; page 2 was not asked for
	assert len(fake.requests) == 1
	assert result.paused_until is not None
	assert result.paused_until > datetime.now(timezone.utc) + timedelta(minutes=59)
