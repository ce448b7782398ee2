"""Behaviour every paged connector promises, checked against its local platform server.

Each test_connector_<platform>.py imports these tests and provides a `harness` fixture that
knows how to seed that platform's fake and build an account for it. Nothing here mocks
requests: the connector talks HTTP to the fake, which records what it received.
"""

from __future__ import annotations

import functools
import logging
import socket
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from social_crm.engine.connectors.base import (
	AccountConfig,
	AuthFailed,
	Connector,
	ConnectorError,
	FetchResult,
	PlatformUnavailable,
	RateLimited,
	get_connector,
)
from social_crm.engine.platform_fakes.server import FakePlatform, SeedPost

SECRET_MARK = "S3CRET"


@dataclass
class Harness:
	"""What the shared tests need to know about one platform."""

	fake_class: type[FakePlatform]
	platform: str
	search_path: str
	query: str = "Acme"
	page_size: int = 2
	streams: int = 2
	fake_kwargs: dict[str, Any] | None = None
	credentials: dict[str, str] | None = None
	own_handle: str = "acme"
	auth_url_from_fake: bool = False
	# pages that end with an empty answer rather than a missing "next" (Mastodon)
	trailing_empty_page: int = 0
	seed_suffix: str = ""
	search_has_cursor: bool = True

	def fake(self, posts: list[SeedPost] | None = None) -> FakePlatform:
		return self.fake_class(posts, **(self.fake_kwargs or {}))

	def account(self, fake: FakePlatform, **overrides: Any) -> AccountConfig:
		values: dict[str, Any] = dict(
			platform=self.platform,
			base_url=fake.base_url,
			own_handle=self.own_handle,
			credentials=dict(self.credentials or {}),
			page_size=self.page_size,
			page_limit=5,
			retries=2,
			backoff=0.001,
			timeout=2.0,
		)
		if self.auth_url_from_fake:
			values["auth_url"] = fake.base_url
		values.update(overrides)
		return AccountConfig(**values)

	def connector(self, fake: FakePlatform, **overrides: Any) -> Connector:
		return get_connector(self.account(fake, **overrides))

	def seed(self, fake: FakePlatform, count: int, text: str = "Acme Cloud Beitrag {n}") -> list[SeedPost]:
		return fake.add_many(count, text=text + self.seed_suffix)

	def search_requests(self, fake: FakePlatform) -> int:
		return len(fake.requests_to(self.search_path))


@pytest.fixture
def served(harness: Harness) -> Iterator[FakePlatform]:
	with harness.fake() as fake:
		yield fake


def fetch(connector: Connector, harness: Harness, cursor: dict[str, Any] | None = None) -> FetchResult:
	return connector.fetch([harness.query], cursor or {})


# --- fetching ------------------------------------------------------------------------------


def test_first_poll_follows_pages_and_returns_every_matching_post(harness, served):
	posts = harness.seed(served, 3 * harness.page_size + 1)
	connector = harness.connector(served)
	result = fetch(connector, harness)
	found = {m.external_id for m in result.mentions}
	assert {p.id for p in posts} <= found
	assert harness.search_requests(served) == 4 + harness.trailing_empty_page
	assert result.caught_up
	assert all(m.posted_at.tzinfo is timezone.utc for m in result.mentions)
	assert [m.posted_at for m in result.mentions] == sorted(m.posted_at for m in result.mentions)


def test_poll_with_nothing_new_costs_one_request_per_stream(harness, served):
	harness.seed(served, 5)
	connector = harness.connector(served)
	first = fetch(connector, harness)
	before = len(served.requests)
	again = fetch(connector, harness, first.cursor)
	assert again.mentions == []
	assert again.requests == harness.streams
	assert len(served.requests) - before == harness.streams
	assert again.cursor == first.cursor


def test_incremental_poll_returns_only_what_is_new(harness, served):
	harness.seed(served, 3)
	connector = harness.connector(served)
	first = fetch(connector, harness)
	new = harness.seed(served, 3, text="Acme Cloud neu {n}")
	second = fetch(connector, harness, first.cursor)
	assert sorted(m.external_id for m in second.mentions) == sorted(p.id for p in new)


def test_backlog_beyond_page_limit_drains_over_later_polls_without_gaps(harness, served):
	harness.seed(served, 2)
	connector = harness.connector(served, page_limit=2)
	cursor = fetch(connector, harness).cursor
	backlog = harness.seed(served, 5 * harness.page_size, text="Acme Cloud Rückstau {n}")
	collected: list[str] = []
	results = []
	for _ in range(10):
		result = fetch(connector, harness, cursor)
		results.append(result)
		collected += [m.external_id for m in result.mentions]
		cursor = result.cursor
		if result.caught_up:
			break
	assert results[0].caught_up is False
	assert results[-1].caught_up is True
	assert sorted(collected) == sorted(p.id for p in backlog)
	assert len(collected) == len(set(collected))


