"""Platform text is escaped exactly once for the desk, and always fits its column."""

import html
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from social_crm.escaping import error_text, escape_once, refit, safe_json

PAYLOADS = [
	'"<img src=x onerror=alert(document.cookie)>"',
	"<script>window.__xss=1</script>",
	'<a href="https://phish.example" style="position:fixed;inset:0">Acme Support</a>',
	'Tom & Jerry\'s <b>bold</b> "quote"',
]


def test_hostile_text_is_stored_without_any_markup_and_reads_back_as_written():
	for payload in PAYLOADS:
		stored = escape_once(payload)
		assert not set("<>\"'") & set(stored), "nothing the desk could read as a tag or attribute"
		assert html.unescape(stored) == payload, "stored_text gives the author's text back"


@settings(max_examples=300, deadline=None)
@given(
	st.text(alphabet=st.sampled_from(list("a&<>\"' é😀")), max_size=400),
	st.integers(min_value=2, max_value=300),
)
def test_an_escaped_value_fits_its_field_and_never_cuts_an_entity(text, limit):
	stored = escape_once(text, limit)
	assert len(stored) <= limit
	if len(html.escape(text)) <= limit:
		assert stored == html.escape(text)
	else:
		assert stored.endswith("…")
		kept = stored.removesuffix("…")
		assert html.escape(html.unescape(kept)) == kept, "no entity cut in half"
		assert text.startswith(html.unescape(kept).rstrip()), "a shortened value is a prefix of the text"
	assert len(refit(stored, max(2, limit // 2))) <= max(2, limit // 2)


def test_error_texts_and_cursors_carry_no_markup():
	assert (
		error_text(ValueError('<img src=x onerror="alert(1)">'))
		== "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
	)
	cursor = {"search:acme": {"next": "<svg onload=alert(1)>&'", "id": 5}}
	stored = safe_json(cursor)
	assert not set("<>&'") & set(stored)
	assert json.loads(stored) == cursor
