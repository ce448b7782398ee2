"""From a post's author to a Social Profile and, as a suggestion, to a Customer.

Three things live here, all pure:
- profile_key: the normalised (platform, handle) a Social Profile is unique on, so "@Anna",
  "anna" and "https://mastodon.social/@anna" end up on one profile;
- ProfileStats with add_mention/recompute_stats: the counters a profile shows;
- suggest_customers: which ERPNext Customers an author probably is, with a reason a user can
  check. The engine only suggests; a person confirms the link in the desk.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from social_crm.engine.mention import Author, Platform
from social_crm.engine.text_folding import fold, fold_words

# --- profile keys ------------------------------------------------------------------------------

_YOUTUBE_CHANNEL_ID = re.compile(r"UC[\w-]{22}")
_MASTODON_PROFILE_URL = re.compile(r"https?://(?P<host>[^/\s]+)/(?:@|users/)(?P<user>[\w.-]+)/?$", re.I)


def profile_key(platform: Platform | str, handle: str, instance: str | None = None) -> tuple[str, str]:
	"""The (platform label, handle) a Social Profile is unique on.

	Handles are compared without a leading "@" and, where the platform treats them so,
	case-insensitively (Mastodon, Bluesky, Reddit, X, Instagram, Facebook, YouTube @handles).
	Hacker News user ids and YouTube channel ids (UC…) are case-sensitive and keep their case.
	Mastodon handles are always "user@instance": a local "anna" (as the account's own server
	reports its users) needs `instance`, the server the connector's account is on; a
	profile URL "https://mastodon.social/@anna" is accepted too. Domains (Mastodon instances,
	Bluesky handles) are lower case and in their ASCII (punycode) form.

	Raises ValueError for an empty handle or a local Mastodon handle without an instance.
	"""
	platform = Platform(platform)
	value = handle.strip()
	if platform is Platform.MASTODON:
		value = _mastodon_acct(value, instance)
	elif platform is Platform.REDDIT:
		value = re.sub(r"^/?(?:u|user)/", "", value.lstrip("@"), flags=re.I).strip("/").lower()
	elif platform is Platform.BLUESKY:
		value = value.lstrip("@")
		value = value[len("at://") :] if value.lower().startswith("at://") else value
		value = value if value.startswith("did:") else normalise_domain(value)
	elif platform is Platform.HACKER_NEWS:
		value = value.lstrip("@")
	elif platform is Platform.YOUTUBE:
		value = value.lstrip("@")
		value = value if _YOUTUBE_CHANNEL_ID.fullmatch(value) else value.lower()
	elif platform is Platform.RSS:
		value = " ".join(value.split()).lower()
	else:
		value = value.lstrip("@").lower()
	if not value:
		raise ValueError(f"An empty {platform.value} handle cannot identify a profile")
	return (platform.value, value)


def _mastodon_acct(value: str, instance: str | None) -> str:
	url = _MASTODON_PROFILE_URL.match(value)
	if url:
		value = f"{url['user']}@{url['host']}"
	value = value.removeprefix("acct:").lstrip("@")
	user, _, host = value.partition("@")
	host = host or (instance or "")
	if not user:
		return ""
	if not host.strip():
		raise ValueError(f"The local Mastodon handle {user!r} needs the instance it belongs to")
	return f"{user.lower()}@{normalise_domain(host)}"


def normalise_domain(value: str) -> str:
	"""A host name from a domain or URL: lower case, no scheme, port, path, "www." or final dot.

	>>> normalise_domain("https://www.Müller-Bau.de:443/kontakt")
	'xn--mller-bau-q9a.de'
	"""
	value = value.strip()
	if "://" in value:
		value = urlsplit(value).hostname or ""
	else:
		value = value.split("/", 1)[0].split(":", 1)[0]
	value = value.strip().rstrip(".").lower().removeprefix("www.")
	if not value.isascii():
		try:
			value = value.encode("idna").decode("ascii")
		except UnicodeError:
			pass
	return value


# --- profile statistics ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProfileStats:
	"""The counters shown on a Social Profile.

	`average_sentiment` averages the mentions that had a sentiment score; `scored_count`
	is how many those were. When it is not given it is taken to equal `mention_count` (every
	mention scored, which is what the pipeline does), so a shell storing only the first three
	fields stays correct as long as it never passes a None score.
	"""

	mention_count: int = 0
	last_mention_at: datetime | None = None
	average_sentiment: float | None = None
	scored_count: int | None = None

	def __post_init__(self) -> None:
		if self.scored_count is None:
			scored = self.mention_count if self.average_sentiment is not None else 0
			object.__setattr__(self, "scored_count", scored)
		if self.last_mention_at is not None and self.last_mention_at.tzinfo is None:
			raise ValueError("last_mention_at must be timezone-aware")


def add_mention(stats: ProfileStats, sentiment: float | None, posted_at: datetime) -> ProfileStats:
	"""The stats after one more mention; the order mentions arrive in does not matter.

	Not idempotent by nature (adding the same mention twice counts it twice): the shell calls
	it only for a mention it has just inserted, never for a re-fetched duplicate, and uses
	recompute_stats to repair a profile whose counters are in doubt.
	"""
	if posted_at.tzinfo is None:
		raise ValueError("posted_at must be timezone-aware")
	last = posted_at if stats.last_mention_at is None else max(stats.last_mention_at, posted_at)
	scored = stats.scored_count or 0
	average = stats.average_sentiment
	if sentiment is not None:
		scored += 1
		average = sentiment if average is None or scored == 1 else average + (sentiment - average) / scored
	return ProfileStats(stats.mention_count + 1, last, average, scored)


def recompute_stats(mentions: Iterable[tuple[float | None, datetime]]) -> ProfileStats:
	"""The stats of a profile from all its mentions' (sentiment score, posted_at)."""
	count, last, scores = 0, None, []
	for sentiment, posted_at in mentions:
		if posted_at.tzinfo is None:
			raise ValueError("posted_at must be timezone-aware")
		count += 1
		last = posted_at if last is None else max(last, posted_at)
		if sentiment is not None:
			scores.append(sentiment)
	average = math.fsum(scores) / len(scores) if scores else None
	return ProfileStats(count, last, average, len(scores))


