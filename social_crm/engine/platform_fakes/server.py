"""The shared machinery of the local platform servers: HTTP plumbing, seeds, failure modes.

Each platform module subclasses `FakePlatform`, routes requests and renders `SeedPost`s in
the platform's own JSON. Tests and the demo talk to them over real HTTP on 127.0.0.1, so the
connectors' sessions, retries, headers and parsing are exercised exactly as in production.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SEED_EPOCH = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)


@dataclass
class SeedPost:
	"""A post in platform-neutral form; each fake renders it in its own wire format.

	`text` may hold HTML on platforms that send HTML (Mastodon, Hacker News, feeds).
	`own_mention` puts it into the account's mentions/notifications as well as search.
	"""

	text: str
	author: str = "anna"
	author_name: str = ""
	created_at: datetime | None = None
	lang: str | None = "en"
	title: str = ""
	reply_to: str | None = None
	likes: int = 0
	replies: int = 0
	reposts: int = 0
	followers: int = 120
	own_mention: bool = False
	kind: str = "post"
	link: str = ""
	id: str = ""
	seq: int = 0
	hidden: bool = False  # takes its place in paging but is not shown (moderated, filtered)
	broken: bool = False  # rendered as an item missing the documented fields


@dataclass
class RecordedRequest:
	method: str
	path: str
	query: dict[str, list[str]]
	headers: dict[str, str]
	body: bytes

	def param(self, name: str, default: str | None = None) -> str | None:
		values = self.query.get(name)
		return values[0] if values else default

	def json(self) -> Any:
		return json.loads(self.body or b"null")

	def form(self) -> dict[str, str]:
		return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
	status: int = 200
	body: Any = None
	headers: dict[str, str] = field(default_factory=dict)
	content_type: str = "application/json; charset=utf-8"


@dataclass
class Failure:
	"""A scripted misbehaviour for the next `times` requests whose path starts with `path`.

	kinds: rate_limit (429 + `headers`), server_error (`status`), slow (`delay` s, then the real
	answer), trickle (the real answer one byte every `delay` s), truncated (Content-Length of the
	whole answer, half of it sent, connection closed), cut_json (valid HTTP, JSON cut in half),
	malformed (not JSON at all), empty (a valid page with no items), reset (connection closed
	with an RST before any answer), repeat (the previous answer on this path again, cursor and
	all), reject_cursor (the platform's "invalid cursor" error when the request carries one).
	"""

	kind: str
	times: int = 1
	path: str = ""
	status: int = 503
	delay: float = 0.0
	headers: dict[str, str] = field(default_factory=dict)
	skip: int = 0  # let this many matching requests through first (e.g. fail page 2)


class FakePlatform:
	"""A tiny platform server; use as a context manager, then read `base_url`."""

	platform_key = "fake"
	default_page_size = 20

	def __init__(self, posts: list[SeedPost] | None = None) -> None:
		self.posts: list[SeedPost] = []
		self.requests: list[RecordedRequest] = []
		self.failures: list[Failure] = []
		self.overlap = 0  # repeat this many items of the previous page on the next (duplicates)
		self._last_reply: dict[str, Reply] = {}
		self._lock = threading.Lock()
		self._stopping = threading.Event()
		self._server: ThreadingHTTPServer | None = None
		self._thread: threading.Thread | None = None
		self._seq = 0
		for post in posts or []:
			self.add_post(post)

	# -- lifecycle --

	def __enter__(self) -> FakePlatform:
		self.start()
		return self

	def __exit__(self, *exc: object) -> None:
		self.stop()

	def start(self, port: int = 0) -> None:
		"""Serve on 127.0.0.1:`port` (0: any free port, what tests use)."""
		fake = self

		class Handler(_Handler):
			owner = fake

		self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
		self._server.daemon_threads = True
		self._thread = threading.Thread(
			target=self._server.serve_forever,
			kwargs={"poll_interval": 0.02},
			name=f"fake-{self.platform_key}",
			daemon=True,
		)
		self._thread.start()

	def stop(self) -> None:
		self._stopping.set()
		if self._server:
			self._server.shutdown()
			self._server.server_close()
			self._server = None

	@property
	def base_url(self) -> str:
		assert self._server, "start the fake first"
		host, port = self._server.server_address[:2]
		return f"http://{host}:{port}"

	# -- seeding --

	def add_post(self, post: SeedPost | None = None, **fields: Any) -> SeedPost:
		post = post or SeedPost(**fields)
		with self._lock:
			self._seq += 1
			post.seq = self._seq
			if post.created_at is None:
				post.created_at = SEED_EPOCH + timedelta(minutes=self._seq)
			post.id = post.id or self.make_id(post)
			self.posts.append(post)
			self.posts.sort(key=lambda p: p.seq)
		return post

	def add_many(self, count: int, text: str = "Acme Cloud post {n}", **fields: Any) -> list[SeedPost]:
		return [self.add_post(SeedPost(text=text.format(n=n), **fields)) for n in range(count)]

	def make_id(self, post: SeedPost) -> str:
		return str(post.seq)

	def newest_first(self, posts: list[SeedPost] | None = None) -> list[SeedPost]:
		return sorted(self.posts if posts is None else posts, key=lambda p: p.seq, reverse=True)

	def by_id(self, post_id: str) -> SeedPost | None:
		return next((p for p in self.posts if p.id == post_id), None)

	# -- failure modes --

	def fail(self, kind: str, times: int = 1, path: str = "", **options: Any) -> None:
		with self._lock:
			self.failures.append(Failure(kind=kind, times=times, path=path, **options))

	def requests_to(self, path_prefix: str) -> list[RecordedRequest]:
		return [r for r in self.requests if r.path.startswith(path_prefix)]

	def _take_failure(self, path: str) -> Failure | None:
		with self._lock:
			for failure in self.failures:
				if path.startswith(failure.path):
					if failure.skip > 0:
						failure.skip -= 1
						return None
					failure.times -= 1
					if failure.times <= 0:
						self.failures.remove(failure)
					return failure
		return None

	# -- routing (subclasses) --

	def handle(self, request: RecordedRequest, empty: bool) -> Reply:
		raise NotImplementedError

	def rate_limit_reply(self, failure: Failure) -> Reply:
		return Reply(429, {"error": "Too many requests"}, failure.headers)

	cursor_params: tuple[str, ...] = ("cursor",)

	def rejected_cursor_reply(self, request: RecordedRequest) -> Reply:
		"""What the platform answers to a paging cursor it does not accept (subclasses)."""
		return Reply(400, {"error": "InvalidRequest", "message": "malformed cursor"})

	def carries_cursor(self, request: RecordedRequest) -> bool:
		return any(request.param(name) not in (None, "", "0") for name in self.cursor_params)

	@staticmethod
	def render(posts: list[SeedPost], render: Any) -> list[Any]:
		"""The items of a page: hidden posts left out, broken ones without their fields."""
		return [{"id": None, "unexpected": True} if p.broken else render(p) for p in posts if not p.hidden]

	def page_slice(self, items: list[Any], start: int, size: int) -> tuple[list[Any], int | None]:
		"""items[start:start+size] (with `overlap` repeats from the page before) and the next start."""
		begin = max(0, start - self.overlap) if start else 0
		chunk = items[begin : start + size]
		following = start + size if start + size < len(items) else None
		return chunk, following

	def _serve(self, handler: BaseHTTPRequestHandler) -> None:
		parts = urlsplit(handler.path)
		length = int(handler.headers.get("Content-Length") or 0)
		request = RecordedRequest(
			method=handler.command,
			path=parts.path,
			query=parse_qs(parts.query, keep_blank_values=True),
			headers={k.lower(): v for k, v in handler.headers.items()},
			body=handler.rfile.read(length) if length else b"",
		)
		with self._lock:
			self.requests.append(request)
		failure = self._take_failure(request.path)
		if failure and failure.kind == "reject_cursor" and not self.carries_cursor(request):
			with self._lock:  # not a paged request: let it through and keep the failure
				self.failures.insert(0, failure)
				failure.times += 1
			failure = None
		kind = failure.kind if failure else ""
		if kind == "reset":
			handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
			handler.close_connection = True
			return
		if kind == "rate_limit":
			reply = self.rate_limit_reply(failure)
		elif kind == "server_error":
			reply = Reply(failure.status, {"error": "Service temporarily unavailable"}, failure.headers)
		elif kind == "reject_cursor":
			reply = self.rejected_cursor_reply(request)
		elif kind == "repeat" and request.path in self._last_reply:
			reply = self._last_reply[request.path]
		else:
			if kind == "slow":
				self._stopping.wait(failure.delay)
			reply = self.handle(request, empty=kind == "empty")
			if reply.status == 200:
				self._last_reply[request.path] = reply
		body = _encode(reply)
		length = len(body)
		if kind == "cut_json":
			body = body[: max(1, len(body) // 2)]
			length = len(body)
		elif kind == "truncated":
			body = body[: max(1, len(body) // 2)]
			handler.close_connection = True
		elif kind == "malformed":
			body = b"<html><body>502 Bad Gateway</body>"
			length = len(body)
		try:
			handler.send_response(reply.status)
			handler.send_header("Content-Type", reply.content_type)
			handler.send_header("Content-Length", str(length))
			for name, value in reply.headers.items():
				handler.send_header(name, value)
			handler.end_headers()
			if handler.command == "HEAD":
				return
			if kind == "trickle":
				handler.wfile.flush()
				for index in range(len(body)):
					if self._stopping.wait(failure.delay):
						return
					handler.wfile.write(body[index : index + 1])
					handler.wfile.flush()
			else:
				handler.wfile.write(body)
		except (BrokenPipeError, ConnectionResetError):
			pass  # the client gave up (timeout tests)


def _encode(reply: Reply) -> bytes:
	if reply.body is None:
		return b""
	if isinstance(reply.body, bytes):
		return reply.body
	if isinstance(reply.body, str):
		return reply.body.encode()
	return json.dumps(reply.body, ensure_ascii=False).encode()


class _Handler(BaseHTTPRequestHandler):
	owner: FakePlatform
	protocol_version = "HTTP/1.1"
	# Send each answer at once: with Nagle and the client's delayed ACK every response
	# stalls ~40 ms (socketserver.StreamRequestHandler sets TCP_NODELAY when this is True).
	disable_nagle_algorithm = True

	def do_GET(self) -> None:
		self.owner._serve(self)

	do_POST = do_GET
	do_HEAD = do_GET
	do_DELETE = do_GET

	def log_message(self, format: str, *args: Any) -> None:
		pass  # keep test output clean; the fake records requests itself


def matches(query: str, text: str) -> bool:
	"""Search semantics of the fakes: a "quoted phrase" literally, else every word, case-folded."""
	haystack = text.casefold()
	query = query.strip()
	if len(query) > 1 and query.startswith('"') and query.endswith('"'):
		return query[1:-1].casefold() in haystack
	words = [w.lstrip("#@").casefold() for w in query.split() if w.upper() not in ("OR", "AND")]
	return all(word in haystack for word in words)


def iso_z(moment: datetime, millis: bool = True) -> str:
	moment = moment.astimezone(timezone.utc)
	return (
		moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{moment.microsecond // 1000:03d}" if millis else "") + "Z"
	)