def test_duplicates_across_pages_are_returned_once(harness, served):
	posts = harness.seed(served, 3 * harness.page_size)
	served.overlap = 1
	result = fetch(harness.connector(served), harness)
	ids = [m.external_id for m in result.mentions]
	assert len(ids) == len(set(ids))
	assert {p.id for p in posts} <= set(ids)


def test_empty_page_returns_nothing_and_keeps_the_cursor(harness, served):
	harness.seed(served, 2)
	connector = harness.connector(served)
	first = fetch(connector, harness)
	harness.seed(served, 1)
	served.fail("empty", path=harness.search_path)
	second = fetch(connector, harness, first.cursor)
	assert [m for m in second.mentions if m.text.startswith("Acme Cloud")] == []
	search_key = next(key for key in first.cursor if key.startswith(("search", "tag", "feed")))
	assert second.cursor[search_key] == first.cursor[search_key]


# --- failures ------------------------------------------------------------------------------


def test_rate_limit_on_the_first_page_raises_with_reset_time_and_is_not_retried(harness, served, rate_limit):
	headers, expected = rate_limit
	harness.seed(served, 1)
	served.fail("rate_limit", path=harness.search_path, headers=headers)
	with pytest.raises(RateLimited) as caught:
		fetch(harness.connector(served), harness)
	assert abs(caught.value.reset_at - expected) <= timedelta(seconds=2)
	assert harness.search_requests(served) == 1


def test_server_errors_are_retried_then_succeed(harness, served):
	posts = harness.seed(served, 1)
	served.fail("server_error", times=2, path=harness.search_path, status=503)
	result = fetch(harness.connector(served), harness)
	assert posts[0].id in {m.external_id for m in result.mentions}
	assert harness.search_requests(served) == 3 + harness.trailing_empty_page


def test_persistent_server_errors_raise_platform_unavailable(harness, served):
	served.fail("server_error", times=10, path=harness.search_path, status=502)
	with pytest.raises(PlatformUnavailable, match="502"):
		fetch(harness.connector(served, retries=2), harness)
	assert harness.search_requests(served) == 3


def test_timeout_raises_platform_unavailable(harness, served):
	served.fail("slow", times=5, path=harness.search_path, delay=1.5)
	with pytest.raises(PlatformUnavailable, match="did not answer"):
		fetch(harness.connector(served, timeout=0.2, retries=1), harness)


def test_a_server_that_trickles_is_cut_off_at_the_deadline(harness, served):
	"""Every byte arrives within the read timeout, but the whole answer would take minutes."""
	harness.seed(served, 3)
	served.fail("trickle", times=5, path=harness.search_path, delay=0.2)
	connector = harness.connector(served, timeout=1.0, deadline=1.0, retries=0)
	started = datetime.now(timezone.utc)
	with pytest.raises(PlatformUnavailable, match="did not finish its answer within 1 s"):
		fetch(connector, harness)
	assert datetime.now(timezone.utc) - started < timedelta(seconds=4)


def test_a_refused_connection_is_reported_as_refused(harness):
	with socket.socket() as probe:
		probe.bind(("127.0.0.1", 0))
		port = probe.getsockname()[1]
	account = AccountConfig(
		platform=harness.platform,
		base_url=f"http://127.0.0.1:{port}",
		auth_url=f"http://127.0.0.1:{port}" if harness.auth_url_from_fake else "",
		own_handle=harness.own_handle,
		credentials=dict(harness.credentials or {}),
		retries=1,
		backoff=0.001,
		timeout=2.0,
	)
	with pytest.raises(PlatformUnavailable, match="refused the connection"):
		get_connector(account).fetch([harness.query], {})


# --- the fault suite: a fault on page 2 of 4 new pages --------------------------------------
#
# For every fault: the polls end cleanly (no exception but ConnectorError), no mention is
# returned twice over all polls (so nothing is stored twice), every new post arrives (the cursor
# never skips one), page 1 is never fetched again, and the account gets a readable reason.

FAULTS = [
	"rate_limit_short",
	"rate_limit_long",
	"server_error_500",
	"server_error_502",
	"server_error_503",
	"reset",
	"read_timeout",
	"truncated",
	"cut_json",
	"malformed",
	"repeat",
	"hollow",
	"reject_cursor",
	"broken_item",
]