# --- customer suggestions ----------------------------------------------------------------------

REASON_HANDLE_DOMAIN = "The handle {handle} is the customer's domain {domain}"
REASON_SERVER_DOMAIN = "The account {handle} is on a server of the customer's domain {domain}"
REASON_PROFILE_DOMAIN = "The profile link {url} is on the customer's domain {domain}"
REASON_BIO_DOMAIN = "The profile text mentions {found}, which is on the customer's domain {domain}"
REASON_NAME_EQUAL = "The name {author_name} is the customer name {customer_name}"
REASON_NAME_CONTAINS = "The name {author_name} contains the customer name {customer_name}"
REASON_NAME_SIMILAR = "The name {author_name} is similar to the customer name {customer_name}"
REASON_HANDLE_EQUAL = "The handle {handle} matches the customer name {customer_name}"
REASON_HANDLE_CONTAINS = "The handle {handle} contains the customer name {customer_name}"
REASON_HANDLE_SIMILAR = "The handle {handle} is similar to the customer name {customer_name}"

REASON_TEMPLATES = (
	REASON_HANDLE_DOMAIN,
	REASON_SERVER_DOMAIN,
	REASON_PROFILE_DOMAIN,
	REASON_BIO_DOMAIN,
	REASON_NAME_EQUAL,
	REASON_NAME_CONTAINS,
	REASON_NAME_SIMILAR,
	REASON_HANDLE_EQUAL,
	REASON_HANDLE_CONTAINS,
	REASON_HANDLE_SIMILAR,
)
"""Every reason a Suggestion can give, for the shell's translation file."""

