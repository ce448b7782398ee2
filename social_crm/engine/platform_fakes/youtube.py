"""YouTube Data API v3 as far as comments go, plus Google's OAuth token endpoint.

From developers.google.com/youtube/v3/docs: commentThreads.list (`part` required,
`allThreadsRelatedToChannelId` | `videoId`, `maxResults` 1-100 default 20, `pageToken`,
`order=time|relevance`, `textFormat=html|plainText`, `searchTerms`), threads with up to five
replies, comments.insert (`part=snippet`, `snippet.parentId`, OAuth only), channels.list.
Errors are Google's `{"error": {"code", "message", "errors": [{"message", "domain", "reason"}],
"status"}}`: quotaExceeded 403, rateLimitExceeded 429 with Retry-After, commentsDisabled 403,
videoNotFound 404, invalid API key 400 (API_KEY_INVALID), missing OAuth 401. Quota units are
counted per day (list 1, insert 50) and run out at `quota_limit`.

Seeds (`SeedPost.kind`): "video" (an upload of the channel), "disabled_video" (comments off),
anything else a comment: a reply to the comment given as `reply_to`, on the video given there,
else on the launch video.
"""

from __future__ import annotations

import secrets
import zlib
from datetime import timedelta
from typing import Any

from social_crm.engine.platform_fakes.server import (
	SEED_EPOCH,
	Failure,
	FakePlatform,
	RecordedRequest,
	Reply,
	SeedPost,
	iso_z,
	matches,
)

VIDEO_KINDS = ("video", "disabled_video")
CHANNEL = "UCacme0000000000000000A1"


def google_error(status: int, reason: str, message: str, domain: str = "youtube.commentThread") -> dict:
	return {
		"error": {
			"code": status,
			"message": message,
			"errors": [{"message": message, "domain": domain, "reason": reason}],
			"status": {
				400: "INVALID_ARGUMENT",
				401: "UNAUTHENTICATED",
				403: "PERMISSION_DENIED",
				404: "NOT_FOUND",
				429: "RESOURCE_EXHAUSTED",
			}.get(status, "UNKNOWN"),
		}
	}


