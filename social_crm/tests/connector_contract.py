"""Behaviour every paged connector promises, checked against its local platform server.

Each test_connector_<platform>.py imports these tests and provides a `harness` fixture that
knows how to seed that platform's fake and build an account for it. Nothing here mocks
requests: the connector talks HTTP to the fake, which records what it received.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from social_crm.engine.connectors.base import (
	AccountConfig,
	AuthFailed,
	BadPayload,
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
		return fake.add_many(count, text=text)

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
	assert harness.search_requests(served) == 4
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


def test_rate_limit_raises_with_reset_time_and_is_not_retried(harness, served, rate_limit):
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
	assert harness.search_requests(served) == 3


def test_persistent_server_errors_raise_platform_unavailable(harness, served):
	served.fail("server_error", times=10, path=harness.search_path, status=502)
	with pytest.raises(PlatformUnavailable, match="502"):
		fetch(harness.connector(served, retries=2), harness)
	assert harness.search_requests(served) == 3


def test_timeout_raises_platform_unavailable(harness, served):
	served.fail("slow", times=5, path=harness.search_path, delay=1.5)
	with pytest.raises(PlatformUnavailable, match="did not answer"):
		fetch(harness.connector(served, timeout=0.2, retries=1), harness)


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
def test_bad_json_on_a_later_page_raises_and_the_old_cursor_loses_nothing(harness, served, kind):
	harness.seed(served, 1)
	connector = harness.connector(served)
	cursor = fetch(connector, harness).cursor
	new = harness.seed(served, 3 * harness.page_size, text="Acme Cloud danach {n}")
	served.fail(kind, path=harness.search_path, skip=1)
	with pytest.raises(BadPayload):
		fetch(connector, harness, cursor)
	retry = fetch(connector, harness, cursor)
	assert {p.id for p in new} <= {m.external_id for m in retry.mentions}


# --- secrets -------------------------------------------------------------------------------


def _assert_secret_hidden(exc: BaseException, caplog: pytest.LogCaptureFixture) -> None:
	shown = [str(exc), repr(exc), "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))]
	shown += [record.getMessage() for record in caplog.records]
	shown += [str(arg) for record in caplog.records for arg in (record.args or ())]
	for text in shown:
		assert SECRET_MARK not in text


@pytest.mark.parametrize("failure", ["auth", "rate_limit", "server_error", "malformed", "slow"])
def test_errors_and_logs_never_show_credentials(harness, served, caplog, failure):
	caplog.set_level(logging.DEBUG)
	harness.seed(served, 1)
	overrides: dict[str, Any] = {}
	if failure == "auth":
		overrides["credentials"] = {
			key: f"wrong-{SECRET_MARK}-{key}" for key in harness.credentials or {"token": ""}
		}
		if not harness.credentials:
			pytest.skip("platform needs no credentials")
	elif failure == "slow":
		served.fail("slow", times=5, path=harness.search_path, delay=1.5)
		overrides.update(timeout=0.2, retries=0)
	else:
		served.fail(failure, times=10, path=harness.search_path)
	connector = harness.connector(served, **overrides)
	assert SECRET_MARK not in repr(connector.account)
	with pytest.raises(ConnectorError) as caught:
		fetch(connector, harness)
	if failure == "auth":
		assert isinstance(caught.value, AuthFailed)
	_assert_secret_hidden(caught.value, caplog)


def rate_limit_in(seconds: int) -> datetime:
	return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).replace(microsecond=0)
