"""The trust boundary: every string a platform sends is normalised here, once.

Posts, names, handles and URLs come from anyone on the internet. Before the rest of the
engine (analysis, matching, triage) or the shell sees them, `Mention` and `Author` pass
their fields through these functions, so every connector is covered without thinking of it:

* text is NFKC-normalised (full-width and compatibility forms become the plain letters a
  reader sees), C0/C1 control characters and lone surrogates go (a database cannot store a
  lone surrogate; a control character can hide text), post text keeps newlines and tabs;
* names and handles lose zero-width and bidirectional control characters, which make
  `acme\u200b@…` or an RTL-overridden name look like someone else; a handle is one line;
* every field is capped to the length the shell stores, with an ellipsis, so an oversized
  post is stored shortened instead of failing every poll;
* URLs are accepted only as absolute http(s) URLs without quotes, spaces, control
  characters or backslashes, with the host in IDNA (punycode) form and everything else
  percent-encoded; anything else becomes "" (no link). Such a URL can be put into an HTML
  attribute or a Frappe URL field without breaking out of it.

Escaping for HTML is not done here: that is the shell's job, once, when it stores a value.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

import idna

ELLIPSIS = "…"

# Lengths of the stored fields (the shell's DocType JSON); text is Long Text.
TEXT_LENGTH = 100_000
BIO_LENGTH = 5_000
NAME_LENGTH = 255
HANDLE_LENGTH = 255
ID_LENGTH = 255
LANGUAGE_LENGTH = 16
URL_LENGTH = 1000
AUTHOR_URL_LENGTH = 500

# Bidirectional embedding, override, isolate and mark characters: they reorder what a reader
# sees (an RTL override turns "gpj.exe" into "exe.jpg") and are never needed in a handle.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZWJ = "\u200d"
# What post text loses: C0 controls but tab and newline, DEL and C1 controls, the bidi controls,
# and lone surrogates (one regex pass: posts can be long).
_TEXT_REMOVED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"\s+")
# What a URL may never contain as sent: quotes, angle brackets, backslash (browsers read it as
# "/"), backtick, whitespace, control and format characters (checked separately).
_URL_FORBIDDEN = frozenset('"<>\\`')
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_PATH_SAFE = "/%:@!$&()*+,;=-._~"
_QUERY_SAFE = "/?%:@!$&()*+,;=-._~"
_HOST = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?")
# The characters a cleaned URL consists of (RFC 3986 unreserved, reserved and "%").
SAFE_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+")


def cap(text: str, limit: int) -> str:
	"""`text` shortened to at most `limit` characters, the cut marked with an ellipsis."""
	if len(text) <= limit:
		return text
	return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def _as_str(value: object) -> str:
	if value is None:
		return ""
	return value if isinstance(value, str) else str(value)


def _nfkc(text: str) -> str:
	"""NFKC, except that "…" stays one character (NFKC makes it "..."), so a capped value
	normalised again is unchanged."""
	if ELLIPSIS not in text:
		return unicodedata.normalize("NFKC", text)
	return ELLIPSIS.join(unicodedata.normalize("NFKC", part) for part in text.split(ELLIPSIS))


def _is_invisible(char: str) -> bool:
	"""Control (Cc), format (Cf: zero-width, bidi, soft hyphen), surrogate (Cs) and line or
	paragraph separator characters: they change how text looks without being seen."""
	return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def clean_text(value: object, limit: int = TEXT_LENGTH) -> str:
	"""Post text: NFKC, line breaks as "\\n", no control, bidi or surrogate characters
	(newline and tab stay; a zero-width joiner stays for emoji sequences), capped."""
	text = _nfkc(_LINE_BREAKS.sub("\n", _as_str(value)))
	return cap(_TEXT_REMOVED.sub("", text).strip(), limit)


def clean_name(value: object, limit: int = NAME_LENGTH) -> str:
	"""A display name: one line, no control, zero-width or bidi characters (a zero-width joiner
	only between two non-letters, as in emoji sequences), capped."""
	text = _nfkc(_as_str(value))
	kept: list[str] = []
	for index, char in enumerate(text):
		if char == _ZWJ:
			before, after = text[index - 1 : index], text[index + 1 : index + 2]
			if before and after and not (before.isalnum() or after.isalnum()) and kept:
				kept.append(char)
			continue
		if not _is_invisible(char):
			kept.append(char)
		elif unicodedata.category(char) in ("Cc", "Zl", "Zp"):
			kept.append(" ")  # a line break or tab separates words
	return cap(_SPACES.sub(" ", "".join(kept)).strip(), limit)


def clean_handle(value: object, limit: int = HANDLE_LENGTH) -> str:
	"""A handle or account name: one line, NFKC, no invisible character at all, capped.
	(Case and a leading "@" are the matching step's business, per platform.)"""
	text = _nfkc(_as_str(value))
	text = "".join(
		" " if char in "\t\n\r" else char for char in text if char in "\t\n\r" or not _is_invisible(char)
	)
	# NFKC can recompose across a removed character ("a\u200b\u0301"): normalise again.
	return cap(_SPACES.sub(" ", _nfkc(text)).strip(), limit)


def clean_id(value: object, limit: int = ID_LENGTH) -> str:
	"""A platform id (status id, reply-to id, conversation id): printable, no spaces, no
	quotes, angle brackets or backslashes (no platform's ids have them), capped."""
	text = _as_str(value)
	return cap(
		"".join(
			char
			for char in text
			if not _is_invisible(char) and not char.isspace() and char not in _URL_FORBIDDEN and char != "'"
		),
		limit,
	)


def clean_language(value: object) -> str | None:
	"""A language code such as "de" or "pt-BR"; anything that is not one becomes None."""
	text = _as_str(value).strip()
	if (
		not text
		or len(text) > LANGUAGE_LENGTH
		or not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*", text)
	):
		return None
	return text


def clean_url(value: object, limit: int = URL_LENGTH) -> str:
	"""The URL as a safe absolute http(s) URL, or "" when it is not one.

	Refused outright: other schemes (javascript:, data:), relative URLs, credentials in the
	URL, bad ports or hosts, and any quote, angle bracket, backslash, backtick, whitespace,
	control or format character. Non-ASCII hosts become IDNA; non-ASCII and other unsafe
	characters in path, query and fragment are percent-encoded. A URL longer than `limit`
	after that is refused rather than cut (a cut URL points somewhere else).
	"""
	url = _as_str(value).strip()
	if not url or len(url) > limit * 3:
		return ""
	if any(char in _URL_FORBIDDEN or char.isspace() or _is_invisible(char) for char in url):
		return ""
	try:
		parts = urlsplit(url)
		port = parts.port
	except ValueError:
		return ""
	if parts.scheme.lower() not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
		return ""
	host = _clean_host(parts.hostname or "")
	if not host:
		return ""
	netloc = host if port is None else f"{host}:{port}"
	cleaned = urlunsplit(
		(
			parts.scheme.lower(),
			netloc,
			_percent_encode(parts.path, _PATH_SAFE) or ("/" if parts.query or parts.fragment else ""),
			_percent_encode(parts.query, _QUERY_SAFE),
			_percent_encode(parts.fragment, _QUERY_SAFE),
		)
	)
	if len(cleaned) > limit or not SAFE_URL.fullmatch(cleaned):
		return ""
	return cleaned


def _percent_encode(part: str, safe: str) -> str:
	return quote(_BAD_PERCENT.sub("%25", part), safe=safe)


def _clean_host(host: str) -> str:
	"""A host name in IDNA form, or an IP address literal; "" when it is neither."""
	host = host.rstrip(".")
	if not host:
		return ""
	if ":" in host:
		try:
			return f"[{ipaddress.IPv6Address(host).compressed}]"
		except ValueError:
			return ""
	if not host.isascii():
		try:
			host = idna.encode(host, uts46=True).decode("ascii")
		except (idna.IDNAError, UnicodeError, ValueError):
			return ""
	host = host.lower()
	return host if len(host) <= 253 and _HOST.fullmatch(host) else ""
