"""What the Facebook and Instagram fakes share: Meta's Graph API wire format.

From developers.facebook.com/docs/graph-api: versioned paths (`/v21.0/{id}/{edge}`), edges as
`{"data": [...], "paging": {"cursors": {"before", "after"}, "next", "previous"}}` (no `next`
on the last page; `next` carries the access token in its query, as Meta's does), error objects
`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}` with HTTP 400, usage
headers (`X-App-Usage`, `X-Business-Use-Case-Usage` with estimated_time_to_regain_access in
minutes), tokens as `Authorization: Bearer` or `access_token`, and throttling error 32/80001.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from social_crm.engine.platform_fakes.server import (
	SEED_EPOCH,
	Failure,
	FakePlatform,
	RecordedRequest,
	Reply,
	SeedPost,
)

VERSION = "v21.0"


def graph_error(code: int, message: str, subcode: int | None = None, kind: str = "OAuthException") -> dict:
	error: dict[str, Any] = {
		"message": message,
		"type": kind,
		"code": code,
		"fbtrace_id": secrets.token_hex(8),
	}
	if subcode is not None:
		error["error_subcode"] = subcode
	return {"error": error}


def graph_time_text(moment) -> str:
	return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")


def business_usage_header(
	owner_id: str, kind: str, regain_minutes: float, *, cputime: int = 10, total_time: int = 10
) -> dict[str, str]:
	"""`X-Business-Use-Case-Usage` as Meta documents it for a throttled Page ("pages") or
	Instagram account ("instagram"): the estimate to regain access is in minutes."""
	usage = {
		owner_id: [
			{
				"type": kind,
				"call_count": 100,
				"total_cputime": cputime,
				"total_time": total_time,
				"estimated_time_to_regain_access": regain_minutes,
			}
		]
	}
	return {"X-Business-Use-Case-Usage": json.dumps(usage)}


class FakeGraph(FakePlatform):
	"""Auth, paging, usage headers and error objects; subclasses route the edges."""

	default_page_size = 25
	max_page_size = 100

	def __init__(self, posts=None, token: str = "graph-token", owner_id: str = "1000001") -> None:
		self.token = token
		self.owner_id = owner_id
		self.version = VERSION
		self.usage: dict[str, Any] = {"call_count": 3, "total_cputime": 1, "total_time": 2}
		self.business_usage: dict[str, Any] | None = None
		self.deleted: set[str] = set()
		self.token_expired = False
		super().__init__(posts)

	def seed(self, launch: SeedPost, posts, first_comment: bool) -> None:
		"""The owner's launch post (where a comment without `reply_to` goes), with an early
		comment on it if asked, then `posts`: how both Graph fakes begin."""
		self.launch = self.add_post(launch)
		self.replies_posted: list[dict[str, Any]] = []
		self.first_comment = (
			self.add_post(
				SeedPost(text="Endlich! 🎉", author="early_bird", created_at=SEED_EPOCH - timedelta(hours=23))
			)
			if first_comment
			else None
		)
		for post in posts or []:
			self.add_post(post)

	def start(self) -> None:
		super().start()
		assert self._server
		self._server.RequestHandlerClass.disable_nagle_algorithm = True  # small JSON answers, no 40 ms stalls

	# -- plumbing --

	def presented_token(self, request: RecordedRequest) -> str | None:
		header = request.headers.get("authorization", "")
		if header.startswith(("Bearer ", "OAuth ")):
			return header.split(" ", 1)[1]
		return request.param("access_token")

	def handle(self, request: RecordedRequest, empty: bool) -> Reply:
		prefix = f"/{self.version}/"
		if not request.path.startswith(prefix):
			return Reply(400, graph_error(2500, "Unknown path components", kind="OAuthException"))
		token = self.presented_token(request)
		if token is None:
			return Reply(400, graph_error(2500, "An active access token must be used to query information."))
		if token != self.token:
			return Reply(
				400,
				graph_error(
					190, "Invalid OAuth access token - Cannot parse access token", kind="OAuthException"
				),
			)
		if self.token_expired:
			return Reply(
				400,
				graph_error(
					190,
					"Error validating access token: Session has expired on Monday, 02-Mar-26 07:00:00 PST.",
					subcode=463,
				),
			)
		parts = request.path[len(prefix) :].strip("/").split("/")
		reply = self.route(request, parts, empty)
		reply.headers.setdefault("X-App-Usage", json.dumps(self.usage))
		if self.business_usage is not None:
			reply.headers.setdefault("X-Business-Use-Case-Usage", json.dumps(self.business_usage))
		return reply

	def route(self, request: RecordedRequest, parts: list[str], empty: bool) -> Reply:
		raise NotImplementedError

	def rate_limit_reply(self, failure: Failure) -> Reply:
		body = graph_error(
			80001,
			"There have been too many calls to this Page account. Wait a bit and try again.",
			subcode=2446079,
		)
		return Reply(400, body, dict(failure.headers))

	cursor_params = ("after", "before")

	def rejected_cursor_reply(self, request: RecordedRequest) -> Reply:
		"""Graph's answer to a cursor it no longer accepts (cursors die with the item they point
		at, says the paging guide): error 2642 "Invalid cursors values"."""
		return Reply(400, graph_error(2642, "(#2642) Invalid cursors values"))

	def not_found(self, object_id: str) -> Reply:
		return Reply(
			400,
			graph_error(
				100,
				f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
				subcode=33,
				kind="GraphMethodException",
			),
		)

	def edge(self, request: RecordedRequest, items: list[Any], render: Any) -> Reply:
		"""Cursor paging over `items` (already in the order the edge returns)."""
		limit = min(int(request.param("limit") or self.default_page_size), self.max_page_size)
		after = request.param("after")
		start = _decode(after) + 1 if after else 0
		chunk, following = self.page_slice(items, start, limit)
		# a broken seed post is an item without its documented fields (the shared fault suite)
		data = [
			{"id": None, "unexpected": True} if getattr(item, "broken", False) else render(item)
			for item in chunk
		]
		body: dict[str, Any] = {"data": data}
		if data:
			first_index = items.index(chunk[0])
			last_index = items.index(chunk[-1])
			cursors = {"before": _encode(first_index), "after": _encode(last_index)}
			paging: dict[str, Any] = {"cursors": cursors}
			base = f"http://{request.headers.get('host')}{request.path}"
			kept = [
				(k, v) for k, values in request.query.items() if k not in ("after", "before") for v in values
			]
			kept.append(("access_token", self.token))  # Meta's next links carry the token
			if following is not None:
				paging["next"] = f"{base}?{urlencode([*kept, ('after', cursors['after'])])}"
			if start:
				paging["previous"] = f"{base}?{urlencode([*kept, ('before', cursors['before'])])}"
			body["paging"] = paging
		return Reply(200, body)


def _encode(index: int) -> str:
	return base64.b64encode(f"idx:{index}".encode()).decode()


def _decode(cursor: str) -> int:
	try:
		return int(base64.b64decode(cursor.encode()).decode().split(":", 1)[1])
	except (ValueError, IndexError):
		return -1