class FakeYouTube(FakePlatform):
	platform_key = "youtube"
	default_page_size = 20

	def __init__(
		self,
		posts=None,
		api_key: str = "youtube-key",
		client_id: str = "yt-client",
		client_secret: str = "yt-client-secret",
		refresh_token: str = "yt-refresh",
		channel_id: str = CHANNEL,
	) -> None:
		self.api_key = api_key
		self.client_id = client_id
		self.client_secret = client_secret
		self.refresh_token = refresh_token
		self.channel_id = channel_id
		self.access_tokens: set[str] = set()
		self.quota_used = 0
		self.quota_limit = 10_000
		self.replies_posted: list[dict[str, Any]] = []
		super().__init__(None)
		self.launch = self.add_post(
			SeedPost(
				text="Acme Cloud 2.0 – Launch",
				kind="video",
				author="acme",
				created_at=SEED_EPOCH - timedelta(days=1),
			)
		)
		for post in posts or []:
			self.add_post(post)

	def start(self) -> None:
		super().start()
		assert self._server
		self._server.RequestHandlerClass.disable_nagle_algorithm = True

	def make_id(self, post: SeedPost) -> str:
		if post.kind in VIDEO_KINDS:
			return f"vid{post.seq:08d}"[:11].ljust(11, "x")
		parent = self.by_id(post.reply_to) if post.reply_to else None
		if parent is not None and parent.kind not in VIDEO_KINDS:
			return f"{parent.id}.Ax{post.seq:06d}"
		return f"Ugz{zlib.crc32(str(post.seq).encode()):08x}AaABAg{post.seq:04d}"

	def video_of(self, comment: SeedPost) -> SeedPost:
		target = self.by_id(comment.reply_to) if comment.reply_to else None
		while target is not None and target.kind not in VIDEO_KINDS:
			target = self.by_id(target.reply_to) if target.reply_to else None
		return target or self.launch

	def is_top(self, comment: SeedPost) -> bool:
		parent = self.by_id(comment.reply_to) if comment.reply_to else None
		return parent is None or parent.kind in VIDEO_KINDS

	# -- rendering --

	def comment(self, comment: SeedPost, thread_video: SeedPost) -> dict[str, Any]:
		author_channel = f"UC{zlib.crc32(comment.author.encode()):022d}"[:24]
		snippet: dict[str, Any] = {
			"channelId": self.channel_id,
			"videoId": thread_video.id,
			"textDisplay": comment.text,
			"textOriginal": comment.text,
			"authorDisplayName": f"@{comment.author}",
			"authorProfileImageUrl": f"https://yt3.ggpht.example/{comment.author}.jpg",
			"authorChannelUrl": f"http://www.youtube.com/@{comment.author}",
			"authorChannelId": {"value": author_channel},
			"canRate": True,
			"viewerRating": "none",
			"likeCount": comment.likes,
			"publishedAt": iso_z(comment.created_at, millis=False),
			"updatedAt": iso_z(comment.created_at, millis=False),
		}
		if not self.is_top(comment):
			snippet["parentId"] = comment.reply_to
		return {"kind": "youtube#comment", "etag": secrets.token_hex(6), "id": comment.id, "snippet": snippet}

	def thread(self, top: SeedPost, parts: list[str], html: bool) -> dict[str, Any]:
		video = self.video_of(top)
		replies = [c for c in self.posts if c.reply_to == top.id]
		rendered = self.comment(top, video)
		if html:
			rendered["snippet"]["textDisplay"] = top.text.replace("\n", "<br>").replace("&", "&amp;")
		data: dict[str, Any] = {
			"kind": "youtube#commentThread",
			"etag": secrets.token_hex(6),
			"id": top.id,
			"snippet": {
				"channelId": self.channel_id,
				"videoId": video.id,
				"topLevelComment": rendered,
				"canReply": True,
				"totalReplyCount": len(replies),
				"isPublic": True,
			},
		}
		if "replies" in parts and replies:
			data["replies"] = {"comments": [self.comment(r, video) for r in replies[-5:]]}
		return data

	# -- routes --

	def charge(self, units: int) -> Reply | None:
		if self.quota_used + units > self.quota_limit:
			message = 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.'
			return Reply(403, google_error(403, "quotaExceeded", message, domain="youtube.quota"))
		self.quota_used += units
		return None

	cursor_params = ("pageToken",)

	def rejected_cursor_reply(self, request: RecordedRequest) -> Reply:
		return Reply(
			400,
			google_error(400, "invalidPageToken", "The request specifies an invalid page token."),
		)

	def rate_limit_reply(self, failure: Failure) -> Reply:
		return Reply(
			429,
			google_error(
				429,
				"rateLimitExceeded",
				"The request cannot be completed due to rate limiting.",
				domain="youtube.quota",
			),
			dict(failure.headers),
		)

	def key_ok(self, request: RecordedRequest) -> Reply | None:
		key = request.headers.get("x-goog-api-key") or request.param("key")
		bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
		if bearer and bearer in self.access_tokens:
			return None
		if key is None:
			return Reply(
				403,
				google_error(
					403,
					"forbidden",
					"Method doesn't allow unregistered callers. Please use API Key or other form of API consumer identity to call this API.",
					domain="global",
				),
			)
		if key != self.api_key:
			body = google_error(
				400, "badRequest", "API key not valid. Please pass a valid API key.", domain="global"
			)
			body["error"]["details"] = [
				{
					"@type": "type.googleapis.com/google.rpc.ErrorInfo",
					"reason": "API_KEY_INVALID",
					"domain": "googleapis.com",
				}
			]
			return Reply(400, body)
		return None

	def handle(self, request: RecordedRequest, empty: bool) -> Reply:
		if request.method == "POST" and request.path == "/token":
			return self.token(request)
		if request.path == "/youtube/v3/commentThreads" and request.method == "GET":
			return self.key_ok(request) or self.charge(1) or self.list_threads(request, empty)
		if request.path == "/youtube/v3/channels" and request.method == "GET":
			denied = self.key_ok(request) or self.charge(1)
			if denied:
				return denied
			items = (
				[]
				if request.param("id") != self.channel_id
				else [{"kind": "youtube#channel", "id": self.channel_id, "snippet": {"title": "Acme GmbH"}}]
			)
			return Reply(
				200,
				{
					"kind": "youtube#channelListResponse",
					"pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
					"items": items,
				},
			)
		if request.path == "/youtube/v3/comments" and request.method == "POST":
			return self.insert(request)
		return Reply(404, google_error(404, "notFound", "Not Found", domain="global"))

	def list_threads(self, request: RecordedRequest, empty: bool) -> Reply:
		parts = (request.param("part") or "").split(",")
		if not request.param("part"):
			return Reply(
				400,
				google_error(
					400,
					"missingRequiredParameter",
					"No filter selected. Expected one of: part",
					domain="youtube.parameter",
				),
			)
		video_id = request.param("videoId")
		channel = request.param("allThreadsRelatedToChannelId")
		if video_id:
			video = self.by_id(video_id)
			if video is None or video.kind not in VIDEO_KINDS:
				return Reply(
					404,
					google_error(
						404,
						"videoNotFound",
						"The video identified by the videoId parameter could not be found.",
					),
				)
			if video.kind == "disabled_video":
				return Reply(
					403,
					google_error(
						403,
						"commentsDisabled",
						"The video identified by the videoId parameter has disabled comments.",
					),
				)
		elif channel != self.channel_id:
			return Reply(
				404,
				google_error(
					404,
					"channelNotFound",
					"The channel identified by the channelId parameter could not be found.",
				),
			)
		tops = [c for c in self.newest_first() if c.kind not in VIDEO_KINDS and self.is_top(c)]
		if video_id:
			tops = [c for c in tops if self.video_of(c).id == video_id]
		if request.param("searchTerms"):
			tops = [c for c in tops if matches(request.param("searchTerms") or "", c.text)]
		if empty:
			tops = []
		size = min(int(request.param("maxResults") or self.default_page_size), 100)
		token = request.param("pageToken")
		start = int(token.removeprefix("QURT")) if token and token.startswith("QURT") else 0
		chunk, following = self.page_slice(tops, start, size)
		body: dict[str, Any] = {
			"kind": "youtube#commentThreadListResponse",
			"etag": secrets.token_hex(6),
			"pageInfo": {"totalResults": len(chunk), "resultsPerPage": size},
			"items": [
				{"id": None, "unexpected": True}
				if c.broken
				else self.thread(c, parts, html=request.param("textFormat", "html") == "html")
				for c in chunk
			],
		}
		if following is not None:
			body["nextPageToken"] = f"QURT{following}"
		return Reply(200, body)

	def token(self, request: RecordedRequest) -> Reply:
		form = request.form()
		if form.get("grant_type") != "refresh_token":
			return Reply(400, {"error": "unsupported_grant_type"})
		if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
			return Reply(
				401, {"error": "invalid_client", "error_description": "The OAuth client was not found."}
			)
		if form.get("refresh_token") != self.refresh_token:
			return Reply(
				400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
			)
		token = f"ya29.{secrets.token_hex(12)}"
		self.access_tokens.add(token)
		return Reply(
			200,
			{
				"access_token": token,
				"expires_in": 3599,
				"scope": "https://www.googleapis.com/auth/youtube.force-ssl",
				"token_type": "Bearer",
			},
		)

	def insert(self, request: RecordedRequest) -> Reply:
		bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
		if bearer not in self.access_tokens:
			return Reply(
				401,
				google_error(
					401, "authError", "Request had invalid authentication credentials.", domain="global"
				),
			)
		denied = self.charge(50)
		if denied:
			return denied
		snippet = (request.json() or {}).get("snippet") or {}
		parent = self.by_id(str(snippet.get("parentId") or ""))
		if parent is None or parent.kind in VIDEO_KINDS or not self.is_top(parent):
			return Reply(
				404,
				google_error(
					404,
					"parentCommentNotFound",
					"The specified parent comment could not be found.",
					domain="youtube.comment",
				),
			)
		if not str(snippet.get("textOriginal") or "").strip():
			return Reply(
				400,
				google_error(
					400,
					"commentTextRequired",
					"The comment resource must contain a value for the snippet.textOriginal property.",
					domain="youtube.comment",
				),
			)
		reply = self.add_post(SeedPost(text=snippet["textOriginal"], author="acme", reply_to=parent.id))
		self.replies_posted.append({"id": reply.id, "parent": parent.id, "text": snippet["textOriginal"]})
		return Reply(200, self.comment(reply, self.video_of(reply)))