# How much each kind of evidence is worth on its own. A Bluesky handle that *is* a domain
# was verified by Bluesky; a bio is only what someone wrote about themselves.
_WEIGHT_HANDLE_DOMAIN = 0.95
_WEIGHT_SERVER_DOMAIN = 0.9
_WEIGHT_PROFILE_DOMAIN = 0.85
_WEIGHT_BIO_DOMAIN = 0.75
_WEIGHT_NAME = 0.9
_WEIGHT_HANDLE = 0.8

MIN_SCORE = 0.5

# Legal forms, as folded words, removed from the end of a name ("Müller Bau GmbH & Co. KG").
_LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(
	sorted(
		(
			tuple(form.split())
			for form in (
				"gmbh",
				"mbh",
				"ag",
				"kg",
				"kgaa",
				"ohg",
				"gbr",
				"ug",
				"haftungsbeschraenkt",
				"e k",
				"e kfm",
				"e kfr",
				"e v",
				"ev",
				"e g",
				"eg",
				"se",
				"partg",
				"partgmbb",
				"co",
				"und",
				"and",
				"ltd",
				"limited",
				"inc",
				"incorporated",
				"llc",
				"llp",
				"corp",
				"corporation",
				"company",
				"plc",
				"sa",
				"sarl",
				"sas",
				"srl",
				"s p a",
				"s a",
				"s r l",
				"bv",
				"nv",
				"oy",
				"ab",
				"as",
				"aps",
			)
		),
		key=len,
		reverse=True,
	)
)
_LEADING_ARTICLES = {"die", "der", "das", "the"}

# Domains that say nothing about who someone works for.
_FREEMAIL = {
	"gmail.com",
	"googlemail.com",
	"gmx.de",
	"gmx.net",
	"gmx.at",
	"gmx.ch",
	"web.de",
	"t-online.de",
	"freenet.de",
	"arcor.de",
	"posteo.de",
	"mailbox.org",
	"outlook.com",
	"outlook.de",
	"hotmail.com",
	"hotmail.de",
	"live.com",
	"live.de",
	"yahoo.com",
	"yahoo.de",
	"icloud.com",
	"me.com",
	"aol.com",
	"protonmail.com",
	"proton.me",
	"email.de",
	"online.de",
}
_PLATFORM_HOSTS = {
	"bsky.app",
	"bsky.social",
	"x.com",
	"twitter.com",
	"reddit.com",
	"old.reddit.com",
	"news.ycombinator.com",
	"facebook.com",
	"m.facebook.com",
	"instagram.com",
	"youtube.com",
	"m.youtube.com",
	"linktr.ee",
}

_DOMAIN_IN_TEXT = re.compile(
	r"(?:https?://)?(?:[\w.+-]+@)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?![\w-])", re.I
)


@dataclass(frozen=True, slots=True)
class CustomerCandidate:
	"""An ERPNext Customer as far as suggestions need it; `name` is the document name."""

	name: str
	customer_name: str
	email_domains: frozenset[str] = frozenset()
	website: str = ""

	def __post_init__(self) -> None:
		object.__setattr__(self, "email_domains", frozenset(self.email_domains))


@dataclass(frozen=True, slots=True)
class Suggestion:
	"""A customer the author probably is; `reason` is an English template of REASON_TEMPLATES.

	The shell shows `_(reason).format(**reason_params)`; `message` is the English text.
	"""

	customer: CustomerCandidate
	score: float
	reason: str
	reason_params: dict[str, str] = field(default_factory=dict, hash=False)

	@property
	def message(self) -> str:
		return self.reason.format(**self.reason_params)


def company_words(name: str) -> list[str]:
	"""The folded words of a company name without legal form or leading article.

	>>> company_words("Müller & Söhne GmbH & Co. KG")
	['mueller', 'soehne']
	"""
	words = fold_words(name)
	changed = True
	while changed:
		changed = False
		for form in _LEGAL_FORMS:
			if len(words) > len(form) and tuple(words[-len(form) :]) == form:
				del words[-len(form) :]
				changed = True
				break
	if len(words) > 1 and words[0] in _LEADING_ARTICLES:
		words = words[1:]
	return words


