"""The connector interface and the HTTP behaviour every platform shares, written once.

A connector turns one account's platform API into `Mention`s plus the cursor to save next.
The contract with the caller (the Frappe shell or the `social-crm` command):

* `fetch(queries, cursor)` either returns everything new since `cursor` (bounded by the
  account's `page_limit` per stream) together with the NEXT cursor, or raises. It never returns
  half a poll: when any page fails (rate limit, bad JSON, outage) the whole call raises and the
  caller keeps its old cursor. Mentions from the good pages are dropped on purpose; the next
  poll fetches them again and storage is idempotent by (platform, external_id).
* Save the returned cursor only AFTER the mentions are stored.
* `FetchResult.credentials_update` carries session tokens (Bluesky JWTs, Reddit OAuth tokens)
  that the caller should persist with the account's other secrets, so the next poll does not
  log in again. Cursors never hold secrets and may be shown or logged.

Every stream (one per query, plus the account's own mentions where the platform has them) is
read newest-first down to the newest item seen last time. When `page_limit` stops the walk
before that point, the unread span is remembered as a "gap" in the cursor and drained first on
later polls, so a backlog is never skipped (`caught_up` is False meanwhile). The very first
poll of a stream has no bound below; it reads at most `page_limit` pages of history and then
follows only what is new.
"""

from __future__ import annotations

import email.utils
import importlib
import json
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, ReadTimeoutError
from urllib3.util.retry import Retry

from social_crm.engine.mention import Mention, Platform

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "social_crm/0.1 (ERPNext social monitoring; +https://github.com/social-crm)"
# A 429 without any reset header still pauses the account, for this long.
DEFAULT_RATE_LIMIT_PAUSE = timedelta(seconds=60)
# Reset headers below this are a number of seconds from now, above it epoch seconds.
_EPOCH_THRESHOLD = 1_000_000_000

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

	def revealed_values(self) -> list[str]:
		return [secret.reveal() for secret in self._values.values()]


# --- values --------------------------------------------------------------------------------


@dataclass
class AccountConfig:
	"""What a connector needs to know about one monitored account.

	`base_url` empty means the platform's public default (e.g. https://bsky.social); tests and
	the demo point it at a local server. `page_limit` bounds pages per stream per poll.
	`page_size` 0 means the platform's maximum. `retries`/`backoff` are for 5xx and broken
	connections only; a 429 is never retried here.
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

	def __post_init__(self) -> None:
		self.platform = Platform(self.platform)
		if not isinstance(self.credentials, Credentials):
			self.credentials = Credentials(self.credentials)
		self.page_limit = max(1, int(self.page_limit))

	@property
	def label(self) -> str:
		"""How errors name the account: never a secret, always enough to find it in the desk."""
		who = self.name or self.own_handle
		return f"{self.platform.value} ({who})" if who else self.platform.value


@dataclass
class FetchResult:
	"""One poll's outcome. Store `mentions`, then save `cursor` (and `credentials_update`)."""

	mentions: list[Mention]
	cursor: dict[str, Any]
	pages: int = 0
	requests: int = 0
	caught_up: bool = True
	credentials_update: dict[str, Secret] = field(default_factory=dict, repr=False)
	warnings: list[str] = field(default_factory=list)


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
	"""One response, newest first. `entries` pair each mention with its position mark."""

	entries: list[tuple[Mark, Mention]]
	next_token: str | None = None
	exhausted: bool = False


@dataclass
class StreamResult:
	mentions: list[Mention]
	state: dict[str, Any]
	pages: int
	caught_up: bool


# --- errors --------------------------------------------------------------------------------


class ConnectorError(Exception):
	"""Base of everything a connector raises on purpose; the message is for an admin."""

	def __init__(self, message: str) -> None:
		super().__init__(message)
		self.message = message

	def __str__(self) -> str:
		return self.message