@dataclass
class Outcome:
	collected: list[str]
	reasons: list[str]
	results: list[FetchResult]
	raised: list[ConnectorError]


def poll_until_caught_up(connector: Connector, harness: Harness, cursor: dict[str, Any]) -> Outcome:
	outcome = Outcome([], [], [], [])
	for _ in range(8):
		try:
			result = fetch(connector, harness, cursor)
		except ConnectorError as exc:  # nothing came back: the old cursor stays
			outcome.raised.append(exc)
			outcome.reasons.append(str(exc))
			continue
		outcome.results.append(result)
		outcome.collected += [m.external_id for m in result.mentions]
		outcome.reasons += [str(result.error)] if result.error else []
		outcome.reasons += result.warnings
		cursor = result.cursor
		connector._hold_until = None  # the pause is over: the shell polls again after reset_at
		if result.caught_up and result.error is None:
			break
	return outcome


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_suite(harness, served, reset_headers, fault, caplog):
	if fault == "hollow" and not harness.search_has_cursor:
		pytest.skip("this search has no paging cursor: an empty page is its documented end")
	size = harness.page_size
	harness.seed(served, 1)
	connector = harness.connector(served, retries=2, timeout=0.5, throttle_wait=5)
	slept: list[float] = []
	connector.sleep = slept.append  # the fake does not enforce the reset; no real waiting
	cursor = fetch(connector, harness).cursor
	new = harness.seed(served, 3 * size + 1, text="Acme Cloud danach {n}")
	page_two = list(reversed(new))[size : 2 * size]
	expected = {p.id for p in new}
	path, after_page_one = harness.search_path, {"path": harness.search_path, "skip": 1}
	if fault == "rate_limit_short":
		served.fail("rate_limit", headers=reset_headers(3), **after_page_one)
	elif fault == "rate_limit_long":
		served.fail("rate_limit", headers=reset_headers(240), **after_page_one)
	elif fault.startswith("server_error_"):
		served.fail("server_error", times=3, status=int(fault[-3:]), **after_page_one)
	elif fault == "read_timeout":
		served.fail("slow", times=3, delay=1.5, **after_page_one)
	elif fault == "hollow":
		for post in page_two:
			post.hidden = True
		expected -= {p.id for p in page_two}
	elif fault == "broken_item":
		page_two[0].broken = True
		expected.discard(page_two[0].id)
	else:
		served.fail(fault, times=3 if fault == "reset" else 1, **after_page_one)
	before = len(served.requests_to(path))
	caplog.set_level(logging.WARNING)
	outcome = poll_until_caught_up(connector, harness, cursor)

	assert len(outcome.collected) == len(set(outcome.collected)), "a mention came back twice"
	assert expected <= set(outcome.collected), "a post was skipped"
	assert outcome.results and outcome.results[-1].caught_up
	fetched = served.requests_to(path)[before:]
	first_page = fetched[0].query
	# page 1 is asked for again only as a later poll's "anything new?" (platforms without a
	# server-side lower bound, such as Reddit); its mentions never come back (checked above)
	polls = len(outcome.results) + len(outcome.raised)
	assert [r.query for r in fetched].count(first_page) <= polls, "page 1 was fetched again"
	if fault == "rate_limit_short":
		assert len(outcome.results) == 1 and len(slept) == 1 and 1 < slept[0] <= 3
	elif fault == "hollow":
		assert len(outcome.results) == 1  # an empty page with a next cursor is followed
	else:
		assert outcome.reasons, "the account shows no reason"
		for reason in outcome.reasons:
			assert harness.platform in reason and "Traceback" not in reason and len(reason) < 400
	if fault == "reject_cursor":  # paged on below the last post within the same poll
		assert len(outcome.results) == 1 and outcome.results[0].error is None
	if fault == "rate_limit_long":
		assert outcome.results[0].paused_until is not None
		assert outcome.results[0].paused_until > datetime.now(timezone.utc) + timedelta(seconds=200)
		assert outcome.results[0].mentions  # page 1 was kept, not thrown away
	if fault == "broken_item":
		assert any("malformed" in record.getMessage() for record in caplog.records)


def test_first_poll_cut_short_by_a_rate_limit_reads_the_rest_of_its_history_later(
	harness, served, reset_headers
):
	posts = harness.seed(served, 3 * harness.page_size + 1)
	served.fail("rate_limit", headers=reset_headers(240), path=harness.search_path, skip=1)
	connector = harness.connector(served)
	outcome = poll_until_caught_up(connector, harness, {})
	assert outcome.results[0].paused_until is not None
	assert len(outcome.collected) == len(set(outcome.collected))
	assert {p.id for p in posts} <= set(outcome.collected)


