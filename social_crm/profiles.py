"""Authors become Social Profiles; the engine decides the key and the counters.

A new author gets a profile without a customer, so their history accumulates until an agent
links it; a linked profile gives every new mention its customer.

The fetch job works a page of mentions at a time (`PageAuthors`): the page's profiles are read
in one query, new authors are inserted once, and each profile's counters and details are
written once per page, however many of its mentions the page holds; the counters are added
in SQL, so jobs storing mentions of one author at the same time all count.

Profiles are found by `handle_key`, a hash of the platform and the engine's normalised handle
(`matching.profile_key`: user@instance on Mastodon), never by comparing `handle` with "=":
the database collation is case- and accent-insensitive, so "mallóry@evil.example" would be
the profile of "mallory@evil.example". Display values are escaped once (escaping.py).
"""

import hashlib
import html
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import frappe
from frappe.utils import now_datetime

from social_crm.bulk_rows import Defaults, by_name, insert_rows, prepared, update_rows
from social_crm.engine.matching import ProfileStats, add_mention, profile_key
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.escaping import LONG_DATA_LENGTH, escape_once
from social_crm.stored_mention import to_system_time

BIO_LENGTH = 30_000
DETAIL_FIELDS = ("display_name", "profile_url", "avatar_url", "followers", "bio", "verified")


def handle_key(platform: str, handle: str) -> str:
	"""The unique key of a profile: sha256 of platform and normalised handle, in hex."""
	return hashlib.sha256(f"{platform}\n{handle}".encode()).hexdigest()


def key_of_stored(platform: str, stored_handle: str) -> str:
	"""The key of a profile as stored (the handle escaped once, maybe typed in by hand)."""
	handle = html.unescape(stored_handle or "").strip()
	try:
		platform, handle = profile_key(platform, handle)
	except ValueError:
		handle = handle.lstrip("@")
	return handle_key(platform, handle)


def instance_of(account) -> str | None:
	"""The Mastodon server of the account, which local handles (without @server) belong to."""
	if account is None or account.platform != Platform.MASTODON.value or not account.base_url:
		return None
	return urlsplit(account.base_url).hostname


def author_values(author: Author) -> dict:
	"""The Social Profile fields the platform tells us about an author (what it left out
	stays), display text escaped once."""
	values = {
		"display_name": escape_once(author.name, LONG_DATA_LENGTH) or None,
		"profile_url": author.profile_url or None,
		"avatar_url": author.avatar_url or None,
		"followers": author.followers,
		"bio": escape_once(author.bio, BIO_LENGTH) or None,
	}
	if author.verified:
		values["verified"] = 1
	return {key: value for key, value in values.items() if value is not None}


@dataclass
class PageAuthor:
	"""One author of a page: their stored profile (or the one to insert), the details the
	page's latest post gives and the counters of the page's mentions stored so far."""

	platform: str
	handle: str
	stored: dict
	name: str | None = None
	customer: str | None = None
	email: str | None = None
	first_seen: datetime | None = None
	details: dict = field(default_factory=dict)
	details_at: datetime | None = None
	page_stats: ProfileStats = field(default_factory=ProfileStats)

	@property
	def is_new(self) -> bool:
		return not self.stored

	@property
	def key(self) -> str:
		return handle_key(self.platform, self.handle)


