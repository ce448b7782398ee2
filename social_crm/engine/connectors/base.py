"""The connector interface and the HTTP behaviour every platform shares, written once.

A connector turns one account's platform API into `Mention`s plus the cursor to save next.
The contract with the caller (the Frappe shell or the `social-crm` command):

* `fetch(queries, cursor)` returns everything new since `cursor` (bounded by the account's
  `page_limit` per stream) together with the NEXT cursor. When a page fails after others came
  back (a rate limit whose reset is beyond the poll's wait budget, an outage, bad JSON) the poll
  stops there and returns what it has: `FetchResult.error` says why, `paused_until` says when a
  rate limit ends, and the cursor reaches exactly as far as the returned mentions, with the
  unread rest remembered as a gap. So no page is fetched twice because a later one failed.
  When nothing at all came back the error is raised and the caller keeps its old cursor.
* Save the returned cursor only AFTER the mentions are stored.
* `FetchResult.credentials_update` carries session tokens (Bluesky JWTs, Reddit OAuth tokens)
  that the caller should persist with the account's other secrets, so the next poll does not
  log in again. Cursors never hold secrets and may be shown or logged.

Every stream (one per query, plus the account's own mentions where the platform has them) is
read newest-first down to the newest item seen last time, following the platform's own paging
signal (a cursor, a Link header, a page count), never the length of a page. When `page_limit`
(or a failure) stops the walk before that point, the unread span is remembered as a "gap" in
the cursor and drained first on later polls, so a backlog is never skipped (`caught_up` is
False meanwhile). The very first poll of a stream has no bound below; it reads at most
`page_limit` pages of history and then follows only what is new.

Throttling is one mechanism for every platform: `Connector.throttle(response)` maps a response
to a `Throttle` (the default reads 429 and the reset headers; Meta usage headers or YouTube's
quotaExceeded plug in by overriding it). A throttle whose end lies within the poll's remaining
wait budget (`AccountConfig.throttle_wait`) is waited out and the same request is sent again;
a longer one ends the poll as described above.

Secrets never sit in a plain dict or string in the request path: they stay `Secret`s until
`SendTimeAuth` writes them into the prepared request, so a traceback with its frames' locals
(Frappe's Error Log records them) shows only `***`.
"""

from __future__ import annotations

import email.utils
import importlib
import json
import logging
import math
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.client import HTTPException
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3 import HTTPResponse
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

from social_crm.engine.mention import Mention, Platform

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "social_crm/0.1 (ERPNext social monitoring; +https://github.com/social-crm)"
# A 429 without any reset header still pauses the account, for this long.
DEFAULT_RATE_LIMIT_PAUSE = timedelta(seconds=60)
# No platform header pauses an account longer than this (a hostile `Retry-After: 1e300`).
MAX_PAUSE = timedelta(hours=24)
# Reset headers below this are a number of seconds from now, above it epoch seconds.
_EPOCH_THRESHOLD = 1_000_000_000
# How often one request is sent again after waiting out a throttle, before the poll stops.
MAX_THROTTLE_WAITS = 3
# No platform answer we read is anywhere near this; a bigger one is refused, not buffered.
MAX_BODY_BYTES = 32 * 1024 * 1024

T = TypeVar("T")

# --- secrets -------------------------------------------------------------------------------


class Secret:
	"""A credential value that never shows itself in repr, str, f-strings or tracebacks."""

	__slots__ = ("_value",)

	def __init__(self, value: str) -> None:
		self._value = str(value)

	def reveal(self) -> str:
		"""The real value, for the one place that puts it into a request."""
		return self._value

	def __repr__(self) -> str:
		return "Secret('***')"

	def __str__(self) -> str:
		return "***"

	def __format__(self, spec: str) -> str:
		return "***"

	def __bool__(self) -> bool:
		return bool(self._value)

	def __eq__(self, other: object) -> bool:
		return isinstance(other, Secret) and other._value == self._value

	def __hash__(self) -> int:
		return hash(self._value)


def _plain(value: str | Secret) -> str:
	return value.reveal() if isinstance(value, Secret) else str(value)


class SendTimeAuth(AuthBase):
	"""Writes secrets into a request as requests prepares it, and nowhere before.

	The Authorization header (`scheme` + `token`, or HTTP Basic from `basic`) and a form or JSON
	body holding secrets (a login) are built inside `__call__` from `Secret`s, so no frame of our
	request path holds them as a plain dict or string, and `repr` shows none of them.
	"""

	def __init__(
		self,
		scheme: str = "Bearer",
		token: Secret | None = None,
		*,
		basic: tuple[Secret, Secret] | None = None,
		headers: Mapping[str, Secret] | None = None,
		form: Mapping[str, str | Secret] | None = None,
		json_body: Mapping[str, str | Secret] | None = None,
	) -> None:
		self.scheme = scheme
		self.token = token
		self.basic = basic
		self.headers = dict(headers or {})
		self.form = dict(form) if form is not None else None
		self.json_body = dict(json_body) if json_body is not None else None

	def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
		if self.token:
			request.headers["Authorization"] = f"{self.scheme} {self.token.reveal()}"
		if self.basic:
			request.prepare_auth((self.basic[0].reveal(), self.basic[1].reveal()))
		for name, value in self.headers.items():
			request.headers[name] = value.reveal()
		if self.form is not None:
			request.body = urlencode({k: _plain(v) for k, v in self.form.items()})
			request.headers["Content-Type"] = "application/x-www-form-urlencoded"
		if self.json_body is not None:
			request.body = json.dumps({k: _plain(v) for k, v in self.json_body.items()}).encode()
			request.headers["Content-Type"] = "application/json"
		return request

	def __repr__(self) -> str:
		return f"SendTimeAuth({self.scheme}, ***)"

	__str__ = __repr__