def test_the_wait_budget_is_shared_by_the_whole_poll(harness, served, reset_headers):
	harness.seed(served, 3 * harness.page_size + 1)
	connector = harness.connector(served, throttle_wait=3.5)
	slept: list[float] = []
	connector.sleep = slept.append
	served.fail("rate_limit", headers=reset_headers(3), path=harness.search_path, skip=1)
	served.fail("rate_limit", headers=reset_headers(3), path=harness.search_path, skip=1)
	result = fetch(connector, harness, {})
	assert len(slept) == 1 and 1.5 <= slept[0] <= 3  # page 2 waited, page 3 would overrun 3.5 s
	assert isinstance(result.error, RateLimited)
	assert len(result.mentions) == 2 * harness.page_size


# --- secrets -------------------------------------------------------------------------------


def _raised(call: Callable[[], Any]) -> BaseException:
	"""The exception `call` raised; its traceback starts here, not in the test's frame."""
	try:
		call()
	except ConnectorError as exc:
		return exc
	raise AssertionError("no error was raised")


def _assert_secret_hidden(exc: BaseException, caplog: pytest.LogCaptureFixture) -> None:
	shown = [str(exc), repr(exc), "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))]
	shown += list(
		traceback.TracebackException(type(exc), exc, exc.__traceback__, capture_locals=True).format()
	)
	chained = exc.__cause__ or exc.__context__
	while chained is not None:
		shown += list(
			traceback.TracebackException(
				type(chained), chained, chained.__traceback__, capture_locals=True
			).format()
		)
		chained = chained.__cause__ or chained.__context__
	shown += [record.getMessage() for record in caplog.records]
	shown += [str(arg) for record in caplog.records for arg in (record.args or ())]
	for text in shown:
		assert SECRET_MARK not in text


WEIRD_RESET_HEADERS = [
	{"Retry-After": "1e300"},
	{"Retry-After": "inf"},
	{"Retry-After": "nan"},
	{"Retry-After": "-5"},
	{"Retry-After": "9" * 400},
	{"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"},
	{"x-rate-limit-reset": "1e300", "ratelimit-reset": "-inf", "x-ratelimit-reset": "\x00garbage"},
]


@pytest.mark.parametrize(
	"failure",
	[
		"auth",
		"rate_limit",
		*[f"weird_reset_{n}" for n in range(len(WEIRD_RESET_HEADERS))],
		"server_error",
		"malformed",
		"cut_json",
		"truncated",
		"reset",
		"slow",
		"refused",
	],
)
def test_errors_tracebacks_and_logs_never_show_credentials(harness, served, caplog, failure):
	"""A sentinel token through every error path: no message, traceback local or log shows it."""
	caplog.set_level(logging.DEBUG)
	harness.seed(served, 1)
	overrides: dict[str, Any] = {"throttle_wait": 0}
	if failure == "auth":
		if not harness.credentials:
			pytest.skip("platform needs no credentials")
		overrides["credentials"] = {key: f"wrong-{SECRET_MARK}-{key}" for key in harness.credentials}
	elif failure == "slow":
		served.fail("slow", times=5, path=harness.search_path, delay=1.5)
		overrides.update(timeout=0.2, retries=0)
	elif failure.startswith("weird_reset_"):
		headers = WEIRD_RESET_HEADERS[int(failure.rsplit("_", 1)[1])]
		served.fail("rate_limit", times=10, path=harness.search_path, headers=headers)
	elif failure == "refused":
		with socket.socket() as probe:
			probe.bind(("127.0.0.1", 0))
			port = probe.getsockname()[1]
		overrides.update(base_url=f"http://127.0.0.1:{port}", retries=0)
	else:
		served.fail(failure, times=10, path=harness.search_path)
	connector = harness.connector(served, **overrides)
	assert SECRET_MARK not in repr(connector.account)
	exc = _raised(functools.partial(connector.fetch, [harness.query], {}))
	if failure == "auth":
		assert isinstance(exc, AuthFailed)
	if failure.startswith("weird_reset_"):
		assert isinstance(exc, RateLimited)
		assert exc.reset_at <= datetime.now(timezone.utc) + timedelta(hours=24, seconds=5)
	_assert_secret_hidden(exc, caplog)


def rate_limit_in(seconds: int) -> datetime:
	return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)
