"""The `social-crm` console command.

`social-crm fetch` runs one connector for real (against a platform or a local fake) and prints
what it found; with --json stdout carries exactly one JSON object per mention and nothing
else, so it can be piped. Secrets come from environment variables or a JSON credentials
file, never from flags (flags end up in shell history and `ps`).

Exit codes: 0 done (also when a rate limit stopped the poll after something was fetched: that
is printed, the cursor saved, and a warning says when to poll again), 1 a runtime error (what
was fetched before it is printed first), 2 bad input (one line on stderr, no traceback), 3 rate
limited before anything could be fetched.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from social_crm.engine.connectors.base import AccountConfig, ConnectorError, RateLimited, get_connector
from social_crm.engine.mention import PLATFORM_SLUGS, Platform
from social_crm.engine.query import QuerySyntaxError, parse

# Environment variable -> credential name the connectors read.
CREDENTIAL_ENV = {
	"SOCIAL_CRM_ACCESS_TOKEN": "access_token",
	"SOCIAL_CRM_APP_PASSWORD": "app_password",
	"SOCIAL_CRM_CLIENT_ID": "client_id",
	"SOCIAL_CRM_CLIENT_SECRET": "client_secret",
	"SOCIAL_CRM_USERNAME": "username",
	"SOCIAL_CRM_PASSWORD": "password",
	"SOCIAL_CRM_BEARER_TOKEN": "bearer_token",
	"SOCIAL_CRM_USER_ACCESS_TOKEN": "user_access_token",
	"SOCIAL_CRM_API_KEY": "api_key",
	"SOCIAL_CRM_REFRESH_TOKEN": "refresh_token",
	"SOCIAL_CRM_API_VERSION": "api_version",
}
EXIT_ERROR, EXIT_USAGE, EXIT_RATE_LIMITED = 1, 2, 3


class UsageError(Exception):
	"""Bad input on the command line: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
	"""argparse that reports a usage error as one line (no usage block), exit 2."""

	def error(self, message: str) -> NoReturn:
		print(f"error: {message} (see social-crm {self.prog.split()[-1]} --help)", file=sys.stderr)
		raise SystemExit(EXIT_USAGE)


def main(argv: Sequence[str] | None = None) -> int:
	parser = build_parser()
	args = parser.parse_args(argv)
	if not getattr(args, "run", None):
		parser.print_help(sys.stderr)
		return EXIT_USAGE
	logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.WARNING)
	try:
		return args.run(args)
	except UsageError as exc:
		print(f"error: {exc}", file=sys.stderr)
		return EXIT_USAGE
	except KeyboardInterrupt:
		print("error: interrupted", file=sys.stderr)
		return EXIT_ERROR
	except Exception as exc:  # a bug, not bad input: still one line, details with -v
		if args.verbose:
			logging.getLogger(__name__).exception("unexpected error")
		print(f"error: unexpected {type(exc).__name__}; run with -v for details", file=sys.stderr)
		return EXIT_ERROR


def positive_int(text: str) -> int:
	try:
		value = int(text)
	except ValueError:
		raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
	if value < 1:
		raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
	return value


def size_int(text: str) -> int:
	value = positive_int(text) if text.strip() != "0" else 0
	return value


def seconds(text: str) -> float:
	try:
		value = float(text)
	except ValueError:
		raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
	if not math.isfinite(value) or value <= 0:
		raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 seconds")
	return value


def wait_seconds(text: str) -> float:
	value = 0.0 if text.strip() in ("0", "0.0") else seconds(text)
	return value


def http_url(text: str) -> str:
	"""An absolute http(s) URL with a host, or a usage error naming what is wrong."""
	if not text:
		return text
	try:
		parts = urlsplit(text)
		parts.port  # noqa: B018 - raises ValueError for a port out of range
	except ValueError as exc:
		raise argparse.ArgumentTypeError(f"{text!r} is not a valid URL ({exc})") from None
	if parts.scheme not in ("http", "https") or not parts.hostname:
		raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// URL with a host")
	return text


