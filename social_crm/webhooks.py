"""Push endpoints for company pages: Meta webhooks (Facebook Page, Instagram) and YouTube.

Guest-callable, because Meta and Google call them without a session; what makes a call
trusted is the signature, checked here against every enabled account of the platform:
* GET answers the subscription handshake, echoing `hub.challenge` only for a configured
  verify token (YouTube: only for one of our channels); anything else is 403.
* POST needs `X-Hub-Signature-256` = HMAC-SHA256 of the raw body with an account's app
  secret; a missing, malformed or wrong one is 403 and nothing of the request is logged.
  A good one is answered 200 at once and processed in a background job whose id is the hash
  of the body, so a retried delivery queues once; storing goes through ingest's
  store_mentions (the engine's normalised Mention, escaped once, unique on `mention_key`), so
  the same event twice is one mention.
Parsing is engine code (social_crm.engine.webhooks); this module only routes.

Callback URLs: /api/method/social_crm.webhooks.facebook, .instagram and .youtube.
"""

import logging

from werkzeug.wrappers import Response

import frappe

from social_crm.engine.connectors.base import ConnectorError, Secret
from social_crm.engine.webhooks import (
	BadDelivery,
	delivery_key,
	parse_meta_delivery,
	parse_youtube_push,
	signature_valid,
	verification_answer,
	youtube_verification_answer,
)

QUEUE = "short"
JOB_TIMEOUT = 300


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
def facebook(**kwargs):
	return meta_endpoint("Facebook")


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
def instagram(**kwargs):
	return meta_endpoint("Instagram")


@frappe.whitelist(allow_guest=True, methods=["GET", "POST"])
def youtube(**kwargs):
	request = frappe.request
	if request.method == "GET":
		answer = youtube_verification_answer(request.args, [row.page_id for row in accounts("YouTube")])
		return plain(answer, 200) if answer else plain("", 403)
	raw = request.get_data(cache=True)
	frappe.enqueue(
		"social_crm.webhooks.process_youtube_push",
		queue=QUEUE,
		timeout=JOB_TIMEOUT,
		job_id=f"social_crm_webhook::{delivery_key(raw)}",
		deduplicate=True,
		body=raw.decode("utf-8", "replace"),
	)
	return plain("", 204)


def meta_endpoint(platform: str) -> Response:
	request = frappe.request
	if request.method == "GET":
		answer = verification_answer(
			request.args, [secret(row.name, "verify_token") for row in accounts(platform)]
		)
		if answer is None:
			log().warning("refused a %s webhook handshake: wrong or missing verify token", platform)
			return plain("", 403)
		return plain(answer, 200)
	raw = request.get_data(cache=True)
	header = request.headers.get("X-Hub-Signature-256")
	genuine = False
	for row in accounts(platform):
		# every account is checked, so the time taken does not tell which secret came close
		genuine = signature_valid(raw, header, secret(row.name, "app_secret")) or genuine
	if not genuine:
		log().warning(
			"refused a %s webhook delivery: %s signature",
			platform,
			"missing" if not header else "invalid",
		)
		return plain("", 403)
	frappe.enqueue(
		"social_crm.webhooks.process_meta_delivery",
		queue=QUEUE,
		timeout=JOB_TIMEOUT,
		job_id=f"social_crm_webhook::{delivery_key(raw)}",
		deduplicate=True,
		platform=platform,
		body=raw.decode("utf-8"),
	)
	return plain("EVENT_RECEIVED", 200)


def plain(text: str, status: int) -> Response:
	return Response(text, status=status, mimetype="text/plain")


def accounts(platform: str) -> list:
	return frappe.get_all(
		"Social Account",
		filters={"platform": platform, "enabled": 1},
		fields=["name", "page_id"],
		order_by="name",
	)


def secret(account_name: str, field: str) -> Secret:
	"""A Password field as a Secret (revealed only inside the HMAC or the token comparison), so a
	traceback's locals in a guest request's Error Log never show it."""
	from frappe.utils.password import get_decrypted_password

	return Secret(get_decrypted_password("Social Account", account_name, field, raise_exception=False) or "")


