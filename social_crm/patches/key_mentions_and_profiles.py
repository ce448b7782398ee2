"""Existing rows get the exact keys and the once-escaped text the app now stores.

- Social Mention.mention_key: the platform-wide id (a Mastodon status's URI from the kept
  payload, else the external id), hashed; the old unique key on (platform, external id),
  which made two servers' posts with the same id drop each other, is removed.
- Social Profile.handle_key: the normalised handle, hashed; the old unique key on
  (platform, handle), compared case- and accent-insensitively, is removed.
- Platform text (post, names, bio, subjects, sender names) escaped exactly once, whether it
  was stored raw or escaped by Frappe's filter; raw payloads dropped unless Settings keep them.

Rows whose new key collides with an earlier row keep a key of their own (their name added),
so nothing is deleted by the migration.
"""

import json

import frappe

from social_crm.escaping import LONG_DATA_LENGTH, escape_once
from social_crm.profiles import BIO_LENGTH, key_of_stored
from social_crm.stored_mention import mention_key, stored_text
from social_crm.tickets import SUBJECT_LENGTH

OLD_UNIQUE = {"Social Mention": "unique_platform_external_id", "Social Profile": "unique_platform_handle"}


def execute():
	for doctype, index in OLD_UNIQUE.items():
		drop_index(doctype, index)
	key_mentions()
	key_profiles()
	escape_stored_text()


def drop_index(doctype: str, index: str) -> None:
	if frappe.db.sql(f"show index from `tab{doctype}` where Key_name = %s", index):
		frappe.db.sql_ddl(f"alter table `tab{doctype}` drop index `{index}`")


def uid_of(row) -> str:
	if row.platform == "Mastodon" and row.raw_payload:
		try:
			payload = json.loads(row.raw_payload)
		except ValueError:
			payload = {}
		status = (payload.get("reblog") or payload) if isinstance(payload, dict) else {}
		if isinstance(status, dict) and status.get("uri"):
			return str(status["uri"])
	return row.external_id


def key_mentions() -> None:
	seen: set[str] = set()
	for row in frappe.get_all(
		"Social Mention", fields=["name", "platform", "external_id", "raw_payload"], order_by="creation asc"
	):
		key = mention_key(row.platform, uid_of(row))
		if key in seen:
			key = mention_key(row.platform, f"{row.external_id}#{row.name}")
		seen.add(key)
		frappe.db.set_value("Social Mention", row.name, "mention_key", key, update_modified=False)


def key_profiles() -> None:
	seen: set[str] = set()
	for row in frappe.get_all(
		"Social Profile", fields=["name", "platform", "handle"], order_by="creation asc"
	):
		key = key_of_stored(row.platform, row.handle)
		if key in seen:
			key = key_of_stored(row.platform, f"{row.handle}#{row.name}")
		seen.add(key)
		frappe.db.set_value("Social Profile", row.name, "handle_key", key, update_modified=False)


def once(value: str | None, limit: int | None = None) -> str | None:
	"""Escaped exactly once, whatever it was (raw, or escaped by Frappe's filter)."""
	return escape_once(stored_text(value), limit) if value else value


def escape_stored_text() -> None:
	keep_raw = frappe.db.get_single_value("Social CRM Settings", "keep_raw_payload")
	for row in frappe.get_all("Social Mention", fields=["name", "text", "author_name", "author_handle"]):
		values = {
			"text": once(row.text),
			"author_name": once(row.author_name, LONG_DATA_LENGTH),
			"author_handle": once(row.author_handle, LONG_DATA_LENGTH),
		}
		if not keep_raw:
			values["raw_payload"] = None
		frappe.db.set_value("Social Mention", row.name, values, update_modified=False)
	for row in frappe.get_all("Social Profile", fields=["name", "handle", "display_name", "bio"]):
		values = {
			"handle": once(row.handle, LONG_DATA_LENGTH),
			"display_name": once(row.display_name, LONG_DATA_LENGTH),
			"bio": once(row.bio, BIO_LENGTH),
		}
		frappe.db.set_value("Social Profile", row.name, values, update_modified=False)
	for row in frappe.get_all("Social Ticket", fields=["name", "subject", "issue"]):
		subject = once(row.subject, SUBJECT_LENGTH)
		frappe.db.set_value("Social Ticket", row.name, "subject", subject, update_modified=False)
		if row.issue:
			frappe.db.set_value("Issue", row.issue, "subject", subject, update_modified=False)
			for name, sender in frappe.get_all(
				"Communication",
				filters={
					"reference_doctype": "Issue",
					"reference_name": row.issue,
					"sent_or_received": "Received",
				},
				fields=["name", "sender_full_name"],
				as_list=True,
			):
				frappe.db.set_value(
					"Communication", name, "sender_full_name", once(sender, 140), update_modified=False
				)