def build_parser() -> argparse.ArgumentParser:
	parser = _Parser(prog="social-crm", description="Social media monitoring for ERPNext: engine commands.")
	parser.add_argument("-v", "--verbose", action="store_true", help="log HTTP activity to stderr")
	commands = parser.add_subparsers(title="commands", parser_class=_Parser)

	fetch = commands.add_parser("fetch", help="poll one platform once and print the mentions")
	fetch.add_argument("--platform", required=True, choices=sorted(PLATFORM_SLUGS))
	fetch.add_argument(
		"--base-url",
		default="",
		type=http_url,
		help="API base URL (default: the platform's public one); for rss the feed URL",
	)
	fetch.add_argument(
		"--auth-url",
		default="",
		type=http_url,
		help="Reddit token endpoint base (default https://www.reddit.com)",
	)
	fetch.add_argument(
		"--query",
		action="append",
		default=[],
		help='search term, "phrase", #hashtag or @handle; repeatable. Facebook/Instagram: the Page or IG user id;'
		" YouTube: the channel id (UC...) or a video id",
	)
	fetch.add_argument("--handle", default="", help="the account's own handle (Bluesky login, own mentions)")
	fetch.add_argument(
		"--json", action="store_true", help="one JSON object per mention per line on stdout, nothing else"
	)
	fetch.add_argument(
		"--cursor-file", type=Path, help="read the cursor from this file and write the next one back"
	)
	fetch.add_argument(
		"--credentials-file", type=Path, help="JSON object of credentials (access_token, app_password, ...)"
	)
	fetch.add_argument(
		"--page-limit", type=positive_int, default=5, help="max pages per query per poll (default 5)"
	)
	fetch.add_argument(
		"--page-size", type=size_int, default=0, help="items per page (default 0: the platform maximum)"
	)
	fetch.add_argument("--timeout", type=seconds, default=20.0, help="seconds per socket read (default 20)")
	fetch.add_argument(
		"--wait",
		type=wait_seconds,
		default=30.0,
		help="seconds this poll may wait out rate limits before it stops and reports them (default 30)",
	)
	fetch.set_defaults(run=run_fetch)

	demo = commands.add_parser(
		"demo", help="run the whole pipeline against local stand-ins of the platforms, with sample posts"
	)
	demo.set_defaults(run=run_demo)
	return parser


def run_demo(args: argparse.Namespace) -> int:
	from social_crm.engine import demo

	demo.run(sys.stdout)
	return 0


def read_json_object(path: Path, option: str) -> dict[str, Any]:
	"""The JSON object in `path`, or a UsageError saying what is wrong with the file."""
	try:
		text = path.read_text("utf-8")
	except FileNotFoundError:
		raise UsageError(f"{option}: {path} does not exist") from None
	except (OSError, UnicodeDecodeError) as exc:
		raise UsageError(f"{option}: cannot read {path} ({getattr(exc, 'strerror', None) or exc})") from None
	try:
		data = json.loads(text)
	except json.JSONDecodeError as exc:
		raise UsageError(
			f"{option}: {path} is not valid JSON (line {exc.lineno}, column {exc.colno})"
		) from None
	except RecursionError:
		raise UsageError(f"{option}: {path} is nested too deeply") from None
	if not isinstance(data, dict):
		raise UsageError(f"{option}: {path} must hold a JSON object, not {type(data).__name__}")
	return data


def load_credentials(path: Path | None, environ: Any = os.environ) -> dict[str, str]:
	"""The credentials file first, then environment variables on top."""
	values: dict[str, str] = {}
	if path:
		data = read_json_object(path, "--credentials-file")
		for key, value in data.items():
			if value in (None, ""):
				continue
			if not isinstance(value, str):
				raise UsageError(f"--credentials-file: the value of {key!r} must be a string")
			values[str(key)] = value
	for variable, name in CREDENTIAL_ENV.items():
		if environ.get(variable):
			values[name] = environ[variable]
	return values


