"""A Social Account document as the engine's connector sees it.

The only place that reads credentials out of Password fields and turns them into the
engine's `Credentials`, and that writes back what a platform hands us (session tokens).
Fetching (ingest.py) and replying (replies.py) both go through here.
"""

import json
import traceback

import frappe
from frappe.utils import add_days, now_datetime
from frappe.utils.password import set_encrypted_password

from social_crm.engine.connectors.base import (
	AccountConfig,
	AuthFailed,
	Connector,
	FetchResult,
	Secret,
	get_connector,
)
from social_crm.engine.own_posts import OwnAccount

# Password fields of Social Account, named as the connectors read them.
SECRET_FIELDS = (
	"access_token",
	"app_password",
	"client_secret",
	"password",
	"bearer_token",
	"user_access_token",
	"api_key",
	"refresh_token",
)
PLAIN_CREDENTIAL_FIELDS = ("client_id", "username")
# Password fields only the webhook endpoints read; blanked out of messages like the others.
WEBHOOK_SECRETS = ("app_secret", "verify_token")
PAGE_LIMIT = 5
RATE_LIMIT_WAIT = 30  # seconds a poll may wait out short rate limits (Social Account can change it)
# Company pages: the connector reads the page named by Page ID instead of searching.
COMPANY_PAGES = ("Facebook", "Instagram", "YouTube")


def account_config(account) -> AccountConfig:
	"""The engine's view of a Social Account document, credentials included."""
	# Secrets are wrapped at once, so no frame below holds them as plain strings (Error Log
	# tracebacks record frame locals).
	credentials = {field: Secret(account.get(field) or "") for field in PLAIN_CREDENTIAL_FIELDS}
	for field in SECRET_FIELDS:
		credentials[field] = Secret(account.get_password(field, raise_exception=False) or "")
	credentials.update(session_secrets(account))
	if account.platform in ("Facebook", "Instagram"):
		credentials["api_version"] = Secret(account.get("graph_api_version") or "")
	page = account.platform in COMPANY_PAGES
	wait = account.get("rate_limit_wait")
	return AccountConfig(
		platform=account.platform,
		base_url=account.base_url or "",
		auth_url=account.get("auth_url") or "",
		own_handle=(account.get("page_id") if page else account.own_handle) or "",
		credentials=credentials,
		page_limit=PAGE_LIMIT,
		throttle_wait=RATE_LIMIT_WAIT if wait is None or wait == "" else max(0, int(wait)),
		name=account.name,
	)


def session_secrets(account) -> dict:
	"""The stored login sessions as Secrets; unreadable ones are dropped (the next poll logs in)."""
	try:
		sessions = json.loads(account.get_password("session_tokens", raise_exception=False) or "{}")
		return {str(k): Secret(str(v)) for k, v in sessions.items()} if isinstance(sessions, dict) else {}
	except Exception:
		return {}


def connector_for(account) -> Connector:
	connector = get_connector(account_config(account))
	if hasattr(connector, "load_quota"):  # YouTube: today's units so far
		connector.load_quota(load_json(account.get("quota_state")))
	return connector


def after_poll(account, connector) -> None:
	"""What a poll learnt besides mentions: comments the page hid, YouTube quota spent."""
	from social_crm.moderation import mark_moderated

	if connector is None:
		return
	mark_moderated(getattr(connector, "moderation", ()))
	if hasattr(connector, "quota_state"):
		frappe.db.set_value(
			"Social Account",
			account.name,
			"quota_state",
			json.dumps(connector.quota_state()),
			update_modified=False,
		)


def stop_on_rejected_token(account, error) -> None:
	"""Graph error 190 (token expired or invalid) will not heal by retrying: polling stops until
	an admin saves a new access token (Social Account.validate lifts the pause)."""
	if (
		isinstance(error, AuthFailed)
		and account.platform in ("Facebook", "Instagram")
		and "190" in str(error)
	):
		frappe.db.set_value("Social Account", account.name, "paused_until", add_days(now_datetime(), 3650))


def load_json(value) -> dict:
	if isinstance(value, dict):
		return value
	try:
		return json.loads(value or "{}")
	except ValueError:
		return {}


def save_sessions(account, result: FetchResult) -> None:
	"""Keeps the login sessions a fetch got (Bluesky JWTs, Reddit tokens) for the next poll."""
	if not result.credentials_update:
		return
	sessions = json.loads(account.get_password("session_tokens", raise_exception=False) or "{}")
	sessions.update({name: secret.reveal() for name, secret in result.credentials_update.items()})
	set_encrypted_password("Social Account", account.name, json.dumps(sessions), "session_tokens")
	frappe.db.set_value("Social Account", account.name, "session_tokens", "*" * 8, update_modified=False)


def account_secrets(account) -> list[str]:
	"""Every credential of the account in plain text (for blanking them out of a message)."""
	values = [account.get_password(field, raise_exception=False) for field in SECRET_FIELDS + WEBHOOK_SECRETS]
	sessions = account.get_password("session_tokens", raise_exception=False)
	if sessions:
		try:
			values += [str(value) for value in json.loads(sessions).values()]
		except (ValueError, AttributeError):
			values.append(sessions)
	return sorted({value for value in values if value and len(value) >= 4}, key=len, reverse=True)


def scrubbed(error: BaseException | str, account) -> str:
	"""The error's text with every credential of the account blanked out (a platform may
	echo what it was sent; the connectors scrub too, this is the shell's own guard)."""
	text = str(error)
	for secret in account_secrets(account):
		text = text.replace(secret, "********")
	return text


def log_error_without_secrets(title: str, account) -> None:
	"""An Error Log of the exception being handled, with its traceback but without the frames'
	locals (frappe.log_error adds them by default, and a request's locals can hold a token)
	and with the account's credentials blanked out wherever a message quotes them."""
	frappe.log_error(
		title=title,
		message=scrubbed(traceback.format_exc(), account),
		reference_doctype="Social Account",
		reference_name=account.name,
	)


def own_account(account, external_ids) -> OwnAccount:
	"""What the engine needs to recognise the account's own posts among fetched ones: its
	handles (Own Handle, and the Reddit login it posts as), its Mastodon server, and which of
	the fetched ids are replies we sent."""
	from social_crm.profiles import instance_of
	from social_crm.replies import sent_reply_ids

	handles = [account.own_handle or ""]
	if account.platform == "Reddit":
		handles.append(account.username or "")
	return OwnAccount.of(
		account.platform,
		handles,
		instance=instance_of(account),
		sent_ids=sent_reply_ids(account.platform, external_ids),
	)
