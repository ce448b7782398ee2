"""YouTube (Data API v3): comment threads on the company's channel and its videos.

Endpoints (developers.google.com/youtube/v3/docs):
* GET /youtube/v3/commentThreads?part=snippet,replies&allThreadsRelatedToChannelId=...   every
  thread on the channel's videos, newest first (`order=time`), `textFormat=plainText`,
  `maxResults` up to 100, paged by `pageToken`/`nextPageToken`. Per video: `videoId=`.
  Threads carry up to five replies; replies to an old thread are not re-listed on top.
* POST /youtube/v3/comments?part=snippet   reply (`snippet.parentId` = the top-level comment),
  OAuth only: the refresh token is exchanged at the token endpoint for an access token.
Reading needs an API key (sent as the X-Goog-Api-Key header, never in the URL).
Quota (developers.google.com/youtube/v3/determine_quota_cost): every list call costs 1 unit,
comments.insert 50, of a default 10,000 per day that resets at midnight Pacific time. The
units spent today are counted on the connector (`quota_state`, saved on the account).
`quotaExceeded` stops the poll and pauses the account until the reset, never retried (waiting
only burns more); `rateLimitExceeded` (429, or 403 with that reason) goes to the base's
throttling (`throttle`): waited out within the poll's wait budget, else the poll stops there
with what it has. `commentsDisabled` on a video is a warning, not a failure.
Secrets stay `Secret`s until requests prepares the request (`SendTimeAuth`): the key header,
the token exchange's form and the reply's bearer token.
Credentials: `api_key`; for replies `client_id`, `client_secret`, `refresh_token`.
Queries (command line): channel ids (UC...) or video ids; `video:ID` follows one video.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, ClassVar

import requests
from requests.auth import AuthBase

from social_crm.engine.connectors.base import (
	AuthFailed,
	Connector,
	FetchResult,
	Mark,
	Page,
	RateLimited,
	ReplyFailed,
	ReplyResult,
	RequestRejected,
	Secret,
	SendTimeAuth,
	Stream,
	Throttle,
	ThrottleDecision,
	bearer,
	parse_time,
	register,
	reset_time_from_headers,
)
from social_crm.engine.mention import Author, Mention, Platform

DAILY_QUOTA = 10_000
LIST_COST = 1
INSERT_COST = 50
DEFAULT_TOKEN_URL = "https://oauth2.googleapis.com"
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
AUTH_REASONS = frozenset(
	{"keyInvalid", "keyExpired", "API_KEY_INVALID", "authError", "forbidden", "ipRefererBlocked"}
)
SKIPPED_REASONS = frozenset({"commentsDisabled", "videoNotFound", "channelNotFound"})

try:
	from zoneinfo import ZoneInfo

	PACIFIC: Any = ZoneInfo("America/Los_Angeles")
except Exception:  # no tz database: Pacific standard time is close enough for a daily reset
	PACIFIC = timezone(timedelta(hours=-8))


def quota_day(now: datetime) -> date:
	"""The quota day: YouTube's daily quota runs from midnight to midnight Pacific time."""
	return now.astimezone(PACIFIC).date()


def next_quota_reset(now: datetime) -> datetime:
	"""The next midnight Pacific, in UTC."""
	tomorrow = quota_day(now) + timedelta(days=1)
	return datetime.combine(tomorrow, time(0), tzinfo=PACIFIC).astimezone(timezone.utc)


@dataclass(frozen=True)
class YouTubeError:
	status: int
	reason: str
	message: str
	reasons: tuple[str, ...] = ()

	def any_of(self, names: frozenset[str]) -> bool:
		return any(reason in names for reason in self.reasons)


def youtube_error(status: int, payload: Any) -> YouTubeError:
	"""Google's `{"error": {"code", "message", "errors": [{"reason", "domain"}], "details"}}`."""
	error = payload.get("error") if isinstance(payload, Mapping) else None
	if not isinstance(error, Mapping):
		return YouTubeError(status, "", "")
	reasons = [e.get("reason") for e in error.get("errors") or [] if isinstance(e, Mapping)]
	reasons += [d.get("reason") for d in error.get("details") or [] if isinstance(d, Mapping)]
	found = tuple(str(r) for r in reasons if r)
	reason = next(
		(r for r in found if r in AUTH_REASONS), found[0] if found else str(error.get("status") or "")
	)
	return YouTubeError(status, reason, str(error.get("message") or "")[:300], found)