class RateLimited(ConnectorError):
	"""The platform said 429: pause THIS account until `reset_at` (UTC), then poll again."""

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
	"""When a 429 ends, from whichever header the platform sends.

	Retry-After: seconds or an HTTP date (RFC 9110). x-rate-limit-reset (X): epoch seconds.
	x-ratelimit-reset: seconds from now on Reddit, an ISO time on Mastodon. ratelimit-reset
	(Bluesky, IETF draft): epoch seconds on Bluesky, seconds from now in the draft. Numbers are
	told apart by size, so both readings work.
	"""
	now = now or datetime.now(timezone.utc)
	lowered = {name.lower(): value for name, value in headers.items()}
	for name in ("retry-after", "x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
		value = (lowered.get(name) or "").strip()
		if value:
			parsed = _parse_reset(value, now)
			if parsed is not None:
				return max(parsed, now)
	return now + DEFAULT_RATE_LIMIT_PAUSE


def _parse_reset(value: str, now: datetime) -> datetime | None:
	try:
		number = float(value)
	except ValueError:
		number = None
	if number is not None:
		if number >= _EPOCH_THRESHOLD:
			return datetime.fromtimestamp(number, timezone.utc)
		return now + timedelta(seconds=number)
	try:
		parsed = email.utils.parsedate_to_datetime(value)
	except (TypeError, ValueError, IndexError):
		parsed = None
	if parsed is None:
		try:
			parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
		except ValueError:
			return None
	return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# --- HTTP ----------------------------------------------------------------------------------


class _RetryNot429(Retry):
	"""urllib3 Retry that leaves 429 to the caller and only sleeps for a SHORT Retry-After."""

	max_retry_after: ClassVar[float] = 10.0

	def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
		if status_code == 429:
			return False
		return super().is_retry(method, status_code, has_retry_after)

	def get_retry_after(self, response: Any) -> float | None:
		seconds = super().get_retry_after(response)
		if seconds is not None and seconds > self.max_retry_after:
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
	payloads to the same mapping functions.
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

	@property
	def page_size(self) -> int:
		size = self.account.page_size or self.max_page_size
		return max(1, min(size, self.max_page_size))

	# -- what a caller uses --

	def fetch(self, queries: Sequence[str], cursor: Mapping[str, Any] | None = None) -> FetchResult:
		"""Everything new for `queries` (and own mentions) since `cursor`; raises rather than half."""
		cursor = cursor or {}
		start = self.requests_made
		self.warnings = []
		streams = self.streams([query.strip() for query in queries if query and query.strip()])
		mentions: dict[tuple[str, str], Mention] = {}
		next_cursor: dict[str, Any] = {}
		pages = 0
		caught_up = True
		for stream in streams:
			state = cursor.get(stream.key)
			result = self.poll_stream(stream, dict(state) if isinstance(state, Mapping) else {})
			next_cursor[stream.key] = result.state
			pages += result.pages
			caught_up = caught_up and result.caught_up
			for mention in result.mentions:
				mentions.setdefault(mention.key, mention)
		ordered = sorted(mentions.values(), key=lambda m: (m.posted_at, m.external_id))
		return FetchResult(
			mentions=ordered,
			cursor=next_cursor,
			pages=pages,
			requests=self.requests_made - start,
			caught_up=caught_up,
			credentials_update=dict(self.credentials_update),
			warnings=list(self.warnings),
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
		newest: Mark | None = state.get("newest")
		gap: dict[str, Mark] | None = state.get("gap")
		budget = self.account.page_limit
		found: list[Mention] = []
		pages = 0
		if gap:
			walk = self._walk(stream, gap["above"], gap["below"], budget)
			pages += walk.pages
			budget -= walk.pages
			found += walk.mentions
			gap = None if walk.complete else {"above": gap["above"], "below": walk.lowest or gap["below"]}
		if gap is None and budget > 0:
			walk = self._walk(stream, newest, None, budget)
			pages += walk.pages
			found += walk.mentions
			if not walk.complete and newest is not None and walk.lowest is not None:
				gap = {"above": newest, "below": walk.lowest}
			if walk.highest is not None and (newest is None or self.order(walk.highest) > self.order(newest)):
				newest = walk.highest
		next_state: dict[str, Any] = {"newest": newest} if newest is not None else {}
		if gap:
			next_state["gap"] = gap
		return StreamResult(mentions=found, state=next_state, pages=pages, caught_up=gap is None)

	def _walk(self, stream: Stream, above: Mark | None, below: Mark | None, budget: int) -> _Walk:
		walk = _Walk()
		floor = self.order(above) if above is not None else None
		ceiling = self.order(below) if below is not None else None
		token: str | None = None
		seen: set[str] = set()
		while walk.pages < budget:
			page = self.fetch_page(stream, above, below, token)
			walk.pages += 1
			reached_floor = False
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
				walk.add(mark, position, mention)
			if reached_floor or page.exhausted or not page.entries or not page.next_token:
				walk.complete = True
				break
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
		auth: bool = True,
	) -> requests.Response:
		"""Send one request; raise the typed error for 429/401/403/4xx/5xx/timeouts."""
		for attempt in (1, 2):
			sent_headers = dict(self.auth_headers() if auth else {})
			sent_headers.update(headers or {})
			response = self._send(
				method, url, params=params, json_body=json_body, data=data, headers=sent_headers
			)
			if auth and attempt == 1 and self.is_expired_auth(response) and self.refresh_auth():
				continue
			self.raise_for_status(response)
			return response
		raise AssertionError("unreachable")

	def get_json(self, url: str, *, params: Any = None, headers: Mapping[str, str] | None = None) -> Any:
		return self.parse_json(self.request("GET", url, params=params, headers=headers))

	def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
		where = self._where(url)
		try:
			response = self.session.request(
				method,
				url,
				params=kwargs["params"],
				json=kwargs["json_body"],
				data=kwargs["data"],
				headers=kwargs["headers"],
				timeout=self.account.timeout,
				allow_redirects=True,
			)
		except (requests.Timeout, requests.ConnectionError) as exc:
			self.requests_made += 1 + self.account.retries
			if isinstance(exc, requests.Timeout) or _is_read_timeout(exc):
				raise PlatformUnavailable(
					f"{self.account.label}: {where} did not answer within {self.account.timeout:g} s"
					f" (tried {1 + self.account.retries} times)"
				) from None
			raise PlatformUnavailable(
				f"{self.account.label}: cannot connect to {where} (tried {1 + self.account.retries} times)"
			) from None
		except requests.RequestException as exc:
			self.requests_made += 1
			raise PlatformUnavailable(
				f"{self.account.label}: request to {where} failed ({type(exc).__name__})"
			) from None
		retries = getattr(response.raw, "retries", None)
		self.requests_made += 1 + len(getattr(retries, "history", ()) or ())
		return response

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
		except (ValueError, UnicodeDecodeError):
			raise BadPayload(
				f"{self.account.label}: {self._where(response.url)} sent a response that is not valid JSON"
				f" ({len(response.content)} bytes)"
			) from None

	def error_detail(self, response: requests.Response) -> str:
		"""The platform's own short error text, scrubbed of every credential value."""
		try:
			payload = json.loads(response.content or b"null")
		except ValueError:
			return ""
		text = ""
		if isinstance(payload, dict):
			for name in ("error_description", "message", "error", "detail", "title"):
				value = payload.get(name)
				if isinstance(value, str) and value:
					text = value
					break
		return self.scrub(text)[:200]

	def scrub(self, text: str) -> str:
		for value in self.account.credentials.revealed_values() + [
			s.reveal() for s in self.credentials_update.values()
		]:
			if value and len(value) >= 4:
				text = text.replace(value, "***")
		return text

	@staticmethod
	def _where(url: str) -> str:
		"""Host and path only: query strings and fragments stay out of messages."""
		parts = urlsplit(url)
		return f"{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}{parts.path}"

	# -- auth hooks for platforms with sessions --

	def auth_headers(self) -> dict[str, str]:
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
		try:
			yield
		except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
			raise self.bad_payload(
				f"unexpected {what} from the platform ({type(exc).__name__}: {self.scrub(str(exc))[:80]})"
			) from None


@dataclass
class _Walk:
	mentions: list[Mention] = field(default_factory=list)
	pages: int = 0
	complete: bool = False
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


def _is_read_timeout(exc: Exception) -> bool:
	"""requests reports read timeouts that outlasted urllib3's retries as ConnectionError."""
	reason = getattr(exc.args[0] if exc.args else None, "reason", None)
	return isinstance(reason, ReadTimeoutError | ConnectTimeoutError)


# --- registry ------------------------------------------------------------------------------

_REGISTRY: dict[Platform, type[Connector]] = {}
PLATFORM_MODULES = ("mastodon", "bluesky", "reddit", "x", "hackernews", "rss", "facebook", "instagram", "youtube")


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
		importlib.import_module(f"social_crm.engine.connectors.{module}")


_FRACTION = re.compile(r"\.(\d+)")


def parse_time(value: Any) -> datetime:
	"""An aware UTC datetime from ISO 8601 text (any fraction length, Z or offset) or epoch seconds."""
	if isinstance(value, bool) or value is None:
		raise ValueError(f"not a timestamp: {value!r}")
	if isinstance(value, int | float):
		return datetime.fromtimestamp(value, timezone.utc)
	if not isinstance(value, str) or not value:
		raise ValueError(f"not a timestamp: {value!r}")
	text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
	# Python 3.10 accepts only 3 or 6 fraction digits; platforms send 0 to 9.
	text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
	parsed = datetime.fromisoformat(text)
	return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