@dataclass(frozen=True, slots=True)
class _PreparedCustomer:
	candidate: CustomerCandidate
	words: frozenset[str]
	compact: str
	domains: tuple[str, ...]


class CustomerDirectory:
	"""Customers prepared once for many suggest() calls (one ingest batch, say)."""

	def __init__(self, candidates: Sequence[CustomerCandidate]) -> None:
		self.customers = [_prepare(candidate) for candidate in candidates]
		self._by_domain: dict[str, list[_PreparedCustomer]] = {}
		for customer in self.customers:
			for domain in customer.domains:
				self._by_domain.setdefault(domain, []).append(customer)

	def suggest(self, author: Author, limit: int = 5, min_score: float = MIN_SCORE) -> list[Suggestion]:
		"""Best first; ties by customer name so the order is stable."""
		evidence: dict[str, list[tuple[float, str, dict[str, str], str]]] = {}
		for domain_evidence in _author_domains(author):
			for customer in self._customers_on(domain_evidence.domain):
				matched = _domain_under(domain_evidence.domain, customer.domains)
				params = {**domain_evidence.params, "domain": matched}
				evidence.setdefault(customer.candidate.name, []).append(
					(domain_evidence.weight, domain_evidence.reason, params, "domain")
				)
		by_name = {customer.candidate.name: customer for customer in self.customers}
		name_words = company_words(author.name) if author.name else []
		handle_words = _handle_words(author.handle)
		for customer in self.customers:
			if not customer.compact:
				continue
			for words, weight, reasons, params in (
				(
					name_words,
					_WEIGHT_NAME,
					(REASON_NAME_EQUAL, REASON_NAME_CONTAINS, REASON_NAME_SIMILAR),
					{"author_name": author.name},
				),
				(
					handle_words,
					_WEIGHT_HANDLE,
					(REASON_HANDLE_EQUAL, REASON_HANDLE_CONTAINS, REASON_HANDLE_SIMILAR),
					{"handle": author.handle},
				),
			):
				similarity, which = _name_similarity(words, customer)
				if similarity:
					evidence.setdefault(customer.candidate.name, []).append(
						(
							weight * similarity,
							reasons[which],
							{**params, "customer_name": customer.candidate.customer_name},
							"name",
						)
					)
		suggestions = []
		for name, items in evidence.items():
			score = _combine(items)
			if score < min_score:
				continue
			best = max(items, key=lambda item: item[0])
			suggestions.append(Suggestion(by_name[name].candidate, round(score, 3), best[1], best[2]))
		suggestions.sort(key=lambda s: (-s.score, fold(s.customer.customer_name), s.customer.name))
		return suggestions[:limit]

	def _customers_on(self, domain: str) -> Iterable[_PreparedCustomer]:
		"""Customers whose domain is `domain` or a parent of it (shop.acme.de -> acme.de)."""
		labels = domain.split(".")
		seen: set[str] = set()
		for start in range(len(labels) - 1):
			for customer in self._by_domain.get(".".join(labels[start:]), ()):
				if customer.candidate.name not in seen:
					seen.add(customer.candidate.name)
					yield customer


def suggest_customers(
	author: Author, candidates: Sequence[CustomerCandidate], limit: int = 5, min_score: float = MIN_SCORE
) -> list[Suggestion]:
	"""Customers the author probably is, best first, at most `limit`, each with its reason.

	Evidence: the author's handle being a customer domain (Bluesky handles such as
	"acme.de"), a Mastodon server or profile link on it, a customer domain (website or
	non-free-mail e-mail domain) mentioned in the bio; and the display name or handle against
	the customer name, folded (Müller = Mueller) and without legal forms (GmbH, AG, KG, e.K.,
	Ltd, Inc, ...). Domain and name evidence are independent and combine; several hints of
	the same kind count once, the strongest.
	"""
	return CustomerDirectory(candidates).suggest(author, limit=limit, min_score=min_score)


