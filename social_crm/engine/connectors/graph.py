"""What the Facebook Page and Instagram connectors share: Meta's Graph API.

Documented at developers.facebook.com/docs/graph-api:
* Responses of edges are `{"data": [...], "paging": {"cursors": {"before", "after"}, "next"}}`.
  `next` missing means the last page; a page may be short or even empty while `next` is still
  there, so only `next` ends a walk. We page with `after` on our own URL rather than following
  `next`, because Meta's `next` URLs carry the access token in their query string.
* Errors are `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`, mostly with
  HTTP 400/403. Code 190 is an expired or invalid token (subcodes 458-467 say why); codes 4
  (app), 17 (user), 32 (page), 613 (custom) and 80001/80002 (Pages/Instagram business use
  case) are throttling.
* Usage headers: `X-App-Usage` and `X-Page-Usage` (flat JSON of percentages call_count,
  total_cputime, total_time) and `X-Business-Use-Case-Usage` (`{business-id: [{type,
  call_count, total_cputime, total_time, estimated_time_to_regain_access}]}`, the last in
  minutes). At 100 % Meta blocks; we slow down from 75 % on and pause at the estimate.
* The token goes in an `Authorization: Bearer` header (Graph accepts it as well as the
  `access_token` parameter), written in at send time from its `Secret`, never in a URL: URLs
  end up in exception messages and logs.

Throttle decisions are plain functions (`throttle_decision`) that return "go on / slow down /
wait S seconds / pause until T"; `GraphConnector.throttle` hands them to the base's throttling,
which waits out what fits the poll's wait budget and otherwise stops the poll there (what came
so far is kept, the account pauses until the estimate).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import requests
from requests.auth import AuthBase

from social_crm.engine.connectors.base import (
	AccountConfig,
	AuthFailed,
	Connector,
	FetchResult,
	Mark,
	RateLimited,
	RequestRejected,
	Stream,
	StreamResult,
	Throttle,
	ThrottleDecision,
	bearer,
	parse_time,
)

DEFAULT_API_VERSION = "v21.0"
THROTTLE_CODES = frozenset({4, 17, 32, 613, 80001, 80002})
TOKEN_CODES = frozenset({190, 102})
PERMISSION_CODES = frozenset({10, 200})
# Subcodes of code 190, as the Graph API error reference names them.
TOKEN_SUBCODES = {
	458: "the app is no longer installed for this user",
	459: "the user must log in to Facebook again (checkpoint)",
	460: "the password was changed, so the token was invalidated",
	463: "the access token has expired",
	464: "the user is not confirmed",
	467: "the access token is invalid",
}
SLOW_DOWN_AT = 75.0  # percent of any usage figure
THROTTLE_PAUSE = timedelta(minutes=5)  # a throttling error without an estimate
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-ad-account-usage", "x-business-use-case-usage")


@dataclass(frozen=True)
class GraphError:
	"""A Graph API error object; `fbtrace_id` is what Meta support asks for."""

	code: int
	subcode: int | None
	type: str
	message: str
	fbtrace_id: str

	@property
	def throttled(self) -> bool:
		return self.code in THROTTLE_CODES

	@property
	def bad_token(self) -> bool:
		return self.code in TOKEN_CODES

	def reason(self) -> str:
		"""What an admin reads: the cause in words, then Meta's own text and trace id."""
		if self.bad_token:
			why = TOKEN_SUBCODES.get(self.subcode or 0, "the access token was rejected")
			head = f"{why} (Graph error 190); replace the token in the account to resume polling"
		elif self.throttled:
			head = f"Meta throttled the requests (Graph error {self.code})"
		elif self.code in PERMISSION_CODES:
			head = f"the token lacks a permission (Graph error {self.code})"
		else:
			head = f"Graph error {self.code}" + (f"/{self.subcode}" if self.subcode else "")
		tail = f": {self.message}" if self.message else ""
		return f"{head}{tail}" + (f" [fbtrace_id {self.fbtrace_id}]" if self.fbtrace_id else "")


def graph_error(payload: Any) -> GraphError | None:
	"""The error object of a Graph response body, or None when it is not one."""
	if not isinstance(payload, Mapping) or not isinstance(payload.get("error"), Mapping):
		return None
	error = payload["error"]
	try:
		code = int(error.get("code") or 0)
	except (TypeError, ValueError):
		code = 0
	try:
		subcode = int(error["error_subcode"]) if error.get("error_subcode") is not None else None
	except (TypeError, ValueError):
		subcode = None
	return GraphError(
		code=code,
		subcode=subcode,
		type=str(error.get("type") or ""),
		message=str(error.get("error_user_msg") or error.get("message") or "")[:300],
		fbtrace_id=str(error.get("fbtrace_id") or "")[:64],
	)


# --- usage headers and throttle decisions ---------------------------------------------------


@dataclass(frozen=True)
class Usage:
	"""The highest percentage any usage header reports, and Meta's own wait estimate."""

	percent: float = 0.0
	regain_after: timedelta | None = None


