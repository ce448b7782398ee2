"""The steps every mention goes through, composed once.

fetch (connectors) -> analyse (language, sentiment, keywords, urgency and intent terms)
-> keep or drop -> match the author (matching) -> decide (triage).

The Frappe shell's ingest job and the `social-crm demo` command both call this module, so
the demo runs the production path. Storage sits between `analyse` and `decide` in the shell
(the mention is stored, its profile looked up, its open tickets loaded), which is why the
steps are separate calls rather than one function that hides them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from social_crm.engine.analysed import Analysed
from social_crm.engine.keywords import KeywordIndex, KeywordSpec
from social_crm.engine.mention import Mention, Platform
from social_crm.engine.own_posts import OwnAccount
from social_crm.engine.query import parse
from social_crm.engine.sentiment import Analyzer, Sentiment
from social_crm.engine.text_folding import FoldedText, fold
from social_crm.engine.triage import (
	DEFAULT_INTENT_QUERY,
	DEFAULT_URGENCY_QUERY,
	Decision,
	MatchedKeyword,
	OpenTicket,
	Signals,
	TriageSettings,
	triage,
)


@dataclass(frozen=True, slots=True)
class Analysis:
	"""What the analysis found out about one mention; `keywords` are the matched specs."""

	sentiment: Sentiment
	keywords: tuple[KeywordSpec, ...]
	urgency_terms: tuple[str, ...] = ()
	intent_terms: tuple[str, ...] = ()
	mentions_own_handle: bool = False

	@property
	def keyword_names(self) -> list[str]:
		return [spec.name for spec in self.keywords]


@dataclass
class Pipeline:
	"""Configured once per batch (keywords, analyser, settings), then applied per mention."""

	keywords: Sequence[KeywordSpec]
	analyzer: Analyzer = field(default_factory=Analyzer)
	settings: TriageSettings = field(default_factory=TriageSettings)
	urgency_query: str = DEFAULT_URGENCY_QUERY
	intent_query: str = DEFAULT_INTENT_QUERY

	def __post_init__(self) -> None:
		# urgency and intent terms are matched through the keywords' index, in the same pass
		self.index = KeywordIndex(
			self.keywords, {"urgency": parse(self.urgency_query), "intent": parse(self.intent_query)}
		)

	def search_terms(self, platform: Platform | str) -> list[str]:
		"""What to ask one platform for: the search cover of every keyword that applies to it."""
		label = Platform(platform).value
		terms: list[str] = []
		for spec, query in zip(self.index.specs, self.index.queries, strict=True):
			if spec.applies_to(label, None):
				terms += [term for term in query.search_terms() if term not in terms]
		return terms

	def analyse(self, mention: Mention, own_handle: str = "") -> Analysis:
		# tokenised and folded once; language, sentiment and the index all read this
		post = Analysed.of(mention.text)
		sentiment = self.analyzer.analyze(post, mention.language)
		folded = post.folded
		keywords, terms = self.index.match_with_terms(folded, mention.platform, sentiment.language)
		return Analysis(
			sentiment=sentiment,
			keywords=tuple(keywords),
			urgency_terms=terms["urgency"],
			intent_terms=terms["intent"],
			mentions_own_handle=_mentions_handle(folded, own_handle),
		)

	def keeps(
		self, mention: Mention, analysis: Analysis, *, searched: bool = True, own: OwnAccount | None = None
	) -> bool:
		"""Whether a fetched post is worth storing.

		The account's own posts and the replies it sent never are (`own_posts`): they would come
		back as customer mentions of our own answers.
		Platforms search for the keywords' cover terms, not their boolean queries, so a post
		fetched for "acme" may not match `acme AND kündig*`: it is dropped. Mentions of the
		account's own handle are always kept, and so is everything from a source that does
		not search (an RSS/Google Alerts feed is already the selection the admin asked for).
		"""
		if own is not None and own.wrote(mention):
			return False
		return bool(analysis.keywords) or analysis.mentions_own_handle or not searched

	def decide(
		self,
		mention: Mention,
		analysis: Analysis,
		*,
		now: datetime,
		customer: str | None = None,
		open_tickets: Iterable[OpenTicket] = (),
		incident: str | None = None,
		news_terms: Sequence[str] = (),
	) -> Decision:
		signals = Signals(
			score=analysis.sentiment.score,
			label=analysis.sentiment.label,
			keywords=tuple(MatchedKeyword(spec.name, spec.ticket_threshold) for spec in analysis.keywords),
			urgency_terms=analysis.urgency_terms,
			intent_terms=analysis.intent_terms,
			customer=customer,
			incident=incident,
			news_terms=tuple(news_terms),
		)
		return triage(mention, signals, now=now, settings=self.settings, open_tickets=open_tickets)


def _mentions_handle(folded: FoldedText, own_handle: str) -> bool:
	handle = fold(own_handle.strip().lstrip("@"))
	if not handle:
		return False
	local = handle.split("@", 1)[0]
	return any(item == handle or item.split("@", 1)[0] == local for item in folded.handles)