class PageAuthors:
	"""The profiles of one page of mentions, read in one query and written once each."""

	def __init__(self, mentions: list[Mention], account=None):
		self.by_mention: dict[tuple[str, str], PageAuthor] = {}
		self.errors: dict[tuple[str, str], ValueError] = {}
		authors: dict[tuple[str, str], PageAuthor] = {}
		instance = instance_of(account)
		for mention in mentions:
			try:
				key = profile_key(mention.platform, mention.author.handle, instance)
			except ValueError as error:
				self.errors[mention.key] = error
				continue
			author = authors.setdefault(key, PageAuthor(platform=key[0], handle=key[1], stored={}))
			if author.details_at is None or mention.posted_at >= author.details_at:
				author.details, author.details_at = author_values(mention.author), mention.posted_at
			if author.first_seen is None or mention.posted_at < author.first_seen:
				author.first_seen = mention.posted_at
			self.by_mention[mention.key] = author
		self.authors = authors
		by_key = {author.key: author for author in authors.values()}
		for row in stored_profiles(list(by_key)):
			author = by_key.get(row.handle_key)
			if author is not None:
				self.adopt(author, row)

	def adopt(self, author: PageAuthor, row: dict) -> None:
		author.stored, author.name = row, row["name"]
		author.customer, author.email = row.get("customer"), row.get("email")

	def of(self, mention: Mention) -> PageAuthor:
		"""The mention's author; raises the ValueError of a handle no profile can be keyed on."""
		if mention.key in self.errors:
			raise self.errors[mention.key]
		return self.by_mention[mention.key]

	def new_profile(self, author: PageAuthor):
		doc = frappe.get_doc(
			{
				"doctype": "Social Profile",
				"platform": author.platform,
				"handle": escape_once(author.handle, LONG_DATA_LENGTH),
				"handle_key": author.key,
				"verified": 0,
				"first_seen": to_system_time(author.first_seen),
				**author.details,
			}
		)
		doc.flags.ignore_version = True  # the job's own first write
		return doc

	def insert_all(self, new: list[PageAuthor]) -> None:
		"""Profiles for the page's new authors in one statement (bulk_rows), as `insert` would
		write them without its events: a new profile links no contact, so its on_update has
		nothing to do. A profile another job inserted meanwhile meets the unique key, and the
		caller undoes this and inserts them one by one."""
		defaults = Defaults()
		docs = []
		for author in new:
			doc = self.new_profile(author)
			doc.set_new_name()
			prepared(doc, defaults)
			docs.append(doc)
		insert_rows(docs)
		for author, doc in zip(new, docs, strict=True):
			self.adopt(author, doc.as_dict())

	def insert(self, author: PageAuthor) -> None:
		"""A profile for a new author (one another job inserted meanwhile is taken instead)."""
		doc = self.new_profile(author)
		try:
			doc.insert(ignore_permissions=True)
		except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
			row = stored_profiles([author.key])
			if not row:
				raise
			self.adopt(author, row[0])
			return
		self.adopt(author, doc.as_dict())

	def count(self, author: PageAuthor, sentiment_score: float | None, posted_at: datetime) -> None:
		"""One newly stored mention of the author (only call it for rows just inserted)."""
		author.page_stats = add_mention(author.page_stats, sentiment_score, posted_at)

	def save(self) -> None:
		"""Writes the details that changed and the page's counters of all its authors, in
		two statements.

		The page's counts are added in SQL to what the row holds when it is written, so two
		jobs storing mentions of one author at once both count (a value read at the start of
		the page and written back would lose the other job's mentions)."""
		counted, changed = [], {}
		for author in sorted(self.authors.values(), key=lambda author: author.name or ""):
			if not author.name:
				continue
			details = {key: value for key, value in author.details.items() if author.stored.get(key) != value}
			if details:
				changed[author.name] = details
				author.stored.update(details)
			if author.page_stats.mention_count:
				counted.append((author.name, author.page_stats))
				author.page_stats = ProfileStats()
		update_rows("Social Profile", changed)
		add_counts(counted)


def add_counts(pages: list[tuple[str, ProfileStats]]) -> None:
	"""Adds each profile's page of mentions to its counters: count, latest post, and the
	average of the scores weighted by how many each side holds (the stored side counts every
	mention). One UPDATE for the page's authors; MariaDB assigns a single-table UPDATE's
	columns left to right, so the average is computed from the count before it grows."""
	if not pages:
		return
	scored, scored_values = by_name({name: page.scored_count or 0 for name, page in pages})
	average, average_values = by_name({name: page.average_sentiment for name, page in pages})
	last, last_values = by_name({name: to_system_time(page.last_mention_at) for name, page in pages})
	count, count_values = by_name({name: page.mention_count for name, page in pages})
	names = [name for name, _page in pages]
	frappe.db.sql(
		f"""
		update `tabSocial Profile` set
			average_sentiment = case
				when ({scored}) = 0 then average_sentiment
				when ifnull(mention_count, 0) = 0 or average_sentiment is null then ({average})
				else (average_sentiment * mention_count + ({average}) * ({scored})) / (mention_count + ({scored}))
			end,
			last_mention_at = greatest(ifnull(last_mention_at, ({last})), ({last})),
			mention_count = ifnull(mention_count, 0) + ({count}),
			modified = %s,
			modified_by = %s
		where name in ({", ".join(["%s"] * len(names))})
		""",
		[
			*scored_values,
			*average_values,
			*average_values,
			*scored_values,
			*scored_values,
			*last_values,
			*last_values,
			*count_values,
			now_datetime(),
			frappe.session.user,
			*names,
		],
	)


def stored_profiles(keys: list[str]) -> list[dict]:
	"""The stored profiles among `handle_key`s, in one indexed query."""
	if not keys:
		return []
	return frappe.get_all(
		"Social Profile",
		filters={"handle_key": ("in", sorted(set(keys)))},
		fields=["name", "platform", "handle", "handle_key", "customer", "email", *DETAIL_FIELDS],
	)