def throttle_decision(
	status: int, headers: Mapping[str, str], payload: Any, now: datetime | None = None
) -> ThrottleDecision:
	"""quotaExceeded: pause until midnight Pacific (retrying only burns more). 429 or
	rateLimitExceeded: wait out Retry-After (a minute without one)."""
	now = now or datetime.now(timezone.utc)
	if status < 400:
		return ThrottleDecision("go")
	error = youtube_error(status, payload)
	if error.any_of(QUOTA_REASONS):
		return ThrottleDecision(
			"pause", until=next_quota_reset(now), reason="the daily YouTube quota is used up"
		)
	if status == 429 or error.any_of(RATE_LIMIT_REASONS):
		until = reset_time_from_headers(headers, now)
		return ThrottleDecision(
			"wait", until=until, seconds=(until - now).total_seconds(), reason="YouTube asked to slow down"
		)
	return ThrottleDecision("go")


@register
class YouTubeConnector(Connector):
	platform = Platform.YOUTUBE
	default_base_url = "https://www.googleapis.com"
	max_page_size = 100
	supports_search = False
	supports_reply = True
	daily_quota: ClassVar[int] = DAILY_QUOTA

	def __init__(self, account, session: requests.Session | None = None) -> None:
		super().__init__(account, session=session)
		self.units_today = 0
		self._access_token: Secret | None = None

	@property
	def has_api_key(self) -> bool:
		return bool(self.account.credentials.secret("api_key"))

	def auth(self) -> AuthBase | None:
		"""The API key as the `X-Goog-Api-Key` header (Google's documented alternative to the
		`key` parameter), written in at send time so no URL or frame holds it."""
		key = self.account.credentials.secret("api_key")
		return SendTimeAuth(headers={"X-Goog-Api-Key": key}) if key else None

	def url(self, resource: str) -> str:
		return f"{self.base_url}/youtube/v3/{resource}"

	# -- quota --

	def load_quota(self, spent: Mapping[str, Any] | None) -> None:
		"""Today's units so far, as the account saved them (`quota_state` after the last call)."""
		spent = spent or {}
		today = quota_day(datetime.now(timezone.utc)).isoformat()
		self.units_today = int(spent.get("units") or 0) if spent.get("day") == today else 0

	def quota_state(self) -> dict[str, Any]:
		"""What the account shows and keeps: the Pacific quota day, units spent, the limit."""
		return {
			"day": quota_day(datetime.now(timezone.utc)).isoformat(),
			"units": self.units_today,
			"limit": self.daily_quota,
		}

	def fetch(self, queries: Sequence[str], cursor: Mapping[str, Any] | None = None) -> FetchResult:
		"""A poll that counts its quota units (1 per list call, retries included, as Google does)."""
		if not self.has_api_key:
			raise AuthFailed(f"{self.account.label}: no YouTube API key configured")
		if quota_day(datetime.now(timezone.utc)).isoformat() != self.quota_state()["day"]:
			self.units_today = 0
		if self.units_today + LIST_COST > self.daily_quota:
			reset = next_quota_reset(datetime.now(timezone.utc))
			raise RateLimited(
				reset,
				f"{self.account.label}: the daily YouTube quota ({self.daily_quota} units) is used up until"
				f" {reset.isoformat(timespec='minutes')}",
			)
		start = self.requests_made
		try:
			return super().fetch(queries, cursor)
		finally:
			self.units_today += (self.requests_made - start) * LIST_COST

	# -- streams --

	def streams(self, queries: Sequence[str]) -> list[Stream]:
		"""The channel (Page ID / own handle); `video:ID` queries read only those videos (a push
		about a new video); on the command line bare channel or video ids."""
		videos = [
			Stream(f"video:{q[6:]}", "video", q[6:]) for q in queries if q.startswith("video:") and q[6:]
		]
		if videos:
			return videos
		channel = self.account.own_handle.strip()
		if channel:
			return [Stream(f"feed:{channel}", "channel", channel)]
		result: list[Stream] = []
		for query in queries:
			if query.startswith("UC") and len(query) == 24:
				result.append(Stream(f"feed:{query}", "channel", query))
			elif len(query) == 11 and query.replace("-", "").replace("_", "").isalnum():
				result.append(Stream(f"video:{query}", "video", query))
		return result

	def fetch_page(
		self, stream: Stream, newer_than: Mark | None, older_than: Mark | None, token: str | None
	) -> Page:
		params: dict[str, Any] = {
			"part": "snippet,replies",
			"maxResults": self.page_size,
			"order": "time",
			"textFormat": "plainText",
		}
		params["allThreadsRelatedToChannelId" if stream.kind == "channel" else "videoId"] = stream.value
		token = token or (older_than or {}).get("after")
		if token:
			params["pageToken"] = token
		response = self.request("GET", self.url("commentThreads"), params=params)
		if response.status_code >= 400:  # only the skipped reasons come back here
			return Page([], None, True)
		payload = self.parse_json(response)

		def entries_of(thread: Any) -> list[tuple[Mark, Mention]]:
			top = thread["snippet"]["topLevelComment"]
			comments = [top, *((thread.get("replies") or {}).get("comments") or [])]
			found = []
			for comment in comments:
				mention = self.to_mention(comment, thread)
				found.append(({"id": mention.external_id, "t": mention.posted_at.timestamp()}, mention))
			return found

		threads = self.items(payload, "items", "comment threads")
		# a thread without its documented fields is skipped and logged, the rest of the page kept
		entries = [entry for found in self.each(threads, "comment thread", entries_of) for entry in found]
		with self.reading("comment threads"):
			next_token = payload.get("nextPageToken")
			next_token = str(next_token) if next_token else None
		for mark, _ in entries if next_token else ():
			mark["after"] = next_token  # a backlog gap resumes here on the next poll
		return Page(entries, next_token=next_token, exhausted=not next_token)

	def order(self, mark: Mark) -> tuple[Any, ...]:
		return (float(mark.get("t", 0)), str(mark["id"]))

	# -- errors --

	def throttle(self, response: requests.Response) -> Throttle | None:
		"""rateLimitExceeded (a 429, or a 403 with that reason) is a short throttle the base
		waits out within the budget; quotaExceeded is not (it raises in raise_for_status, so it
		is never sent again before midnight Pacific)."""
		if response.status_code < 400:
			return None
		try:
			payload = json.loads(response.content or b"null")
		except (ValueError, UnicodeDecodeError, RecursionError):
			payload = None
		decision = throttle_decision(response.status_code, response.headers, payload)
		if decision.action == "wait" and decision.until is not None:
			return Throttle(decision.until, reason=decision.reason)
		return None

	def raise_for_status(self, response: requests.Response) -> None:
		if response.status_code < 400:
			return
		try:
			payload = json.loads(response.content or b"null")
		except ValueError:
			payload = None
		error = youtube_error(response.status_code, payload)
		decision = throttle_decision(response.status_code, response.headers, payload)
		label = self.account.label
		if decision.action in ("pause", "wait"):
			raise RateLimited(
				decision.until,
				f"{label}: {decision.reason} (until {decision.until.isoformat(timespec='seconds')})",
			)
		if error.any_of(SKIPPED_REASONS) and response.request.method == "GET":
			self.warnings.append(
				f"{label}: {self.scrub(error.message) or error.reason} ({error.reason}); skipped"
			)
			return
		if error.any_of(AUTH_REASONS) or response.status_code in (401, 403):
			raise AuthFailed(
				f"{label}: YouTube refused the credentials ({error.reason or response.status_code}): {self.scrub(error.message)}"
			)
		if response.status_code < 500:
			raise RequestRejected(
				f"{label}: YouTube rejected the request ({error.reason or response.status_code}): {self.scrub(error.message)}"
			)
		super().raise_for_status(response)

	def error_detail(self, response: requests.Response) -> str:
		try:
			error = youtube_error(response.status_code, json.loads(response.content or b"null"))
		except ValueError:
			return ""
		return self.scrub(f"{error.reason}: {error.message}")[:300]

	# -- mapping --

	def to_mention(self, comment: Mapping[str, Any], thread: Mapping[str, Any]) -> Mention:
		snippet = comment["snippet"]
		video_id = str(snippet.get("videoId") or thread["snippet"].get("videoId") or "")
		author_channel = (snippet.get("authorChannelId") or {}).get("value") or ""
		parent = snippet.get("parentId")
		return Mention(
			platform=self.platform,
			external_id=str(comment["id"]),
			url=f"https://www.youtube.com/watch?v={video_id}&lc={comment['id']}",
			author=Author(
				handle=str(author_channel or snippet.get("authorDisplayName") or f"unknown:{comment['id']}"),
				name=str(snippet.get("authorDisplayName") or ""),
				profile_url=str(snippet.get("authorChannelUrl") or ""),
				avatar_url=str(snippet.get("authorProfileImageUrl") or ""),
			),
			text=str(snippet.get("textDisplay") or snippet.get("textOriginal") or ""),
			posted_at=parse_time(snippet["publishedAt"]),
			in_reply_to=str(parent or video_id),
			conversation_id=str(thread["id"]),
			likes=int(snippet.get("likeCount") or 0),
			replies=int(thread["snippet"].get("totalReplyCount") or 0) if not parent else 0,
			raw=dict(comment),
		)

	# -- account --

	def test_connection(self) -> str:
		if not self.has_api_key:
			raise AuthFailed(f"{self.account.label}: no YouTube API key configured")
		channel = self.account.own_handle.strip()
		if not channel:
			raise AuthFailed(f"{self.account.label}: the channel id is not configured")
		payload = self.get_json(self.url("channels"), params={"part": "snippet", "id": channel})
		with self.reading("channel"):
			items = payload.get("items") or []
			if not items:
				raise AuthFailed(f"{self.account.label}: YouTube knows no channel {channel}")
			title = items[0]["snippet"]["title"]
		replies = "replies enabled" if self.can_reply() else "read only (no OAuth refresh token for replies)"
		return f"{title} (channel {channel}; {replies})"

	def can_reply(self) -> bool:
		creds = self.account.credentials
		return all(name in creds for name in ("client_id", "client_secret", "refresh_token"))

	def access_token(self) -> Secret:
		"""An OAuth access token from the refresh token (Google's token endpoint)."""
		if self._access_token:
			return self._access_token
		if not self.can_reply():
			raise AuthFailed(
				f"{self.account.label}: replying needs the OAuth client id, client secret and refresh token"
			)
		creds = self.account.credentials
		base = (self.account.auth_url or DEFAULT_TOKEN_URL).rstrip("/")
		form = {
			"grant_type": "refresh_token",
			"client_id": creds.secret("client_id"),
			"client_secret": creds.secret("client_secret"),
			"refresh_token": creds.secret("refresh_token"),
		}
		response = self.request("POST", f"{base}/token", auth=SendTimeAuth(form=form))
		payload = self.parse_json(response)
		with self.reading("token response"):
			token = Secret(str(payload["access_token"]))
		self._access_token = token
		self.credentials_update["oauth_access_token"] = token
		return token

	def reply(self, mention: Mention, text: str, idempotency_key: str) -> ReplyResult:
		"""comments.insert with parentId: the top-level comment (YouTube threads are one level)."""
		# A thread's id is its top-level comment's id, and every comment's conversation is its thread.
		parent = mention.conversation_id or mention.external_id
		response = self.request(
			"POST",
			self.url("comments"),
			params={"part": "snippet"},
			json_body={"snippet": {"parentId": parent, "textOriginal": text}},
			auth=bearer(self.access_token()),
		)
		self.units_today += INSERT_COST
		payload = self.parse_json(response)
		with self.reading("posted comment"):
			comment_id = str(payload["id"])
		if not comment_id:
			raise ReplyFailed(f"{self.account.label}: YouTube did not confirm the reply")
		return ReplyResult(
			external_id=comment_id, url=f"https://www.youtube.com/watch?v={video_of(mention)}&lc={comment_id}"
		)


def video_of(mention: Mention) -> str:
	found = (mention.raw.get("snippet") or {}).get("videoId")
	if not found and "watch?v=" in mention.url:
		found = mention.url.split("watch?v=", 1)[1].split("&", 1)[0]
	return str(found or "")
