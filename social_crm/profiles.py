"""Authors become Social Profiles; the engine decides the key and the counters.

A new author gets a profile without a customer, so their history accumulates until an agent
links it; a linked profile gives every new mention its customer.

The fetch job works a page of mentions at a time (`PageAuthors`): the page's profiles are read
in one query, new authors are inserted once, and each profile's counters and details are
written once per page, however many of its mentions the page holds; the counters are added
in SQL, so jobs storing mentions of one author at the same time all count.
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import frappe
from frappe.utils import now_datetime

from social_crm.engine.matching import ProfileStats, add_mention, profile_key
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.stored_mention import to_system_time

DETAIL_FIELDS = ("display_name", "profile_url", "avatar_url", "followers", "bio", "verified")


def instance_of(account) -> str | None:
	"""The Mastodon server of the account, which local handles (without @server) belong to."""
	if account is None or account.platform != Platform.MASTODON.value or not account.base_url:
		return None
	return urlsplit(account.base_url).hostname


def author_values(author: Author) -> dict:
	"""The Social Profile fields the platform tells us about an author (what it left out stays)."""
	values = {
		"display_name": author.name or None,
		"profile_url": author.profile_url or None,
		"avatar_url": author.avatar_url or None,
		"followers": author.followers,
		"bio": author.bio or None,
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
	first_seen: datetime | None = None
	details: dict = field(default_factory=dict)
	details_at: datetime | None = None
	page_stats: ProfileStats = field(default_factory=ProfileStats)

	@property
	def is_new(self) -> bool:
		return not self.stored


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
		for row in stored_profiles(list(authors)):
			author = authors.get((row.platform, row.handle))
			if author is not None:
				self.adopt(author, row)

	def adopt(self, author: PageAuthor, row: dict) -> None:
		author.stored, author.name, author.customer = row, row["name"], row.get("customer")

	def of(self, mention: Mention) -> PageAuthor:
		"""The mention's author; raises the ValueError of a handle no profile can be keyed on."""
		if mention.key in self.errors:
			raise self.errors[mention.key]
		return self.by_mention[mention.key]

	def insert(self, author: PageAuthor) -> None:
		"""A profile for a new author (one another job inserted meanwhile is taken instead)."""
		doc = frappe.get_doc(
			{
				"doctype": "Social Profile",
				"platform": author.platform,
				"handle": author.handle,
				"verified": 0,
				"first_seen": to_system_time(author.first_seen),
				**author.details,
			}
		)
		doc.flags.ignore_version = True  # the job's own first write
		try:
			doc.insert(ignore_permissions=True)
		except (frappe.DuplicateEntryError, frappe.UniqueValidationError):
			row = stored_profiles([(author.platform, author.handle)])
			if not row:
				raise
			self.adopt(author, row[0])
			return
		self.adopt(author, doc.as_dict())

	def count(self, author: PageAuthor, sentiment_score: float | None, posted_at: datetime) -> None:
		"""One newly stored mention of the author (only call it for rows just inserted)."""
		author.page_stats = add_mention(author.page_stats, sentiment_score, posted_at)

	def save(self) -> None:
		"""Writes each profile whose counters or details changed, once, in name order.

		The page's counts are added in SQL to what the row holds when it is written, so two
		jobs storing mentions of one author at once both count (a value read at the start of
		the page and written back would lose the other job's mentions)."""
		for author in sorted(self.authors.values(), key=lambda author: author.name or ""):
			if not author.name:
				continue
			details = {key: value for key, value in author.details.items() if author.stored.get(key) != value}
			if details:
				frappe.db.set_value("Social Profile", author.name, details)
				author.stored.update(details)
			if author.page_stats.mention_count:
				add_counts(author.name, author.page_stats)
				author.page_stats = ProfileStats()


def add_counts(profile: str, page: ProfileStats) -> None:
	"""Adds one page's mentions to a profile's counters: count, latest post, and the average of
	the scores weighted by how many each side holds (the stored side counts every mention)."""
	frappe.db.sql(
		"""
		update `tabSocial Profile` set
			average_sentiment = case
				when %(scored)s = 0 then average_sentiment
				when ifnull(mention_count, 0) = 0 or average_sentiment is null then %(average)s
				else (average_sentiment * mention_count + %(average)s * %(scored)s) / (mention_count + %(scored)s)
			end,
			last_mention_at = greatest(ifnull(last_mention_at, %(last)s), %(last)s),
			mention_count = ifnull(mention_count, 0) + %(count)s,
			modified = %(modified)s,
			modified_by = %(user)s
		where name = %(name)s
		""",
		{
			"name": profile,
			"count": page.mention_count,
			"scored": page.scored_count or 0,
			"average": page.average_sentiment,
			"last": to_system_time(page.last_mention_at),
			"modified": now_datetime(),
			"user": frappe.session.user,
		},
	)


def stored_profiles(keys: list[tuple[str, str]]) -> list[dict]:
	"""The stored profiles among (platform, handle) keys, in one query per platform."""
	handles: dict[str, set[str]] = {}
	for platform, handle in keys:
		handles.setdefault(platform, set()).add(handle)
	rows = []
	for platform, values in handles.items():
		rows += frappe.get_all(
			"Social Profile",
			filters={"platform": platform, "handle": ("in", sorted(values))},
			fields=["name", "platform", "handle", "customer", *DETAIL_FIELDS],
		)
	return rows
