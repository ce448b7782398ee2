"""Property tests: whatever a platform (or a user typing a query) sends, only typed errors come out.

Every payload parser is fed arbitrary JSON shaped like its platform's answer (the documented
keys, any values) and arbitrary bytes, over a transport adapter instead of a socket, so each
example costs microseconds. A crash (KeyError, TypeError, AttributeError, OverflowError, ...)
would reach the shell as an unexpected exception with its frames' locals; a ConnectorError
is what the shell turns into a readable reason.
"""

from __future__ import annotations

import io
import json

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from social_crm.engine.connectors.base import AccountConfig, ConnectorError, Stream, get_connector
from social_crm.engine.query import QuerySyntaxError, parse

KEYS = [
	"id", "uri", "cid", "record", "createdAt", "indexedAt", "author", "handle", "displayName", "text",
	"langs", "reply", "parent", "root", "data", "children", "name", "kind", "created_utc", "title",
	"selftext", "body", "permalink", "after", "hits", "objectID", "created_at_i", "nbPages", "page",
	"comment_text", "story_text", "parent_id", "story_id", "points", "statuses", "account", "acct",
	"content", "created_at", "url", "language", "reblog", "in_reply_to_id", "meta", "next_token",
	"includes", "users", "username", "author_id", "referenced_tweets", "public_metrics", "cursor",
	"posts", "notifications", "reason", "type", "status", "lang", "likeCount", "score", "$type",
]  # fmt: skip

leaves = (
	st.none()
	| st.booleans()
	| st.integers(min_value=-(2**70), max_value=2**70)
	| st.floats(allow_nan=True, allow_infinity=True)
	| st.text(max_size=30)
	| st.sampled_from(["2026-03-02T08:00:00.000Z", "t3_abc", "at://did:plc:x/app.bsky.feed.post/1", "123"])
)
json_values = st.recursive(
	leaves,
	lambda children: (
		st.lists(children, max_size=4)
		| st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=8)
	),
	max_leaves=40,
)
bodies = st.one_of(
	json_values.map(lambda value: json.dumps(value).encode()),
	st.binary(max_size=200),
)
headers = st.dictionaries(
	st.sampled_from(["Link", "Retry-After", "x-rate-limit-reset", "ratelimit-reset", "Content-Type"]),
	st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
	max_size=3,
)
statuses = st.sampled_from([200, 200, 200, 400, 401, 404, 429, 500])


class Canned(requests.adapters.BaseAdapter):
	"""Answers every request with one body, status and headers, without a socket."""

	def __init__(self, body: bytes, status: int, extra: dict[str, str]) -> None:
		super().__init__()
		self.body, self.status, self.extra = body, status, extra

	def send(self, request, **kwargs):
		response = requests.Response()
		response.status_code = self.status
		response.headers = CaseInsensitiveDict({"Content-Type": "application/json", **self.extra})
		response.raw = io.BytesIO(self.body)
		response.url = request.url
		response.request = request
		response.encoding = "utf-8"
		return response

	def close(self) -> None:
		pass


CREDENTIALS = {
	"Mastodon": {"access_token": "t"},
	"Bluesky": {"access_jwt": "a", "refresh_jwt": "r", "app_password": "p"},
	"Reddit": {"access_token": "t", "client_id": "c", "client_secret": "s", "username": "u", "password": "p"},
	"X": {"bearer_token": "b"},
	"Hacker News": {},
	"RSS/Atom": {},
}
STREAM_KINDS = {
	"Mastodon": [("search", "acme"), ("tag", "acme"), ("notifications", "")],
	"Bluesky": [("search", "acme"), ("notifications", "")],
	"Reddit": [("search", "acme"), ("mentions", "")],
	"X": [("search", "acme")],
	"Hacker News": [("search", "acme")],
}


def connector_answering(platform: str, body: bytes, status: int = 200, extra: dict | None = None):
	account = AccountConfig(
		platform=platform,
		base_url="http://platform.invalid/feed",
		own_handle="acme",
		credentials=CREDENTIALS[platform],
		retries=0,
		throttle_wait=0,
	)
	session = requests.Session()
	session.mount("http://", Canned(body, status, extra or {}))
	return get_connector(account, session=session)


def only_typed_errors(call) -> None:
	try:
		call()
	except ConnectorError:
		pass


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(body=bodies, status=statuses, extra=headers, platform=st.sampled_from(sorted(STREAM_KINDS)))
def test_every_page_parser_raises_only_typed_errors(body, status, extra, platform):
	connector = connector_answering(platform, body, status, extra)
	for kind, value in STREAM_KINDS[platform]:
		stream = Stream(f"{kind}:{value}", kind, value)
		page = None
		try:
			page = connector.fetch_page(stream, None, None, None)
		except ConnectorError:
			continue
		for mark, mention in page.entries:
			connector.order(mark)  # a mark that was let through must be orderable
			assert mention.external_id


@PROPERTY
@given(body=bodies, status=statuses, extra=headers, platform=st.sampled_from(sorted(CREDENTIALS)))
def test_a_whole_poll_raises_only_typed_errors(body, status, extra, platform):
	connector = connector_answering(platform, body, status, extra)
	only_typed_errors(lambda: connector.fetch(["acme"], {}))


@PROPERTY
@given(body=bodies, status=statuses, platform=st.sampled_from(["Bluesky", "Reddit"]))
def test_logins_raise_only_typed_errors(body, status, platform):
	connector = connector_answering(platform, body, status)
	login = connector.login if platform == "Bluesky" else connector.get_token
	only_typed_errors(login)


feed_text = st.one_of(
	st.binary(max_size=300),
	st.builds(
		lambda entries, extra: (
			'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"'
			' xmlns:thr="http://purl.org/syndication/thread/1.0">' + extra + entries + "</feed>"
		).encode(),
		st.lists(
			st.builds(
				"<entry{}><id>{}</id><title>{}</title><author><name>{}</name></author>{}<updated>{}</updated></entry>".format,
				st.sampled_from(["", ' xml:lang="en"', ' xml:lang="\x7f"']),
				st.text(max_size=10),
				st.text(max_size=10),
				st.text(max_size=10),
				st.sampled_from(["", '<thr:in-reply-to ref="x"/>', "<thr:in-reply-to/>"]),
				st.sampled_from(["2026-03-02T08:00:00Z", "yesterday", "99999-99-99T99:99:99Z", ""]),
			),
			max_size=3,
		).map("".join),
		st.sampled_from(
			[
				"",
				'<link rel="next" href="http://platform.invalid/feed?page=2"/>',
				'<link rel="next" href="http://[::1"/>',
			]
		),
	),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=feed_text)
def test_the_feed_parser_raises_only_typed_errors(body):
	connector = connector_answering("RSS/Atom", body, 200, {"Content-Type": "application/atom+xml"})
	only_typed_errors(lambda: connector.fetch([], {}))


queries = st.one_of(
	st.text(max_size=60),
	st.lists(
		st.sampled_from(
			["acme", "AND", "OR", "NOT", "-", "(", ")", '"', "*", "#", "@", "kündig*", "UND", " "]
		),
		max_size=12,
	).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(text=queries)
def test_the_query_parser_raises_only_query_syntax_errors(text):
	try:
		parse(text)
	except QuerySyntaxError as exc:
		assert 0 <= exc.position <= len(text)