def usage_from_headers(headers: Mapping[str, str]) -> Usage:
	"""Reads every usage header; a malformed one is ignored rather than failing the poll."""
	lowered = {str(name).lower(): value for name, value in headers.items()}
	percent = 0.0
	regain: float | None = None
	for name in USAGE_HEADERS:
		raw = lowered.get(name)
		if not raw:
			continue
		try:
			data = json.loads(raw)
		except (TypeError, ValueError):
			continue
		for figures in _usage_objects(data):
			for key in ("call_count", "total_cputime", "total_time", "acc_id_util_pct"):
				percent = max(percent, _number(figures.get(key)))
			minutes = _number(figures.get("estimated_time_to_regain_access"))
			if minutes > 0:
				regain = max(regain or 0.0, minutes)
	return Usage(percent=percent, regain_after=timedelta(minutes=regain) if regain else None)


def _usage_objects(data: Any) -> list[Mapping[str, Any]]:
	"""Flat headers are one object; the business-use-case header nests lists per business id."""
	if not isinstance(data, Mapping):
		return []
	if any(not isinstance(value, list) for value in data.values()):
		return [data]
	return [item for value in data.values() for item in value if isinstance(item, Mapping)]


def _number(value: Any) -> float:
	if isinstance(value, bool):
		return 0.0
	try:
		number = float(value)
	except (TypeError, ValueError):
		return 0.0
	return number if number == number and number >= 0 else 0.0  # NaN and negatives read as 0


def throttle_decision(
	status: int, headers: Mapping[str, str], payload: Any, now: datetime | None = None
) -> ThrottleDecision:
	"""Graph's verdict on one response: a throttling error pauses, high usage slows down."""
	now = now or datetime.now(timezone.utc)
	usage = usage_from_headers(headers)
	error = graph_error(payload) if status >= 400 else None
	if (error and error.throttled) or status == 429:
		wait = usage.regain_after or THROTTLE_PAUSE
		reason = error.reason() if error else "HTTP 429"
		if usage.regain_after is None:
			reason += f"; no estimate sent, pausing {int(THROTTLE_PAUSE.total_seconds() // 60)} minutes"
		return ThrottleDecision("pause", until=now + wait, seconds=wait.total_seconds(), reason=reason)
	if usage.regain_after is not None and usage.percent >= 100:
		return ThrottleDecision(
			"pause",
			until=now + usage.regain_after,
			seconds=usage.regain_after.total_seconds(),
			reason="usage at 100 %",
		)
	if usage.percent >= SLOW_DOWN_AT:
		return ThrottleDecision("slow", reason=f"Meta reports {usage.percent:g} % of the rate limit used")
	return ThrottleDecision("go")


# --- the connector base --------------------------------------------------------------------


@dataclass(frozen=True)
class ModerationEvent:
	"""A comment the platform hid, unhid or deleted: marked on a stored mention, never created."""

	platform: str
	external_id: str
	state: str  # "Hidden", "Deleted" or "" (visible again)