def _prepare(candidate: CustomerCandidate) -> _PreparedCustomer:
	words = company_words(candidate.customer_name)
	domains = {normalise_domain(domain) for domain in candidate.email_domains}
	if candidate.website.strip():
		domains.add(normalise_domain(candidate.website))
	domains = {domain for domain in domains if "." in domain and domain not in _FREEMAIL | _PLATFORM_HOSTS}
	return _PreparedCustomer(candidate, frozenset(words), "".join(words), tuple(sorted(domains)))


@dataclass(frozen=True, slots=True)
class _DomainEvidence:
	domain: str
	weight: float
	reason: str
	params: dict[str, str]


def _author_domains(author: Author) -> list[_DomainEvidence]:
	found: list[_DomainEvidence] = []
	handle = author.handle.strip().lstrip("@")
	user, _, server = handle.partition("@")
	if server:
		found.append(
			_DomainEvidence(
				normalise_domain(server), _WEIGHT_SERVER_DOMAIN, REASON_SERVER_DOMAIN, {"handle": handle}
			)
		)
	elif _DOMAIN_IN_TEXT.fullmatch(user):
		found.append(
			_DomainEvidence(
				normalise_domain(user), _WEIGHT_HANDLE_DOMAIN, REASON_HANDLE_DOMAIN, {"handle": handle}
			)
		)
	if author.profile_url:
		host = normalise_domain(author.profile_url)
		if host:
			found.append(
				_DomainEvidence(
					host, _WEIGHT_PROFILE_DOMAIN, REASON_PROFILE_DOMAIN, {"url": author.profile_url}
				)
			)
	for match in _DOMAIN_IN_TEXT.finditer(author.bio):
		found.append(
			_DomainEvidence(
				normalise_domain(match.group(1)),
				_WEIGHT_BIO_DOMAIN,
				REASON_BIO_DOMAIN,
				{"found": match.group(0)},
			)
		)
	return [item for item in found if item.domain not in _PLATFORM_HOSTS and item.domain not in _FREEMAIL]


def _domain_under(domain: str, customer_domains: tuple[str, ...]) -> str:
	for candidate in customer_domains:
		if domain == candidate or domain.endswith("." + candidate):
			return candidate
	return customer_domains[0]  # pragma: no cover - only called for customers found on the domain


def _handle_words(handle: str) -> list[str]:
	"""The name part of a handle: "anna@mastodon.social" -> anna, "acme-gmbh.bsky.social" -> acme."""
	local = handle.strip().lstrip("@").partition("@")[0]
	if "." in local:
		local = local.split(".", 1)[0]
	return company_words(local.replace("_", " ").replace("-", " "))


def _name_similarity(words: list[str], customer: _PreparedCustomer) -> tuple[float, int]:
	"""(similarity 0..1, 0 equal / 1 contains / 2 similar) of author words to a customer."""
	if not words:
		return 0.0, 0
	compact = "".join(words)
	if compact == customer.compact:
		return 1.0, 0
	if customer.words <= set(words):
		return 0.6 + 0.3 * len(customer.compact) / len(compact), 1
	if len(customer.compact) >= 4 and (
		compact.startswith(customer.compact) or compact.endswith(customer.compact)
	):
		# "acmesupport", "teamacme": a handle glued together from the name and a word
		return 0.5 + 0.3 * len(customer.compact) / len(compact), 1
	shorter, longer = sorted((len(compact), len(customer.compact)))
	if shorter < 4 or 2 * shorter / (shorter + longer) < 0.8:
		return 0.0, 0
	matcher = SequenceMatcher(None, compact, customer.compact)
	if matcher.quick_ratio() < 0.8:
		return 0.0, 0
	ratio = matcher.ratio()
	return (ratio * 0.85, 2) if ratio >= 0.8 else (0.0, 0)


def _combine(items: list[tuple[float, str, dict[str, str], str]]) -> float:
	"""Independent kinds of evidence (domain, name) combine; within a kind the strongest counts."""
	strongest: dict[str, float] = {}
	for weight, _reason, _params, kind in items:
		strongest[kind] = max(strongest.get(kind, 0.0), weight)
	remaining = 1.0
	for weight in strongest.values():
		remaining *= 1.0 - weight
	return 1.0 - remaining
