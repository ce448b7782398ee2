"""The trust boundary: whatever a platform sends, no dangerous URL or invisible character gets through."""

import unicodedata
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from social_crm.engine import untrusted
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.untrusted import clean_handle, clean_id, clean_name, clean_text, clean_url

INVISIBLE = ("Cc", "Cf", "Cs", "Zl", "Zp")
URL_BREAKERS = set("\"'<> \\`\t\n\r")

# Strings built to hit the interesting parts: URL syntax, quotes, controls, bidi, zero-width, IDN.
url_parts = st.sampled_from(
	[
		"http://",
		"https://",
		"HTTPS://",
		"javascript:",
		"data:",
		"//",
		"@",
		":",
		"/",
		"?",
		"#",
		"%",
		"%2",
		"%41",
		'"',
		"'",
		"<",
		">",
		"\\",
		"`",
		" ",
		"\t",
		"\n",
		"\x00",
		"\x7f",
		"\x85",
		"\u200b",
		"\u202e",
		"\u2066",
		"münchen.de",
		"xn--",
		"example.com",
		"[::1]",
		"127.0.0.1",
		":8080",
		":99999",
		"onanimationstart=",
		"alert(1)",
		"a",
		"é",
		"😀",
		"\ud800",
		".",
		"-",
		"_",
		"user:pw@",
	]
)
hostile_text = st.one_of(st.text(), st.lists(url_parts, max_size=12).map("".join))


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_a_cleaned_url_is_empty_or_a_safe_absolute_http_url(value):
	url = clean_url(value)
	if url:
		assert url.startswith(("http://", "https://"))
		assert untrusted.SAFE_URL.fullmatch(url)
		assert not URL_BREAKERS & set(url), "nothing that ends an HTML attribute or a URL"
		assert url.isascii()
		assert clean_url(url) == url, "cleaning is idempotent"


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_a_cleaned_handle_or_name_has_no_invisible_character_and_fits(value):
	for cleaned, limit in (
		(clean_handle(value), untrusted.HANDLE_LENGTH),
		(clean_name(value), untrusted.NAME_LENGTH),
	):
		assert len(cleaned) <= limit
		assert "\n" not in cleaned and "\t" not in cleaned
		assert not cleaned.startswith(" ") and not cleaned.endswith(" ")
		cleaned.encode("utf-8")  # no lone surrogate: the database can store it
	handle = clean_handle(value)
	assert not any(unicodedata.category(char) in INVISIBLE for char in handle)
	assert clean_handle(handle) == handle
	name = clean_name(value)
	assert not any(unicodedata.category(char) in INVISIBLE and char != "\u200d" for char in name)


@settings(max_examples=200, deadline=None)
@given(hostile_text, st.integers(min_value=1, max_value=300))
def test_cleaned_text_keeps_only_newline_and_tab_of_the_controls_and_is_capped(value, limit):
	text = clean_text(value, limit)
	assert len(text) <= limit
	assert all(char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs") for char in text)
	assert not set(text) & untrusted._BIDI
	text.encode("utf-8")
	assert clean_text(text, limit) == text, "cleaning is idempotent (a stored value re-read stays the same)"


@pytest.mark.parametrize(
	"value",
	[
		'https://evil.example/" onanimationstart="alert(document.cookie)',
		"https://evil.example/x' onmouseover='alert(1)",
		"javascript:alert(1)",
		"JaVaScRiPt:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"https://good.example\\@evil.example/",
		"https://user:secret@good.example/",
		"//evil.example/path",
		"/relative/path",
		"https://good.example:99999/",
		"https://exa mple.com/",
		"https://good.example/\u202egpj.exe",
		"https://good\u200b.example/",
		"https://good.example/<script>",
		"http:///nohost",
	],
)
def test_hostile_urls_are_dropped(value):
	assert clean_url(value) == ""


def test_good_urls_keep_their_meaning_in_a_safe_form():
	assert clean_url("https://mastodon.social/@anna/1234") == "https://mastodon.social/@anna/1234"
	assert clean_url("HTTPS://München.DE/straße?q=ä#x") == "https://xn--mnchen-3ya.de/stra%C3%9Fe?q=%C3%A4#x"
	assert clean_url("http://127.0.0.1:8080/a%20b?c=100%") == "http://127.0.0.1:8080/a%20b?c=100%25"
	assert clean_url("https://example.com/{x}|^") == "https://example.com/%7Bx%7D%7C%5E"
	assert clean_url("https://[::1]:443/") == "https://[::1]:443/"
	assert clean_url("https://example.com/" + "a" * 2000) == "", (
		"too long to store: no link rather than a cut one"
	)


def test_spoofing_characters_leave_handles_and_names():
	assert clean_handle("acme\u200b@social.example") == "acme@social.example"
	assert clean_handle("\u202eemca@social.example") == "emca@social.example"
	assert clean_handle("ｍａｌｌｏｒｙ@evil.example") == "mallory@evil.example", (
		"NFKC: full-width looks like ASCII"
	)
	assert clean_handle("mallóry@evil.example") != "mallory@evil.example", (
		"a different letter stays different"
	)
	assert clean_name("Acme\u2066 Support\u2069\nTeam") == "Acme Support Team"
	assert clean_name("Anna 👩\u200d💻") == "Anna 👩\u200d💻", "the joiner of an emoji sequence stays"
	assert clean_name("Ac\u200dme") == "Acme"


def test_post_text_keeps_paragraphs_and_loses_controls():
	assert clean_text("Hallo\r\nWelt\x00\x1b[31m\u202e!\u0085neu\ttab") == "Hallo\nWelt[31m!\nneu\ttab"
	assert clean_text("\ud83d lone surrogate") == "lone surrogate"


def test_long_values_are_capped_with_an_ellipsis_to_the_field_length():
	assert clean_text("x" * 200_000) == "x" * (untrusted.TEXT_LENGTH - 1) + "…"
	assert len(clean_name("N" * 1000)) == untrusted.NAME_LENGTH
	assert clean_name("N" * 1000).endswith("…")
	assert clean_id("1 2\u200b3") == "123"
	assert clean_id("<img src=x>\"'") == "imgsrc=x"


def test_every_mention_passes_the_boundary_whatever_the_connector_did():
	mention = Mention(
		platform=Platform.MASTODON,
		external_id=" 42\u200b ",
		url='https://evil.example/" onanimationstart="alert(1)',
		author=Author(
			handle="acme\u200b@social.example",
			name="A" * 600,
			profile_url="javascript:alert(1)",
			avatar_url="https://cdn.example/ä.png",
			followers=10**30,
			bio="<b>bio</b>\x07",
		),
		text="x" * 70_000 + "\x00",
		posted_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
		language='de"><script>',
		likes=-5,
		uid="https://social.example/users/acme/statuses/42",
	)
	assert mention.external_id == "42"
	assert mention.url == ""
	assert mention.author.handle == "acme@social.example"
	assert len(mention.author.name) == untrusted.NAME_LENGTH
	assert mention.author.profile_url == ""
	assert mention.author.avatar_url == "https://cdn.example/%C3%A4.png"
	assert mention.author.followers == 2**31 - 1
	assert mention.author.bio == "<b>bio</b>", (
		"HTML is the shell's to escape; only the control character goes"
	)
	assert len(mention.text) == 70_000
	assert mention.language is None
	assert mention.likes == 0
	assert mention.key == ("Mastodon", "https://social.example/users/acme/statuses/42")
