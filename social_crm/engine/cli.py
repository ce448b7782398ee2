"""The `social-crm` console command.

`social-crm fetch` runs one connector for real (against a platform or a local fake) and prints
what it found; with --json stdout carries exactly one JSON object per mention and nothing
else, so it can be piped. Secrets come from environment variables or a JSON credentials
file, never from flags (flags end up in shell history and `ps`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from social_crm.engine.connectors.base import AccountConfig, ConnectorError, RateLimited, get_connector
from social_crm.engine.mention import PLATFORM_SLUGS

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


def main(argv: Sequence[str] | None = None) -> int:
	parser = build_parser()
	args = parser.parse_args(argv)
	if not getattr(args, "run", None):
		parser.print_help(sys.stderr)
		return EXIT_USAGE
	logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.WARNING)
	return args.run(args)


def build_parser() -> argparse.ArgumentParser:
	parser = argparse.ArgumentParser(
		prog="social-crm", description="Social media monitoring for ERPNext: engine commands."
	)
	parser.add_argument("-v", "--verbose", action="store_true", help="log HTTP activity to stderr")
	commands = parser.add_subparsers(title="commands")

	fetch = commands.add_parser("fetch", help="poll one platform once and print the mentions")
	fetch.add_argument("--platform", required=True, choices=sorted(PLATFORM_SLUGS))
	fetch.add_argument(
		"--base-url",
		default="",
		help="API base URL (default: the platform's public one); for rss the feed URL",
	)
	fetch.add_argument(
		"--auth-url", default="", help="Reddit token endpoint base (default https://www.reddit.com)"
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
	fetch.add_argument("--page-limit", type=int, default=5, help="max pages per query per poll (default 5)")
	fetch.add_argument("--page-size", type=int, default=0, help="items per page (default: platform maximum)")
	fetch.add_argument("--timeout", type=float, default=20.0, help="seconds per request (default 20)")
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


def load_credentials(path: Path | None, environ: Any = os.environ) -> dict[str, str]:
	"""The credentials file first, then environment variables on top."""
	values: dict[str, str] = {}
	if path:
		data = json.loads(path.read_text("utf-8"))
		if not isinstance(data, dict):
			raise ValueError("the credentials file must hold a JSON object")
		values.update({str(k): str(v) for k, v in data.items() if v})
	for variable, name in CREDENTIAL_ENV.items():
		if environ.get(variable):
			values[name] = environ[variable]
	return values


def run_fetch(args: argparse.Namespace) -> int:
	try:
		credentials = load_credentials(args.credentials_file)
		cursor = (
			json.loads(args.cursor_file.read_text("utf-8"))
			if args.cursor_file and args.cursor_file.exists()
			else {}
		)
	except (OSError, ValueError) as exc:
		print(
			f"error: {type(exc).__name__} reading a file: {getattr(exc, 'strerror', None) or 'invalid JSON'}",
			file=sys.stderr,
		)
		return EXIT_USAGE
	account = AccountConfig(
		platform=PLATFORM_SLUGS[args.platform],
		base_url=args.base_url,
		auth_url=args.auth_url,
		own_handle=args.handle,
		credentials=credentials,
		page_limit=args.page_limit,
		page_size=args.page_size,
		timeout=args.timeout,
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
	for warning in result.warnings:
		print(f"warning: {warning}", file=sys.stderr)
	print(
		f"{len(result.mentions)} mentions, {result.pages} pages, {result.requests} requests"
		+ ("" if result.caught_up else ", more waiting (poll again)"),
		file=sys.stderr,
	)
	if args.cursor_file:
		temporary = args.cursor_file.with_suffix(args.cursor_file.suffix + ".tmp")
		temporary.write_text(json.dumps(result.cursor, ensure_ascii=False, indent=1), "utf-8")
		temporary.replace(args.cursor_file)
	return 0


if __name__ == "__main__":
	sys.exit(main())