def load_cursor(path: Path | None) -> dict[str, Any]:
	if not path:
		return {}
	if path.exists() and not path.is_file():
		raise UsageError(f"--cursor-file: {path} is not a file")
	if not path.parent.is_dir():
		raise UsageError(f"--cursor-file: the directory {path.parent} does not exist")
	return read_json_object(path, "--cursor-file") if path.exists() else {}


def check_queries(platform: Platform, queries: Sequence[str]) -> None:
	"""Every query through the query parser, so a typo is shown with its position."""
	for query in queries:
		if platform == Platform.RSS and query.startswith(("http://", "https://")):
			continue
		try:
			parse(query)
		except QuerySyntaxError as exc:
			raise UsageError(f"--query {query!r}: {exc}") from None


def save_cursor(path: Path, cursor: dict[str, Any]) -> None:
	"""Write the cursor atomically: a crash leaves the old file or the new one, never half."""
	handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
	try:
		with os.fdopen(handle, "w", encoding="utf-8") as stream:
			json.dump(cursor, stream, ensure_ascii=False, indent=1)
			stream.flush()
			os.fsync(stream.fileno())
		os.replace(temporary, path)
	except BaseException:
		with contextlib.suppress(OSError):
			os.unlink(temporary)
		raise


def run_fetch(args: argparse.Namespace) -> int:
	platform = PLATFORM_SLUGS[args.platform]
	check_queries(platform, args.query)
	credentials = load_credentials(args.credentials_file)
	cursor = load_cursor(args.cursor_file)
	if platform == Platform.X and not (
		credentials.get("bearer_token") or credentials.get("user_access_token")
	):
		raise UsageError("X search needs the app's bearer token: set SOCIAL_CRM_BEARER_TOKEN")
	if (
		platform == Platform.RSS
		and not args.base_url
		and not any(q.startswith(("http://", "https://")) for q in args.query)
	):
		raise UsageError("rss needs the feed URL: --base-url https://…/feed.xml")
	account = AccountConfig(
		platform=platform,
		base_url=args.base_url,
		auth_url=args.auth_url,
		own_handle=args.handle,
		credentials=credentials,
		page_limit=args.page_limit,
		page_size=args.page_size,
		timeout=args.timeout,
		throttle_wait=args.wait,
		name="command line",
	)
	try:
		result = get_connector(account).fetch(args.query, cursor)
	except RateLimited as exc:
		print(f"error: {exc}", file=sys.stderr)
		return EXIT_RATE_LIMITED
	except ConnectorError as exc:
		print(f"error: {exc}", file=sys.stderr)
		return EXIT_ERROR
	for mention in result.mentions:
		if args.json:
			print(json.dumps(mention.to_dict(), ensure_ascii=False), flush=False)
		else:
			text = " ".join(mention.text.split())
			print(
				f"{mention.posted_at:%Y-%m-%d %H:%M} {mention.platform.value} @{mention.author.handle}: {text[:120]}"
			)
	sys.stdout.flush()
	if args.cursor_file:
		try:
			save_cursor(args.cursor_file, result.cursor)
		except OSError as exc:
			print(f"error: --cursor-file: cannot write {args.cursor_file} ({exc.strerror})", file=sys.stderr)
			return EXIT_ERROR
	for warning in result.warnings:
		print(f"warning: {warning}", file=sys.stderr)
	print(
		f"{len(result.mentions)} mentions, {result.pages} pages, {result.requests} requests"
		+ ("" if result.caught_up else ", more waiting (poll again)"),
		file=sys.stderr,
	)
	if result.error is not None and not isinstance(result.error, RateLimited):
		return EXIT_ERROR  # printed above as a warning, with what was fetched before it
	return 0


if __name__ == "__main__":
	sys.exit(main())
