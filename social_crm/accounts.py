"""A Social Account document as the engine's connector sees it.

The only place that reads credentials out of Password fields and turns them into the
engine's `Credentials`, and that writes back what a platform hands us (session tokens).
Fetching (ingest.py) and replying (replies.py) both go through here.
"""

import json

import frappe
from frappe.utils.password import set_encrypted_password

from social_crm.engine.connectors.base import AccountConfig, Connector, FetchResult, get_connector
from social_crm.engine.own_posts import OwnAccount

# Password fields of Social Account, named as the connectors read them.
SECRET_FIELDS = (
	"access_token",
	"app_password",
	"client_secret",
	"password",
	"bearer_token",
	"user_access_token",
)
PLAIN_CREDENTIAL_FIELDS = ("client_id", "username")
PAGE_LIMIT = 5


def account_config(account) -> AccountConfig:
	"""The engine's view of a Social Account document, credentials included."""
	credentials = {field: account.get(field) for field in PLAIN_CREDENTIAL_FIELDS}
	for field in SECRET_FIELDS:
		credentials[field] = account.get_password(field, raise_exception=False)
	sessions = account.get_password("session_tokens", raise_exception=False)
	if sessions:
		credentials.update(json.loads(sessions))
	return AccountConfig(
		platform=account.platform,
		base_url=account.base_url or "",
		own_handle=account.own_handle or "",
		credentials=credentials,
		page_limit=PAGE_LIMIT,
		name=account.name,
	)


def connector_for(account) -> Connector:
	return get_connector(account_config(account))


def save_sessions(account, result: FetchResult) -> None:
	"""Keeps the login sessions a fetch got (Bluesky JWTs, Reddit tokens) for the next poll."""
	if not result.credentials_update:
		return
	sessions = json.loads(account.get_password("session_tokens", raise_exception=False) or "{}")
	sessions.update({name: secret.reveal() for name, secret in result.credentials_update.items()})
	set_encrypted_password("Social Account", account.name, json.dumps(sessions), "session_tokens")
	frappe.db.set_value("Social Account", account.name, "session_tokens", "*" * 8, update_modified=False)


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
