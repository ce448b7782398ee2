"""Text from platforms, escaped for the desk exactly once, at the moment it is stored.

The desk renders Data, Text and Small Text values as HTML in lists, read-only fields, report
columns, print views and titles. Frappe's own save-time filter (`sanitize_html`) is no guard
for platform text: it returns every value that parses as JSON unchanged (a post that is just
`"<img src=x onerror=…>"` in quotes is valid JSON) and keeps allowed tags live (`<a style>`
phishing links, `<img>` tracking pixels). So the shell escapes every platform string with
`html.escape` before it is stored: the stored value then holds no "<" at all, Frappe's filter
leaves it alone, and the desk shows exactly what the author wrote. `stored_text` (in
stored_mention.py) is the inverse, for analysis and replies.

Values are capped *after* escaping, so an escaped value always fits its column (an "&" is
five characters once escaped) and no entity is ever cut in half.
"""

import html
import json

from social_crm.engine.untrusted import ELLIPSIS

# Length of the fields this module fills (the DocType JSON and Frappe's own doctypes).
DATA_LENGTH = 140  # a Data field without a length (Communication.sender_full_name, subjects)
LONG_DATA_LENGTH = 255
ERROR_LENGTH = 2000


def escape_once(text: str | None, limit: int | None = None) -> str:
	"""`text` (plain, as the author wrote it) HTML-escaped, at most `limit` characters long;
	a cut is marked with an ellipsis and never falls inside an entity."""
	escaped = html.escape(text or "", quote=True)
	if limit is None or len(escaped) <= limit:
		return escaped
	room = limit - len(ELLIPSIS)
	parts, used = [], 0
	for char in text or "":
		piece = html.escape(char, quote=True)
		if used + len(piece) > room:
			break
		parts.append(piece)
		used += len(piece)
	return "".join(parts).rstrip() + ELLIPSIS


def refit(escaped: str | None, limit: int) -> str:
	"""An already escaped value shortened to `limit` characters (for a shorter field elsewhere,
	such as the 140 characters of a Communication's sender name)."""
	if len(escaped or "") <= limit:
		return escaped or ""
	return escape_once(html.unescape(escaped or ""), limit)


def error_text(error: BaseException | str, limit: int = ERROR_LENGTH) -> str:
	"""An error message that may quote what a platform answered, safe for a field or dialog."""
	return escape_once(str(error), limit)


def safe_json(value) -> str:
	"""JSON for a JSON field that the desk shows: the same data when parsed, but "<", ">", "&"
	and "'" as \\u escapes so no platform-supplied cursor or URL can become markup."""
	text = json.dumps(value, ensure_ascii=False, default=str)
	for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
		text = text.replace(char, escape)
	return text