class GraphConnector(Connector):
	"""Shared Graph plumbing: versioned URLs, bearer token, errors, usage, cursor paging.

	A company page's streams are its own objects: a listing of recent posts or media (one
	request per poll) and, per object whose activity marker changed since the last poll, its
	comments newest first. Objects that did not change cost nothing.
	"""

	default_base_url = "https://graph.facebook.com"
	max_page_size = 100
	supports_search = False
	supports_reply = True
	recent_objects: ClassVar[int] = 25

	def __init__(self, account: AccountConfig, session: requests.Session | None = None) -> None:
		super().__init__(account, session=session)
		self.slowed_down = ""
		self.moderation: list[ModerationEvent] = []
		self._listing: dict[str, dict[str, Any]] = {}

	@property
	def api_version(self) -> str:
		version = self.account.credentials.reveal("api_version", DEFAULT_API_VERSION).strip()
		return version if version.startswith("v") else f"v{version}"

	@property
	def has_token(self) -> bool:
		return bool(self.account.credentials.secret("access_token"))

	def url(self, path: str) -> str:
		return f"{self.base_url}/{self.api_version}/{path.lstrip('/')}"

	def auth(self) -> AuthBase | None:
		"""`Authorization: Bearer <token>`, revealed only as requests prepares the request."""
		return bearer(self.account.credentials.secret("access_token"))

	def object_ids(self, queries: Sequence[str]) -> list[str]:
		"""The Page / IG user the account is for; on the command line, the --query ids."""
		if self.account.own_handle.strip():
			return [self.account.own_handle.strip()]
		return [query for query in queries if query.replace("_", "").isalnum()]

	def fetch(self, queries: Sequence[str], cursor: Mapping[str, Any] | None = None) -> FetchResult:
		"""A poll; `moderation` then lists the comments Graph reported hidden."""
		self.moderation = []
		self.slowed_down = ""
		if not self.has_token:
			raise AuthFailed(f"{self.account.label}: no access token configured")
		result = super().fetch(queries, cursor)
		if self.slowed_down:
			result.warnings.append(f"{self.account.label}: {self.slowed_down}; polling fewer objects")
		return result

	# -- HTTP --

	def graph_get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
		return self.parse_json(self.request("GET", self.url(path), params=dict(params or {})))

	def throttle(self, response: requests.Response) -> Throttle | None:
		"""Graph's throttling errors and usage headers as the base's Throttle.

		A throttling error (codes 4, 17, 32, 613, 80001/2, or HTTP 429) holds the account until
		Meta's estimate (five minutes without one); the base waits that out only when it fits the
		poll's wait budget, else the poll stops and the account pauses. Usage at 100 % with an
		estimate on a good answer keeps the answer and holds only the next request. From 75 % on,
		the poll goes on but skips the comments of objects it already knows (`slowed_down`).
		"""
		payload = None
		if response.status_code >= 400:
			try:
				payload = json.loads(response.content or b"null")
			except (ValueError, UnicodeDecodeError, RecursionError):
				payload = None
		decision = throttle_decision(response.status_code, response.headers, payload)
		if decision.action == "slow":
			self.slowed_down = decision.reason
		if decision.action != "pause" or decision.until is None:
			return None
		return Throttle(decision.until, usable=response.status_code < 400, reason=self.scrub(decision.reason))

	def raise_for_status(self, response: requests.Response) -> None:
		if response.status_code < 400:
			return
		try:
			payload = json.loads(response.content or b"null")
		except ValueError:
			payload = None
		error = graph_error(payload)
		decision = throttle_decision(response.status_code, response.headers, payload)
		where = self._where(response.url)
		if decision.action == "pause":
			raise RateLimited(decision.until, f"{self.account.label}: {self.scrub(decision.reason)}")
		if error and error.bad_token:
			raise AuthFailed(f"{self.account.label}: {self.scrub(error.reason())}")
		if error and (error.code in PERMISSION_CODES or response.status_code in (401, 403)):
			raise AuthFailed(f"{self.account.label}: {where} refused: {self.scrub(error.reason())}")
		if error and response.status_code < 500:
			raise RequestRejected(f"{self.account.label}: {where}: {self.scrub(error.reason())}")
		super().raise_for_status(response)

	def error_detail(self, response: requests.Response) -> str:
		try:
			error = graph_error(json.loads(response.content or b"null"))
		except ValueError:
			error = None
		return self.scrub(error.reason())[:300] if error else super().error_detail(response)

	# -- paging --

	def edge_page(
		self, path: str, params: Mapping[str, Any], token: str | None, limit: int = 0
	) -> tuple[list[Any], str | None]:
		"""One page of an edge and the `after` cursor of the next one (None: last page)."""
		query = {"limit": limit or self.page_size, **params}
		if token:
			query["after"] = token
		payload = self.graph_get(path, query)
		with self.reading("Graph edge"):
			items = payload["data"]
			if not isinstance(items, list):
				raise TypeError("data is not a list")
			paging = payload.get("paging") or {}
			after = (paging.get("cursors") or {}).get("after")
			return items, (str(after) if paging.get("next") and after else None)

	def order(self, mark: Mark) -> tuple[Any, ...]:
		return (float(mark.get("t", 0)), str(mark["id"]))

	@staticmethod
	def mark(item: Mapping[str, Any], time_field: str) -> Mark:
		return {"id": str(item["id"]), "t": graph_time(item[time_field]).timestamp()}

	def poll_stream(self, stream: Stream, state: dict[str, Any]) -> StreamResult:
		"""Comments of an object are read only when its activity marker moved (or a gap waits)."""
		if stream.kind != "comments":
			return super().poll_stream(stream, state)
		object_id, _, marker = stream.value.partition("|")
		if state.get("seen") == marker and not state.get("gap"):
			return StreamResult(mentions=[], state=state, pages=0, caught_up=True)
		if self.slowed_down and state.get("newest"):
			self.warnings.append(f"{self.account.label}: comments of {object_id} left for a later poll")
			return StreamResult(mentions=[], state=state, pages=0, caught_up=False)
		result = super().poll_stream(stream, {k: v for k, v in state.items() if k != "seen"})
		if self.marker_reached(marker, state.get("seen"), result):
			result.state["seen"] = marker
		elif state.get("seen"):
			result.state["seen"] = state["seen"]
		return result

	def marker_reached(self, marker: str, previous: str | None, result: StreamResult) -> bool:
		"""Whether the walk saw what moved the marker; if not, the object is read again next poll
		(an empty answer right after a new comment must not hide that comment for good)."""
		return not result.state.get("gap")


_OFFSET = re.compile(r"([+-])(\d{2})(\d{2})$")


def graph_time(value: Any) -> datetime:
	"""Graph timestamps: ISO 8601 with a `+0000` offset (no colon), or epoch seconds (webhooks)."""
	if isinstance(value, str):
		value = _OFFSET.sub(r"\1\2:\3", value.strip())
	return parse_time(value)


def with_resume(entries: list[tuple[Mark, Any]], after: str | None) -> list[tuple[Mark, Any]]:
	"""Each mark remembers the cursor after its page, so a backlog gap resumes where the last
	poll stopped instead of re-reading from the top (a stale cursor falls back to the top)."""
	if after:
		for mark, _ in entries:
			mark["after"] = after
	return entries


def resume_after(older_than: Mark | None) -> str | None:
	return (older_than or {}).get("after")