def bearer(token: Secret | str) -> SendTimeAuth | None:
	"""`Authorization: Bearer <token>` at send time; None when there is no token."""
	secret = token if isinstance(token, Secret) else Secret(token)
	return SendTimeAuth("Bearer", secret) if secret else None


class Credentials(Mapping[str, Secret]):
	"""The account's secrets by name (access_token, app_password, client_secret, ...).

	Empty values are left out so that "not configured" and "configured as blank" are the same.
	"""

	def __init__(self, values: Mapping[str, str | Secret | None] | None = None) -> None:
		self._values: dict[str, Secret] = {}
		for name, value in (values or {}).items():
			secret = value if isinstance(value, Secret) else Secret(value) if value else None
			if secret:
				self._values[name] = secret

	def __getitem__(self, name: str) -> Secret:
		return self._values[name]

	def __iter__(self) -> Iterator[str]:
		return iter(self._values)

	def __len__(self) -> int:
		return len(self._values)

	def __repr__(self) -> str:
		return f"Credentials(names={sorted(self._values)!r})"

	__str__ = __repr__

	def reveal(self, name: str, default: str | None = None) -> str:
		"""The value of one secret; a missing required one is an AuthFailed the admin can fix."""
		if name in self._values:
			return self._values[name].reveal()
		if default is not None:
			return default
		raise AuthFailed(f"the account has no {name.replace('_', ' ')} configured")

	def secret(self, name: str, missing: str | None = None) -> Secret:
		"""The Secret itself (for SendTimeAuth); `missing` is the AuthFailed text when absent."""
		if name in self._values:
			return self._values[name]
		if missing is None:
			return Secret("")
		raise AuthFailed(missing)

	def revealed_values(self) -> list[str]:
		return [secret.reveal() for secret in self._values.values()]


# --- values --------------------------------------------------------------------------------


@dataclass
class AccountConfig:
	"""What a connector needs to know about one monitored account.

	`base_url` empty means the platform's public default (e.g. https://bsky.social); tests and
	the demo point it at a local server. `page_limit` bounds pages per stream per poll.
	`page_size` 0 means the platform's maximum. `retries`/`backoff` are for 5xx and broken
	connections only. `timeout` is per socket read; `deadline` bounds one whole request (a
	server that trickles bytes cannot hold a worker). `throttle_wait` is the seconds one poll may
	spend waiting out rate limits before it stops and pauses the account instead.
	"""

	platform: Platform
	base_url: str = ""
	own_handle: str = ""
	credentials: Credentials = field(default_factory=Credentials)
	page_limit: int = 5
	page_size: int = 0
	user_agent: str = DEFAULT_USER_AGENT
	timeout: float = 20.0
	retries: int = 3
	backoff: float = 0.5
	max_retry_after: float = 10.0
	auth_url: str = ""
	name: str = ""
	throttle_wait: float = 30.0
	deadline: float = 30.0

	def __post_init__(self) -> None:
		self.platform = Platform(self.platform)
		if not isinstance(self.credentials, Credentials):
			self.credentials = Credentials(self.credentials)
		self.page_limit = max(1, int(self.page_limit))
		self.throttle_wait = max(0.0, float(self.throttle_wait or 0))
		if not self.timeout or self.timeout <= 0 or not math.isfinite(self.timeout):
			raise ValueError("the timeout must be a positive number of seconds")
		self.deadline = max(float(self.deadline or 0), self.timeout)

	@property
	def label(self) -> str:
		"""How errors name the account: never a secret, always enough to find it in the desk."""
		who = self.name or self.own_handle
		return f"{self.platform.value} ({who})" if who else self.platform.value


@dataclass
class FetchResult:
	"""One poll's outcome. Store `mentions`, then save `cursor` (and `credentials_update`).

	`error` is set when the poll stopped early (the cursor then reaches only as far as the
	mentions); `paused_until` when that was a rate limit: do not poll before it.
	"""

	mentions: list[Mention]
	cursor: dict[str, Any]
	pages: int = 0
	requests: int = 0
	caught_up: bool = True
	credentials_update: dict[str, Secret] = field(default_factory=dict, repr=False)
	warnings: list[str] = field(default_factory=list)
	error: ConnectorError | None = None
	waited: float = 0.0

	@property
	def paused_until(self) -> datetime | None:
		return self.error.reset_at if isinstance(self.error, RateLimited) else None


