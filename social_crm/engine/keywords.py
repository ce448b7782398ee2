"""Which Monitored Keywords a mention matches, fast enough for thousands of keywords.

Every mention is checked against every enabled keyword. Evaluating each query in turn would
cost keywords × text; instead the text is folded and tokenised once and each query is filed
under its *anchors* (query.Query.anchors: leaves one of which any matching text contains).
A mention's words, hashtags and handles look up the queries they could satisfy, and only
those are evaluated. Wildcard anchors are filed by their stem: for every word of the text,
its prefixes (and suffixes) of the stem lengths in use are looked up, which costs a few dict
lookups per word however many keywords there are. Queries without anchors (`NOT spam`,
`a OR -b`) are evaluated for every mention; they are rare.

The query language itself is in query.py; `parse` and `QuerySyntaxError` are re-exported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from social_crm.engine.mention import Platform
from social_crm.engine.query import (
	Leaf,
	Or,
	Phrase,
	Query,
	QuerySyntaxError,
	Tag,
	Term,
	Wildcard,
	parse,
)
from social_crm.engine.text_folding import FoldedText

__all__ = ["KeywordIndex", "KeywordSpec", "Query", "QuerySyntaxError", "parse"]


def language_code(language: str) -> str:
	"""The primary language subtag: "de-DE", "de_AT", "DE" all become "de"."""
	return language.strip().replace("_", "-").split("-", 1)[0].lower()


@dataclass(frozen=True, slots=True)
class KeywordSpec:
	"""A Monitored Keyword as the engine needs it.

	`platforms` are Platform labels ("Mastodon", "X", ...) and `languages` language codes
	("de", "en"); empty means all. Any iterable is accepted and frozen; unknown platform
	labels raise ValueError. `ticket_threshold` and `item` are carried for triage.
	"""

	name: str
	query: str
	platforms: frozenset[str] = frozenset()
	languages: frozenset[str] = frozenset()
	ticket_threshold: float | None = None
	item: str | None = None

	def __post_init__(self) -> None:
		object.__setattr__(self, "platforms", frozenset(Platform(label).value for label in self.platforms))
		object.__setattr__(self, "languages", frozenset(language_code(code) for code in self.languages))

	def applies_to(self, platform: str | None, language: str | None) -> bool:
		"""Whether the spec's filters let a mention through; unknown platform/language pass.

		A mention whose language could not be detected is not dropped by a language filter:
		missing a relevant short post is worse than showing one extra.
		"""
		if platform is not None and self.platforms and platform not in self.platforms:
			return False
		return language is None or not self.languages or language in self.languages


class KeywordIndex:
	"""All enabled keywords, ready to match mentions; build once per batch and reuse.

	`term_lists` (name -> query, e.g. the urgency and intent queries) are filed in the same
	index, one entry per alternative of their top-level OR, so `match_with_terms` finds which
	of their terms a post contains (as `Query.found` would) in the same pass over its words as
	the keywords, instead of evaluating every alternative on every post.

	Raises QuerySyntaxError (with `keyword` set to the spec's name) for an invalid query.
	"""

	def __init__(self, specs: Iterable[KeywordSpec], term_lists: Mapping[str, Query] | None = None) -> None:
		self.specs: tuple[KeywordSpec, ...] = tuple(specs)
		self.queries: tuple[Query, ...] = tuple(_parse_spec(spec) for spec in self.specs)
		entries = list(self.queries)
		# entry index -> (list name, the term as Query.found spells it), for entries past the specs
		self._terms: list[tuple[str, str]] = []
		self._term_lists: tuple[str, ...] = tuple(term_lists or ())
		for list_name, query in (term_lists or {}).items():
			for node in query.root.children if isinstance(query.root, Or) else (query.root,):
				entries.append(Query(str(node), node))
				self._terms.append((list_name, str(node)))
		self._entries: tuple[Query, ...] = tuple(entries)
		self._always: list[int] = []
		# kind -> key -> spec indexes; kinds: "w" word, "w>" word prefix, "w<" word suffix,
		# "#" hashtag, "#>" hashtag prefix, "@" handle, "@>" handle prefix
		self._keys: dict[str, dict[str, list[int]]] = {
			kind: {} for kind in ("w", "w>", "w<", "#", "#>", "@", "@>")
		}
		for index, query in enumerate(self._entries):
			anchors = query.anchors()
			if anchors is None:
				self._always.append(index)
				continue
			for leaf in anchors:
				kind, key = _index_key(leaf)
				entries = self._keys[kind].setdefault(key, [])
				if not entries or entries[-1] != index:
					entries.append(index)
		self._lengths = {
			kind: sorted({len(key) for key in self._keys[kind]}) for kind in ("w>", "w<", "#>", "@>")
		}
		# per wildcard kind: the shortest stem length and the stems cut to it (first letters
		# for prefixes, last letters for suffixes)
		self._gates: dict[str, tuple[int, frozenset[str]]] = {}
		for kind in ("w>", "w<"):
			shortest = self._lengths[kind][0] if self._lengths[kind] else 0
			stems = self._keys[kind]
			if kind == "w>":
				self._gates[kind] = (shortest, frozenset(key[:shortest] for key in stems))
			else:
				self._gates[kind] = (shortest, frozenset(key[len(key) - shortest :] for key in stems))

	def __len__(self) -> int:
		return len(self.specs)

	def match(
		self, text: str | FoldedText, platform: Platform | str | None = None, language: str | None = None
	) -> list[KeywordSpec]:
		"""The specs whose query matches `text` and whose filters admit platform and language.

		In the order the specs were given. `platform`/`language` None means unknown, which
		no filter excludes.
		"""
		return self.match_with_terms(text, platform, language)[0]

	def match_with_terms(
		self, text: str | FoldedText, platform: Platform | str | None = None, language: str | None = None
	) -> tuple[list[KeywordSpec], dict[str, tuple[str, ...]]]:
		"""`match`, and per term list the terms found in the text, in query order."""
		folded = text if isinstance(text, FoldedText) else FoldedText.of(text)
		platform_label = Platform(platform).value if platform is not None else None
		language = language_code(language) if language else None
		specs: list[KeywordSpec] = []
		found: dict[str, list[str]] = {name: [] for name in self._term_lists}
		n_specs = len(self.specs)
		for index in sorted(self._candidates(folded)):
			if index < n_specs:
				spec = self.specs[index]
				if spec.applies_to(platform_label, language) and self.queries[index].matches_folded(folded):
					specs.append(spec)
			elif self._entries[index].matches_folded(folded):
				list_name, term = self._terms[index - n_specs]
				found[list_name].append(term)
		return specs, {name: tuple(terms) for name, terms in found.items()}

	def match_names(
		self, text: str | FoldedText, platform: Platform | str | None = None, language: str | None = None
	) -> list[str]:
		return [spec.name for spec in self.match(text, platform, language)]

	def _candidates(self, folded: FoldedText) -> set[int]:
		keys = self._keys
		candidates: set[int] = set(self._always)
		exact, prefixes, suffixes = keys["w"], keys["w>"], keys["w<"]
		prefix_lengths, suffix_lengths = self._lengths["w>"], self._lengths["w<"]
		# A word can only meet a wildcard stem if its first (last) few letters begin (end) one:
		# one set look-up rules out most words before the look-up per stem length.
		(head, heads), (tail, tails) = self._gates["w>"], self._gates["w<"]
		for word in folded.word_set:
			found = exact.get(word)
			if found:
				candidates.update(found)
			if word[:head] in heads:
				for length in prefix_lengths:
					if length > len(word):
						break
					found = prefixes.get(word[:length])
					if found:
						candidates.update(found)
			if word[len(word) - tail :] in tails:
				for length in suffix_lengths:
					if length > len(word):
						break
					found = suffixes.get(word[-length:])
					if found:
						candidates.update(found)
		for kind, pool in (("#", folded.hashtags), ("@", folded.handles)):
			exact, prefixes, lengths = keys[kind], keys[kind + ">"], self._lengths[kind + ">"]
			for item in pool:
				candidates.update(exact.get(item, ()))
				for length in lengths:
					if length > len(item):
						break
					candidates.update(prefixes.get(item[:length], ()))
		return candidates


def _parse_spec(spec: KeywordSpec) -> Query:
	try:
		return parse(spec.query)
	except QuerySyntaxError as error:
		raise error.for_keyword(spec.name) from None


def _index_key(leaf: Leaf) -> tuple[str, str]:
	if isinstance(leaf, Tag):
		return (leaf.sigil + (">" if leaf.prefix else ""), leaf.name)
	if isinstance(leaf, Phrase):
		# Any word of a phrase must be present; a long exact word is the most selective.
		leaf = max(leaf.parts, key=lambda part: (part.wildcard is Wildcard.NONE, len(part.word)))
	return _term_key(leaf)


def _term_key(term: Term) -> tuple[str, str]:
	kind = {Wildcard.NONE: "w", Wildcard.PREFIX: "w>", Wildcard.SUFFIX: "w<"}[term.wildcard]
	return (kind, term.word)