def log():
	"""social_crm.webhooks.log in the bench's and the site's logs/. Frappe's loggers start at
	ERROR; refusals and drops are worth a line without being errors."""
	logger = frappe.logger("social_crm.webhooks")
	logger.setLevel(logging.INFO)
	return logger


# --- background jobs --------------------------------------------------------------------------


def process_meta_delivery(platform: str, body: str) -> dict:
	"""Store what one verified delivery says: mentions (through the ingest pipeline), marks on
	stored mentions, and look-ups of ids Instagram sends without text."""
	from social_crm.accounts import connector_for, scrubbed
	from social_crm.ingest import build_pipeline, store_mentions
	from social_crm.moderation import mark_moderated

	try:
		events = parse_meta_delivery(body.encode())
	except BadDelivery as error:
		log().warning("dropped a %s webhook delivery: %s", platform, error)
		return {"dropped": 1}
	by_page = {row.page_id: row.name for row in accounts(platform) if row.page_id}
	pipeline = None
	counts = {"new": 0, "duplicates": 0, "marked": 0, "unknown_page": 0, "failed": 0}
	for page_id in dict.fromkeys(event.account_id for event in events):
		page_events = [
			event for event in events if event.account_id == page_id and event.platform.value == platform
		]
		if not page_events:
			continue
		if page_id not in by_page:
			log().info(
				"dropped %s %s webhook event(s) for unknown page %s", len(page_events), platform, page_id
			)
			counts["unknown_page"] += len(page_events)
			continue
		account = frappe.get_doc("Social Account", by_page[page_id])
		counts["marked"] += mark_moderated([e.moderation for e in page_events if e.moderation])
		mentions = []
		connector = None
		for event in page_events:
			mention = event.mention
			if event.lookup:
				connector = connector or connector_for(account)
				try:
					found = getattr(connector, event.lookup[0])(event.lookup[1])
				except ConnectorError as error:
					log().warning(
						"%s: look-up of a webhook %s failed: %s",
						account.name,
						event.lookup[0],
						scrubbed(error, account),
					)
					found = None
				if found is None and connector.moderation:
					counts["marked"] += mark_moderated(connector.moderation)
					connector.moderation.clear()
					mention = None  # hidden on the platform: never created
				else:
					mention = found or mention
			if mention is not None:
				mentions.append(mention)
		if mentions:
			pipeline = pipeline or build_pipeline()
			stored = store_mentions(account, mentions, pipeline, searched=False)
			counts["new"] += stored["new"]
			counts["duplicates"] += stored["duplicates"]
			counts["failed"] += len(stored["failed"])  # ids of mentions that could not be stored
		frappe.db.commit()
	return counts


def process_youtube_push(body: str) -> dict:
	"""A new video on one of our channels: read its comments now instead of at the next poll.
	The push is only a hint (it is not signed); the comments come from the API."""
	from social_crm.accounts import after_poll, connector_for, scrubbed
	from social_crm.ingest import build_pipeline, store_mentions

	try:
		notices = parse_youtube_push(body.encode())
	except BadDelivery:
		return {"videos": 0}
	by_channel = {row.page_id: row.name for row in accounts("YouTube") if row.page_id}
	counts = {"videos": 0, "new": 0}
	for notice in notices:
		if notice.channel_id not in by_channel:
			log().info("ignored a YouTube push for unknown channel %s", notice.channel_id)
			continue
		account = frappe.get_doc("Social Account", by_channel[notice.channel_id])
		connector = connector_for(account)
		try:
			# Only this video, without a cursor: the channel's cursor stays as it is, and the unique
			# key keeps what the next channel poll reads again from being stored twice.
			result = connector.fetch([f"video:{notice.video_id}"], {})
		except ConnectorError as error:
			log().warning(
				"%s: reading the comments of video %s failed: %s",
				account.name,
				notice.video_id,
				scrubbed(error, account),
			)
			continue
		finally:
			after_poll(account, connector)
		stored = store_mentions(account, result.mentions, build_pipeline(), searched=False)
		counts["videos"] += 1
		counts["new"] += stored["new"]
		frappe.db.commit()
	return counts