@dataclass(frozen=True)
class ReplyResult:
	external_id: str
	url: str


@dataclass(frozen=True)
class Stream:
	"""One thing polled separately, with its own cursor entry: a search, a tag, own mentions."""

	key: str
	kind: str
	value: str = ""


Mark = dict[str, Any]


@dataclass
class Page:
	"""One response, newest first. `entries` pair each mention with its position mark.

	`next_token` is the platform's own "there is more" signal (cursor, after, next_token, Link
	rel="next", page number); None means this was the last page.
	"""

	entries: list[tuple[Mark, Mention]]
	next_token: str | None = None
	exhausted: bool = False


@dataclass
class StreamResult:
	mentions: list[Mention]
	state: dict[str, Any]
	pages: int
	caught_up: bool
	error: ConnectorError | None = None


@dataclass(frozen=True)
class Throttle:
	"""A platform's "slow down": no request before `reset_at`.

	`usable` means the response that carried it is still a good answer (Meta's usage headers at
	100 % come on a 200): it is returned and only the NEXT request waits. Otherwise the same
	request is sent again after the wait.
	"""

	reset_at: datetime
	usable: bool = False
	reason: str = ""


@dataclass(frozen=True)
class ThrottleDecision:
	"""What a platform's answer means for the rest of this poll (Graph usage headers and
	throttling codes, YouTube quota errors).

	`action`: "go" (carry on), "slow" (carry on, but stop early and poll less often), "wait"
	(`seconds` is short enough to wait inside the poll) or "pause" (stop until `until`).
	"""

	action: str
	until: datetime | None = None
	seconds: float = 0.0
	reason: str = ""


# --- errors --------------------------------------------------------------------------------


class ConnectorError(Exception):
	"""Base of everything a connector raises on purpose; the message is for an admin."""

	def __init__(self, message: str) -> None:
		super().__init__(message)
		self.message = message

	def __str__(self) -> str:
		return self.message


class RateLimited(ConnectorError):
	"""The platform said slow down: pause THIS account until `reset_at` (UTC), then poll again."""

	def __init__(self, reset_at: datetime, message: str = "") -> None:
		self.reset_at = reset_at.astimezone(timezone.utc)
		super().__init__(message or f"rate limited until {self.reset_at.isoformat(timespec='seconds')}")


class AuthFailed(ConnectorError):
	"""Credentials missing, wrong, expired beyond refresh, or lacking a permission."""


class BadPayload(ConnectorError):
	"""The platform answered with something that is not the documented JSON/feed."""


class PlatformUnavailable(ConnectorError):
	"""5xx, refused connections or timeouts that outlasted the retries."""


class RequestRejected(ConnectorError):
	"""A 4xx other than auth or rate limit: usually a query the platform will not run."""


class ReplyNotSupported(ConnectorError):
	"""This platform (or its API as we use it) cannot post replies."""


class ReplyFailed(ConnectorError):
	"""The platform refused or lost a reply; nothing was posted as far as we know."""


# --- rate limit headers --------------------------------------------------------------------


def reset_time_from_headers(headers: Mapping[str, str], now: datetime | None = None) -> datetime:
	"""When a 429 ends, from whichever header the platform sends; never later than MAX_PAUSE.

	Retry-After: seconds or an HTTP date (RFC 9110). x-rate-limit-reset (X): epoch seconds.
	x-ratelimit-reset: seconds from now on Reddit, an ISO time on Mastodon. ratelimit-reset
	(Bluesky, IETF draft): epoch seconds on Bluesky, seconds from now in the draft. Numbers are
	told apart by size, so both readings work. A value that cannot be read (garbage, inf, nan,
	a date beyond datetime) is skipped like a missing header.
	"""
	now = now or datetime.now(timezone.utc)
	lowered = {str(name).lower(): value for name, value in headers.items()}
	for name in ("retry-after", "x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
		value = str(lowered.get(name) or "").strip()[:100]
		if value:
			parsed = _parse_reset(value, now)
			if parsed is not None:
				return min(max(parsed, now), now + MAX_PAUSE)
	return now + DEFAULT_RATE_LIMIT_PAUSE


def _parse_reset(value: str, now: datetime) -> datetime | None:
	try:
		number = float(value)
	except ValueError:
		number = None
	try:
		if number is not None:
			if not math.isfinite(number):
				return None
			if number >= _EPOCH_THRESHOLD:
				seconds_ahead = number - now.timestamp()
			else:
				seconds_ahead = number
			seconds_ahead = min(max(seconds_ahead, 0.0), MAX_PAUSE.total_seconds())
			return now + timedelta(seconds=seconds_ahead)
		parsed: datetime | None
		try:
			parsed = email.utils.parsedate_to_datetime(value)
		except (TypeError, ValueError, IndexError, OverflowError):
			parsed = None
		if parsed is None:
			parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
		return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
	except (TypeError, ValueError, IndexError, OverflowError, OSError):
		return None


# --- HTTP ----------------------------------------------------------------------------------


class _RetryNot429(Retry):
	"""urllib3 Retry that leaves 429 to the caller and only sleeps for a SHORT Retry-After."""

	max_retry_after: ClassVar[float] = 10.0

	def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
		if status_code == 429:
			return False
		return super().is_retry(method, status_code, has_retry_after)

	def get_retry_after(self, response: Any) -> float | None:
		try:
			seconds = super().get_retry_after(response)
		except Exception:  # urllib3 raises InvalidHeader/OverflowError on hostile values
			return None
		if seconds is not None and not 0 <= seconds <= self.max_retry_after:
			return None  # fall back to the (small) exponential backoff
		return seconds


def build_session(account: AccountConfig) -> requests.Session:
	"""A Session with the account's User-Agent and retries on 5xx and broken connections."""
	retry_class = type("AccountRetry", (_RetryNot429,), {"max_retry_after": account.max_retry_after})
	retry = retry_class(
		total=account.retries,
		connect=account.retries,
		read=account.retries,
		status=account.retries,
		other=0,
		backoff_factor=account.backoff,
		status_forcelist=(500, 502, 503, 504),
		allowed_methods=frozenset({"GET", "HEAD"}),
		raise_on_status=False,
		respect_retry_after_header=True,
	)
	session = requests.Session()
	adapter = HTTPAdapter(max_retries=retry)
	session.mount("http://", adapter)
	session.mount("https://", adapter)
	session.headers["User-Agent"] = account.user_agent
	return session


# --- the connector -------------------------------------------------------------------------


class Connector(ABC):
	"""One platform's API behind the common interface.

	Capabilities are class attributes so the desk can grey out what a platform cannot do.
	Company-page platforms (Facebook, Instagram, YouTube) fit as connectors with
	`supports_search = False` whose `streams([])` is the page's own feed; their webhooks hand
	payloads to the same mapping functions, and their quotas to `throttle()`.
	"""

	platform: ClassVar[Platform]
	default_base_url: ClassVar[str] = ""
	max_page_size: ClassVar[int] = 40
	supports_search: ClassVar[bool] = True
	supports_own_mentions: ClassVar[bool] = False
	supports_reply: ClassVar[bool] = False

	def __init__(self, account: AccountConfig, session: requests.Session | None = None) -> None:
		if account.platform != self.platform:
			raise ValueError(
				f"{type(self).__name__} serves {self.platform.value}, not {account.platform.value}"
			)
		self.account = account
		self.base_url = (account.base_url or self.default_base_url).rstrip("/")
		self.session = session or build_session(account)
		self.requests_made = 0
		self.credentials_update: dict[str, Secret] = {}
		self.warnings: list[str] = []
		self.waited = 0.0
		self._hold_until: datetime | None = None
		self._hold_reason = ""
		self.sleep: Callable[[float], None] = time.sleep

	@property
	def page_size(self) -> int:
		size = self.account.page_size or self.max_page_size
		return max(1, min(size, self.max_page_size))

	# -- what a caller uses --

	def fetch(self, queries: Sequence[str], cursor: Mapping[str, Any] | None = None) -> FetchResult:
		"""Everything new for `queries` (and own mentions) since `cursor`.

		Stops at the first failing page and returns what came before it (see the module
		docstring); raises only when not a single page came back.
		"""
		cursor = cursor if isinstance(cursor, Mapping) else {}
		start = self.requests_made
		self.warnings = []
		self.waited = 0.0
		streams = self.streams([query.strip() for query in queries if query and query.strip()])
		mentions: dict[tuple[str, str], Mention] = {}
		next_cursor: dict[str, Any] = {}
		pages = 0
		caught_up = True
		error: ConnectorError | None = None
		for stream in streams:
			state = cursor.get(stream.key)
			state = dict(state) if isinstance(state, Mapping) else {}
			if error is not None:
				if state:
					next_cursor[stream.key] = state  # not polled this time: kept as it was
				caught_up = False
				continue
			try:
				result = self.poll_stream(stream, state)
			except ConnectorError as exc:
				result = StreamResult(mentions=[], state=state, pages=0, caught_up=False, error=exc)
			next_cursor[stream.key] = result.state
			pages += result.pages
			caught_up = caught_up and result.caught_up
			error = result.error
			for mention in result.mentions:
				mentions.setdefault(mention.key, mention)
		if error is not None and pages == 0:
			raise error
		if error is not None:
			self.warnings.append(f"{error} (stopped after {pages} pages; the rest follows on the next poll)")
		ordered = sorted(mentions.values(), key=lambda m: (m.posted_at, m.external_id))
		return FetchResult(
			mentions=ordered,
			cursor=next_cursor,
			pages=pages,
			requests=self.requests_made - start,
			caught_up=caught_up and error is None,
			credentials_update=dict(self.credentials_update),
			warnings=list(self.warnings),
			error=error,
			waited=round(self.waited, 3),
		)

	@abstractmethod
	def streams(self, queries: Sequence[str]) -> list[Stream]:
		"""The separately paged things to poll for these queries (plus own mentions)."""

	@abstractmethod
	def test_connection(self) -> str:
		"""Who we are on the platform (handle), or raise AuthFailed/PlatformUnavailable."""

	def reply(self, mention: Mention, text: str, idempotency_key: str) -> ReplyResult:
		raise ReplyNotSupported(f"{self.platform.value} does not support replies from social_crm")

	# -- the newest-first walk shared by paged platforms --

	def fetch_page(
		self, stream: Stream, newer_than: Mark | None, older_than: Mark | None, token: str | None
	) -> Page:
		"""One page of `stream`, newest first; the bounds may be applied server-side as a hint."""
		raise NotImplementedError

	def order(self, mark: Mark) -> tuple[Any, ...]:
		"""A sortable key of a mark; default: platform ids that grow over time (any length)."""
		value = str(mark["id"])
		return (len(value), value)

	def poll_stream(self, stream: Stream, state: dict[str, Any]) -> StreamResult:
		newest = self._usable_mark(stream, state.get("newest"))
		gap: dict[str, Any] | None = _valid_gap(state.get("gap"))
		if gap and (
			self._usable_mark(stream, gap["below"]) is None
			or (gap.get("above") is not None and self._usable_mark(stream, gap["above"]) is None)
		):
			gap = None
		budget = self.account.page_limit
		found: list[Mention] = []
		pages = 0
		error: ConnectorError | None = None
		if gap:
			history = gap.get("pages")  # an open gap (first poll cut short) has a page allowance
			allowed = min(budget, history) if isinstance(history, int) else budget
			walk = self._walk(stream, gap.get("above"), gap["below"], allowed)
			pages += walk.pages
			budget -= walk.pages
			found += walk.mentions
			error = walk.error
			if walk.complete:
				gap = None
			else:
				gap = {**gap, "below": walk.lowest or gap["below"]}
				if isinstance(history, int):
					gap["pages"] = history - walk.pages
					if gap["pages"] <= 0:
						gap = None  # the first poll's history allowance is used up
		if gap is None and budget > 0 and error is None:
			walk = self._walk(stream, newest, None, budget)
			pages += walk.pages
			found += walk.mentions
			error = walk.error
			if not walk.complete and walk.lowest is not None:
				if newest is not None:
					gap = {"above": newest, "below": walk.lowest}
				elif budget - walk.pages > 0:
					# the first poll was cut short (a failure, a repeated page): read the rest of
					# its history allowance on later polls
					gap = {"above": None, "below": walk.lowest, "pages": budget - walk.pages}
			if walk.highest is not None and (newest is None or self.order(walk.highest) > self.order(newest)):
				newest = walk.highest
		next_state: dict[str, Any] = {"newest": newest} if newest is not None else {}
		if gap:
			next_state["gap"] = gap
		return StreamResult(
			mentions=found,
			state=next_state,
			pages=pages,
			caught_up=gap is None and error is None,
			error=error,
		)

	def _usable_mark(self, stream: Stream, mark: Any) -> Mark | None:
		"""A mark from a stored cursor that this connector can order, else None (and a warning):
		a hand-edited or foreign cursor starts that stream afresh instead of crashing the poll."""
		if mark is None:
			return None
		try:
			if isinstance(mark, dict):
				self.order(mark)
				return mark
		except (KeyError, TypeError, ValueError, AttributeError, IndexError):
			pass
		self.warnings.append(f"{self.account.label}: the saved position of {stream.key} was not understood")
		return None

	def _walk(self, stream: Stream, above: Mark | None, below: Mark | None, budget: int) -> _Walk:
		walk = _Walk()
		floor = self.order(above) if above is not None else None
		ceiling = self.order(below) if below is not None else None
		token: str | None = None
		seen: set[str] = set()
		tokens: set[str] = set()
		fell_back = False
		while walk.pages < budget:
			try:
				page = self.fetch_page(stream, above, below, token)
			except (RequestRejected, AuthFailed) as exc:
				if token is None or walk.lowest is None or fell_back:
					walk.error = exc
					break
				# The platform refused its own cursor (Bluesky answers 403 to search cursors for
				# some clients): go on below the lowest post seen, which every connector can ask for.
				fell_back = True
				below, token = walk.lowest, None
				ceiling = self.order(below)
				tokens = set()  # cursors of the new listing start afresh
				self.warnings.append(
					f"{self.account.label}: {stream.key}: the platform refused its paging cursor ({exc});"
					" continued below the last post instead"
				)
				continue
			except ConnectorError as exc:
				walk.error = exc
				break
			walk.pages += 1
			reached_floor = False
			fresh = 0
			for mark, mention in page.entries:
				position = self.order(mark)
				if floor is not None and position <= floor:
					reached_floor = True
					continue
				if ceiling is not None and position >= ceiling:
					continue
				if mention.external_id in seen:
					continue
				seen.add(mention.external_id)
				fresh += 1
				walk.add(mark, position, mention)
			if reached_floor or page.exhausted or not page.next_token:
				walk.complete = True
				break
			if page.next_token in tokens or (page.entries and not fresh and walk.pages > 1):
				# the platform sent a page again: stop here, resume from the lowest mark next poll
				self.warnings.append(
					f"{self.account.label}: {stream.key} repeated a page; the rest follows on the next poll"
				)
				break
			tokens.add(page.next_token)
			token = page.next_token
		return walk

	# -- HTTP, with errors turned into types --

	def request(
		self,
		method: str,
		url: str,
		*,
		params: Any = None,
		json_body: Any = None,
		data: Any = None,
		headers: Mapping[str, str] | None = None,
		auth: bool | AuthBase | None = True,
	) -> requests.Response:
		"""Send one request; wait out a short throttle, raise the typed error for the rest.

		`auth=True` uses the connector's own `auth()`; an AuthBase is used as given (a login).
		"""
		refreshed = False
		waits = 0
		while True:
			self._respect_hold(url)
			signer = self.auth() if auth is True else auth or None
			response = self._send(
				method, url, params=params, json_body=json_body, data=data, headers=headers, auth=signer
			)
			if auth is True and not refreshed and self.is_expired_auth(response) and self.refresh_auth():
				refreshed = True
				continue
			decision = self.throttle(response)
			if decision is not None:
				self._hold_until = decision.reset_at
				self._hold_reason = decision.reason
				if not decision.usable:
					waits += 1
					if waits > MAX_THROTTLE_WAITS:
						raise self._rate_limited(url)
					continue
			self.raise_for_status(response)
			return response

	def get_json(self, url: str, *, params: Any = None, headers: Mapping[str, str] | None = None) -> Any:
		return self.parse_json(self.request("GET", url, params=params, headers=headers))

	def throttle(self, response: requests.Response) -> Throttle | None:
		"""Does this response tell us to slow down? The default reads HTTP 429 and its headers.

		Platforms override this for their own signals (Meta usage headers, YouTube quota errors)
		and call super() for the 429.
		"""
		if response.status_code == 429:
			return Throttle(reset_time_from_headers(response.headers))
		return None

	def _respect_hold(self, url: str) -> None:
		"""Before a request: wait out a throttle if the poll's wait budget allows, else stop."""
		if self._hold_until is None:
			return
		wait = (self._hold_until - datetime.now(timezone.utc)).total_seconds()
		if wait <= 0:
			self._hold_until = None
			self._hold_reason = ""
			return
		if self.waited + wait > self.account.throttle_wait:
			raise self._rate_limited(url)
		log.info("%s: rate limited, waiting %.1f s", self.account.label, wait)
		self.sleep(wait)
		self.waited += wait
		self._hold_until = None
		self._hold_reason = ""

	def _rate_limited(self, url: str) -> RateLimited:
		reset_at = self._hold_until or datetime.now(timezone.utc) + DEFAULT_RATE_LIMIT_PAUSE
		why = f" ({self._hold_reason})" if self._hold_reason else ""  # the platform's own reason
		return RateLimited(
			reset_at,
			f"{self.account.label}: rate limited by {self._where(url)} until"
			f" {reset_at.astimezone(timezone.utc).isoformat(timespec='seconds')}{why}",
		)

	def _send(
		self, method: str, url: str, *, auth: AuthBase | None = None, **kwargs: Any
	) -> requests.Response:
		"""One HTTP exchange within the account's deadline; every failure becomes a typed error.

		The typed error is raised OUTSIDE the except block, so it carries no chained exception
		whose frames (urllib3's, holding the prepared headers) could reach a log.
		"""
		where = self._where(url)
		tries = 1 + self.account.retries
		failure: ConnectorError | None = None
		response: requests.Response | None = None
		started = time.monotonic()
		try:
			response = self.session.request(
				method,
				url,
				params=kwargs.get("params"),
				json=kwargs.get("json_body"),
				data=kwargs.get("data"),
				headers=kwargs.get("headers"),
				auth=auth,
				timeout=self.account.timeout,
				allow_redirects=True,
				stream=True,
			)
		except (requests.Timeout, requests.ConnectionError) as exc:
			self.requests_made += tries
			if _is_refused(exc):
				failure = PlatformUnavailable(
					f"{self.account.label}: {where} refused the connection (tried {tries} times)"
				)
			elif isinstance(exc, requests.Timeout) or _is_read_timeout(exc):
				failure = PlatformUnavailable(
					f"{self.account.label}: {where} did not answer within {self.account.timeout:g} s"
					f" (tried {tries} times)"
				)
			else:
				failure = PlatformUnavailable(
					f"{self.account.label}: cannot connect to {where} (tried {tries} times)"
				)
		except (requests.RequestException, HTTPError, HTTPException, OSError, ValueError) as exc:
			self.requests_made += 1
			failure = PlatformUnavailable(
				f"{self.account.label}: request to {where} failed ({type(exc).__name__})"
			)
		if failure is not None or response is None:
			raise failure or PlatformUnavailable(f"{self.account.label}: no answer from {where}")
		retries = getattr(response.raw, "retries", None)
		self.requests_made += 1 + len(getattr(retries, "history", ()) or ())
		failure = self._read_body(response, started, where)
		if failure is not None:
			raise failure
		return response

	def _read_body(self, response: requests.Response, started: float, where: str) -> ConnectorError | None:
		"""Read the body in what arrives per socket read, stopping at the request's deadline."""
		deadline = started + self.account.deadline
		chunks: list[bytes] = []
		size = 0
		failure: ConnectorError | None = None
		raw = response.raw
		try:
			while True:
				if time.monotonic() > deadline:
					failure = PlatformUnavailable(
						f"{self.account.label}: {where} did not finish its answer within"
						f" {self.account.deadline:g} s"
					)
					break
				chunk = (
					raw.read1(65536, decode_content=True)
					if isinstance(raw, HTTPResponse)
					else raw.read(65536)
				)
				if not chunk:
					break
				chunks.append(chunk)
				size += len(chunk)
				if size > MAX_BODY_BYTES:
					failure = BadPayload(
						f"{self.account.label}: {where} sent more than {MAX_BODY_BYTES // 2**20} MB"
					)
					break
		except (requests.RequestException, HTTPError, HTTPException, OSError, ValueError) as exc:
			failure = PlatformUnavailable(
				f"{self.account.label}: {where} broke off its answer ({type(exc).__name__})"
			)
		if failure is not None:
			raw.close()  # a half-read connection is not handed back to the pool
		response._content = b"".join(chunks)
		response._content_consumed = True
		response.close()
		return failure

	def raise_for_status(self, response: requests.Response) -> None:
		status = response.status_code
		if status < 400:
			return
		where = self._where(response.url)
		detail = self.error_detail(response)
		suffix = f": {detail}" if detail else ""
		if status == 429:
			reset_at = reset_time_from_headers(response.headers)
			raise RateLimited(
				reset_at,
				f"{self.account.label}: rate limited by {where} until {reset_at.isoformat(timespec='seconds')}",
			)
		if status in (401, 403):
			raise AuthFailed(f"{self.account.label}: {where} refused the credentials (HTTP {status}){suffix}")
		if status >= 500:
			raise PlatformUnavailable(f"{self.account.label}: {where} failed with HTTP {status}{suffix}")
		raise RequestRejected(f"{self.account.label}: {where} rejected the request (HTTP {status}){suffix}")

	def parse_json(self, response: requests.Response) -> Any:
		try:
			return json.loads(response.content.decode(response.encoding or "utf-8"))
		except (ValueError, UnicodeDecodeError, LookupError, RecursionError):
			pass
		raise BadPayload(
			f"{self.account.label}: {self._where(response.url)} sent a response that is not valid JSON"
			f" ({len(response.content)} bytes)"
		)

	def error_detail(self, response: requests.Response) -> str:
		"""The platform's own short error text, scrubbed of every credential value."""
		try:
			payload = json.loads(response.content or b"null")
		except (ValueError, UnicodeDecodeError, RecursionError):
			return ""
		text = ""
		if isinstance(payload, dict):
			for name in ("error_description", "message", "error", "detail", "title"):
				value = payload.get(name)
				if isinstance(value, str) and value:
					text = value
					break
		return self.scrub(" ".join(text.split()))[:200]

	def scrub(self, text: str) -> str:
		for secret in [*self.account.credentials.values(), *self.credentials_update.values()]:
			if len(secret.reveal()) >= 4:
				text = text.replace(secret.reveal(), "***")
		return text

	@staticmethod
	def _where(url: str) -> str:
		"""Host and path only: query strings and fragments stay out of messages."""
		try:
			parts = urlsplit(url)
			port = parts.port
		except ValueError:
			return "(an invalid URL)"
		return f"{parts.hostname or ''}{':' + str(port) if port else ''}{parts.path}"

	# -- auth hooks for platforms with sessions --

	def auth(self) -> AuthBase | None:
		"""How requests are signed; platforms return a SendTimeAuth holding their Secret."""
		headers = self.auth_headers()
		return SendTimeAuth(headers={k: Secret(v) for k, v in headers.items()}) if headers else None

	def auth_headers(self) -> dict[str, str]:
		"""Older hook kept for connectors not yet on `auth()`; prefer `auth()`."""
		return {}

	def is_expired_auth(self, response: requests.Response) -> bool:
		return False

	def refresh_auth(self) -> bool:
		"""Renew an expired session; True when the request is worth sending once more."""
		return False

	def bad_payload(self, what: str) -> BadPayload:
		return BadPayload(f"{self.account.label}: {what}")

	@contextmanager
	def reading(self, what: str) -> Iterator[None]:
		"""Turn a missing field or wrong type while mapping `what` into BadPayload for the page."""
		failure: str | None = None
		try:
			yield
		except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
			failure = f"{type(exc).__name__}: {self.scrub(str(exc))[:80]}"
		if failure is not None:
			raise self.bad_payload(f"unexpected {what} from the platform ({failure})")

	def items(self, container: Any, name: str, what: str) -> list[Any]:
		"""`container[name]` as a list (the page's items); anything else is a BadPayload."""
		value = container.get(name) if isinstance(container, dict) else None
		if not isinstance(value, list):
			raise self.bad_payload(f"unexpected {what} from the platform (no list of {name})")
		return value

	def each(self, items: Iterable[Any], what: str, make: Callable[[Any], T | None]) -> list[T]:
		"""Map every item of a page; one that does not fit is skipped and logged, the rest kept."""
		mapped: list[T] = []
		skipped = 0
		for item in items:
			try:
				result = make(item)
			except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
				skipped += 1
				log.warning("%s: skipped a malformed %s (%s)", self.account.label, what, type(exc).__name__)
				continue
			if result is not None:
				mapped.append(result)
		if skipped:
			self.warnings.append(f"{self.account.label}: skipped {skipped} malformed {what}(s)")
		return mapped


@dataclass
class _Walk:
	mentions: list[Mention] = field(default_factory=list)
	pages: int = 0
	complete: bool = False
	error: ConnectorError | None = None
	highest: Mark | None = None
	lowest: Mark | None = None
	_high: tuple[Any, ...] | None = None
	_low: tuple[Any, ...] | None = None

	def add(self, mark: Mark, position: tuple[Any, ...], mention: Mention) -> None:
		self.mentions.append(mention)
		if self._high is None or position > self._high:
			self._high, self.highest = position, mark
		if self._low is None or position < self._low:
			self._low, self.lowest = position, mark


def _valid_gap(gap: Any) -> dict[str, Any] | None:
	"""A gap from a stored cursor, or None when it is not one we wrote."""
	if not isinstance(gap, dict) or not isinstance(gap.get("below"), dict):
		return None
	if gap.get("above") is not None and not isinstance(gap.get("above"), dict):
		return None
	return gap


def _reason(exc: Exception) -> Any:
	return getattr(exc.args[0] if exc.args else None, "reason", None)


def _is_read_timeout(exc: Exception) -> bool:
	"""requests reports read timeouts that outlasted urllib3's retries as ConnectionError.

	urllib3's NewConnectionError (refused, no such host) is a ConnectTimeoutError subclass
	but no timeout."""
	reason = _reason(exc)
	if isinstance(reason, NewConnectionError):
		return False
	return isinstance(reason, ReadTimeoutError | ConnectTimeoutError)


def _is_refused(exc: Exception) -> bool:
	"""The host answered, but nothing listens on the port."""
	reason = _reason(exc)
	return isinstance(reason, NewConnectionError) and "refused" in str(reason).lower()


# --- registry ------------------------------------------------------------------------------

_REGISTRY: dict[Platform, type[Connector]] = {}
PLATFORM_MODULES = (
	"mastodon",
	"bluesky",
	"reddit",
	"x",
	"hackernews",
	"rss",
	"facebook",
	"instagram",
	"youtube",
)


def register(cls: type[Connector]) -> type[Connector]:
	"""Class decorator: make a connector findable by its platform."""
	_REGISTRY[cls.platform] = cls
	return cls


def connector_class(platform: Platform | str) -> type[Connector]:
	_load_platform_modules()
	platform = Platform(platform)
	try:
		return _REGISTRY[platform]
	except KeyError:
		raise ConnectorError(f"no connector for {platform.value} yet") from None


def get_connector(account: AccountConfig, session: requests.Session | None = None) -> Connector:
	"""The connector for the account's platform, ready to fetch."""
	return connector_class(account.platform)(account, session=session)


def _load_platform_modules() -> None:
	for module in PLATFORM_MODULES:
		try:
			importlib.import_module(f"social_crm.engine.connectors.{module}")
		except ModuleNotFoundError as exc:
			if exc.name != f"social_crm.engine.connectors.{module}":
				raise


_FRACTION = re.compile(r"\.(\d+)")


def parse_time(value: Any) -> datetime:
	"""An aware UTC datetime from ISO 8601 text (any fraction length, Z or offset) or epoch seconds."""
	if isinstance(value, bool) or value is None:
		raise ValueError(f"not a timestamp: {value!r}")
	if isinstance(value, int | float):
		try:
			return datetime.fromtimestamp(value, timezone.utc)
		except (OverflowError, OSError) as exc:
			raise ValueError(f"not a timestamp: {value!r}") from exc
	if not isinstance(value, str) or not value:
		raise ValueError(f"not a timestamp: {value!r}")
	text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
	# Python 3.10 accepts only 3 or 6 fraction digits; platforms send 0 to 9.
	text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
	parsed = datetime.fromisoformat(text)
	return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
