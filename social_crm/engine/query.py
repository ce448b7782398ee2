"""The query language of a Monitored Keyword: parsing, evaluation and search terms.

Syntax (what a user types into the keyword's query field):

    acme                      the word "acme" (also as "#acme" or "@acme", not "acmeville")
    "acme kundenservice"      the exact phrase; punctuation and line breaks between the words
                              do not matter ("Acme-Kundenservice", "acme\\nkundenservice")
    e-mail, acme.de           a term with inner punctuation is a phrase of its words
    #acme  @acme              only the hashtag / only the handle; "@anna" also matches
                              "@anna@mastodon.social", "@anna@mastodon.social" only that one
    kündig*  *vertrag         prefix wildcard (kündigen, Kündigung) and suffix wildcard for
                              German compounds (Handyvertrag); at least 2 letters, only at
                              the start or the end of a word; also inside phrases
    a b  /  a AND b           both (adjacent terms are joined with AND)
    a OR b                    either
    NOT a  /  -a  /  -"a b"   not
    ( ... )                   grouping; precedence is NOT before AND before OR, so
                              `a OR b c` means `a OR (b AND c)`

Operators must be written in capitals: AND, OR, NOT and the German UND, ODER, NICHT. Lower-
case "and", "oder", "nicht" are ordinary search words, because they are ordinary words in
posts ("funktioniert nicht" must mean both words, not "funktioniert but not ..."). To search
for a capitalised operator word, quote it: `"OR"`. German „…“ and typographic “…” quotes work
like "...".

Matching is case- and accent-insensitive with German folding (see text_folding): `kündigen`
matches "Kuendigen" and "KÜNDIGEN", `cafe` matches "Café". CamelCase hashtags are one word:
"#AcmeSupport" is found by `acme*` or `#acmesupport`, not by `acme`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum

from social_crm.engine.text_folding import WORD_RE, FoldedText, fold

MIN_WILDCARD_STEM = 2
"""Letters a wildcard needs beside it: `a*` would match half of every post."""

MAX_NESTING = 50

MAX_QUERY_LENGTH = 2000
"""Characters a query may have: more is no longer a query someone reads and maintains."""
MAX_TERMS = 100
MAX_WILDCARDS = 25
"""Each mention is matched against every keyword, and a wildcard is checked against every
word of a post: `NOT (1,500 wildcards)` took seconds per mention. These caps keep one
keyword's cost per mention small whatever is typed in."""

_HASHTAG_NAME = re.compile(r"\w+")
_HANDLE_NAME = re.compile(r"\w(?:[\w.-]*\w)?(?:@\w(?:[\w.-]*\w)?)?")

_QUOTES = '"„“”‟'
_OPERATORS = {"AND": "AND", "UND": "AND", "OR": "OR", "ODER": "OR", "NOT": "NOT", "NICHT": "NOT"}


class QuerySyntaxError(ValueError):
	"""A query that cannot be parsed, with the 0-based character position of the problem.

	`message` is English; `template` and `params` are the same message before formatting,
	so the shell can translate the template and format it again. `keyword` is set when the
	error was found while building a KeywordIndex.
	"""

	def __init__(
		self,
		message: str,
		position: int,
		*,
		template: str | None = None,
		params: dict[str, object] | None = None,
		keyword: str | None = None,
	) -> None:
		self.message = message
		self.position = position
		self.template = template if template is not None else message
		self.params = dict(params or {})
		self.keyword = keyword
		prefix = f"Keyword {keyword!r}: " if keyword else ""
		super().__init__(f"{prefix}{message} (at position {position})")

	@classmethod
	def at(cls, position: int, template: str, **params: object) -> QuerySyntaxError:
		return cls(template.format(**params), position, template=template, params=params)

	def for_keyword(self, keyword: str) -> QuerySyntaxError:
		return type(self)(
			self.message, self.position, template=self.template, params=self.params, keyword=keyword
		)


class QueryTooComplex(QuerySyntaxError):
	"""A well-formed query that is too long or too costly to match against every mention
	(MAX_QUERY_LENGTH, MAX_TERMS, MAX_WILDCARDS); a QuerySyntaxError, so callers that show
	syntax errors show this one the same way."""


SYNTAX_ERROR_TEMPLATES = (
	"The query is empty",
	"The query is nested too deeply",
	"Opening parenthesis is never closed",
	"Closing parenthesis without an opening one",
	"Empty parentheses",
	"Quotation mark is never closed",
	"Empty quotation marks",
	"{operator} needs a search term after it",
	"{operator} needs a search term before it",
	"Expected a search term after {operator}, found {found}",
	"A '-' must be directly followed by what to exclude, as in -spam",
	"A * needs at least {count} letters or digits next to it",
	"A * can only stand at the start or the end of a word",
	"A term can have a * at its start or its end, not both",
	"A * can only stand at the end of a hashtag",
	"A * can only stand at the end of a handle",
	"'{term}' is not a valid hashtag",
	"'{term}' is not a valid handle",
	"'{term}' contains no letters or digits",
	"The query is longer than {limit} characters",
	"The query has more than {limit} search terms",
	"The query has more than {limit} wildcards",
)
"""Every QuerySyntaxError template, for the shell's translation file."""


class Wildcard(str, Enum):
	NONE = ""
	PREFIX = "prefix"  # kündig*
	SUFFIX = "suffix"  # *vertrag


# --- the syntax tree ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
	"""One folded word, maybe with a wildcard; `raw` is what the user typed (for search APIs)."""

	word: str
	raw: str
	wildcard: Wildcard = Wildcard.NONE

	def accepts(self, word: str) -> bool:
		if self.wildcard is Wildcard.PREFIX:
			return word.startswith(self.word)
		if self.wildcard is Wildcard.SUFFIX:
			return word.endswith(self.word)
		return word == self.word

	def matches(self, text: FoldedText) -> bool:
		if self.wildcard is Wildcard.NONE:
			return self.word in text.word_set
		return any(self.accepts(word) for word in text.word_set)

	def __str__(self) -> str:
		if self.wildcard is Wildcard.PREFIX:
			return f"{self.word}*"
		if self.wildcard is Wildcard.SUFFIX:
			return f"*{self.word}"
		return self.word


@dataclass(frozen=True, slots=True)
class Phrase:
	"""Consecutive words; anything that is not a letter or digit between them is ignored."""

	parts: tuple[Term, ...]
	raw: str

	def matches(self, text: FoldedText) -> bool:
		first, rest = self.parts[0], self.parts[1:]
		words = text.words
		if first.wildcard is Wildcard.NONE:
			starts: Iterator[int] | list[int] = text.positions.get(first.word, [])
		else:
			starts = (i for i, word in enumerate(words) if first.accepts(word))
		last_start = len(words) - len(self.parts)
		for start in starts:
			if start > last_start:
				break
			if all(part.accepts(words[start + 1 + i]) for i, part in enumerate(rest)):
				return True
		return False

	def __str__(self) -> str:
		return '"' + " ".join(str(part) for part in self.parts) + '"'


@dataclass(frozen=True, slots=True)
class Tag:
	"""A hashtag (`#acme`) or handle (`@acme`); only that form matches, not the plain word."""

	sigil: str  # "#" or "@"
	name: str
	raw: str
	prefix: bool = False

	def matches(self, text: FoldedText) -> bool:
		pool = text.hashtags if self.sigil == "#" else text.handles
		if self.prefix:
			return any(item.startswith(self.name) for item in pool)
		return self.name in pool

	def __str__(self) -> str:
		return f"{self.sigil}{self.name}{'*' if self.prefix else ''}"


@dataclass(frozen=True, slots=True)
class Not:
	child: Node

	def matches(self, text: FoldedText) -> bool:
		return not self.child.matches(text)

	def __str__(self) -> str:
		return f"NOT {self.child}"


@dataclass(frozen=True, slots=True)
class And:
	children: tuple[Node, ...]

	def matches(self, text: FoldedText) -> bool:
		return all(child.matches(text) for child in self.children)

	def __str__(self) -> str:
		return "(" + " AND ".join(str(child) for child in self.children) + ")"


@dataclass(frozen=True, slots=True)
class Or:
	children: tuple[Node, ...]

	def matches(self, text: FoldedText) -> bool:
		return any(child.matches(text) for child in self.children)

	def __str__(self) -> str:
		return "(" + " OR ".join(str(child) for child in self.children) + ")"


Leaf = Term | Phrase | Tag
Node = Term | Phrase | Tag | Not | And | Or


@dataclass(frozen=True, slots=True)
class Query:
	"""A parsed query. `str(query)` shows how it was understood, fully parenthesised."""

	source: str
	root: Node

	def matches(self, text: str) -> bool:
		return self.root.matches(FoldedText.of(text))

	def matches_folded(self, text: FoldedText) -> bool:
		"""Like matches(), for a text already folded once for many queries."""
		return self.root.matches(text)

	def anchors(self) -> frozenset[Leaf] | None:
		"""Leaves one of which every matching text contains; None if it can match without any.

		Only `NOT ...`-style queries (e.g. `NOT spam`, `a OR -b`) have none.
		"""
		return _anchors(self.root, positive=True)

	def search_terms(self) -> list[str]:
		"""What a connector should ask a platform's search API for, in query order.

		Platforms cannot evaluate our boolean logic, folding or wildcards, so a connector
		searches each returned string on its own and every fetched post is then checked with
		matches(). The list is a *cover*, not every positive term: every post the query
		matches contains at least one of these strings, so fetching by them loses nothing
		the platform's own search finds. Of `acme AND (kündigung OR vertrag)` only "acme" is
		returned (one search instead of three, and the cheaper side of an AND is preferred,
		wildcard terms being the dearest because platforms cannot expand them).

		Entries are spelled as the user typed them (umlauts kept, wildcards removed:
		`kündig*` gives "kündig"). Phrases are the words joined by a space, without quotes; a
		connector whose platform supports phrase search should quote entries containing a
		space. Hashtags keep their "#", handles their "@". Empty for pure-NOT queries: such a
		keyword can only filter posts fetched for other reasons.
		"""
		anchors = self.anchors()
		if not anchors:
			return []
		terms: list[str] = []
		for leaf in _leaves(self.root):
			if leaf in anchors:
				term = _search_string(leaf)
				if term not in terms:
					terms.append(term)
		return terms

	def found(self, text: FoldedText) -> list[str]:
		"""Which alternatives of a top-level OR occur in the text, as written in the query.

		Triage wants the urgency terms a post contains ("refund", "kündig*"), not only that
		one of them is there; for a query that is no OR, the whole query or nothing.
		"""
		alternatives = self.root.children if isinstance(self.root, Or) else (self.root,)
		return [str(node) for node in alternatives if node.matches(text)]

	def __str__(self) -> str:
		return str(self.root)


def _leaves(node: Node) -> Iterator[Leaf]:
	if isinstance(node, (And, Or)):
		for child in node.children:
			yield from _leaves(child)
	elif isinstance(node, Not):
		yield from _leaves(node.child)
	else:
		yield node


def _search_string(leaf: Leaf) -> str:
	if isinstance(leaf, Tag):
		return leaf.raw.rstrip("*")
	return leaf.raw.strip("*").strip()


def _cost(anchors: frozenset[Leaf]) -> int:
	def leaf_cost(leaf: Leaf) -> int:
		if isinstance(leaf, Term):
			return 1 if leaf.wildcard is Wildcard.NONE else 3
		if isinstance(leaf, Tag):
			return 3 if leaf.prefix else 1
		return 1 if all(part.wildcard is Wildcard.NONE for part in leaf.parts) else 3

	return sum(leaf_cost(leaf) for leaf in anchors)


def _anchors(node: Node, *, positive: bool) -> frozenset[Leaf] | None:
	"""Anchors of `node`, or of `NOT node` when not `positive` (De Morgan pushes NOT down)."""
	if isinstance(node, Not):
		return _anchors(node.child, positive=not positive)
	if isinstance(node, (And, Or)):
		# NOT (a AND b) == NOT a OR NOT b, NOT (a OR b) == NOT a AND NOT b
		conjunction = isinstance(node, And) == positive
		options = [_anchors(child, positive=positive) for child in node.children]
		if conjunction:
			known = [option for option in options if option is not None]
			return min(known, key=_cost) if known else None
		if any(option is None for option in options):
			return None
		return frozenset().union(*options)  # type: ignore[arg-type]
	return frozenset((node,)) if positive else None


# --- the parser --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
	kind: str  # "term", "phrase", "(", ")", "AND", "OR", "NOT", "end"
	text: str
	position: int


def parse(query: str) -> Query:
	"""Parse a keyword query; raises QuerySyntaxError with the position of the problem, or
	QueryTooComplex for a query over the length, term or wildcard limits."""
	if len(query) > MAX_QUERY_LENGTH:
		raise QueryTooComplex.at(
			MAX_QUERY_LENGTH, "The query is longer than {limit} characters", limit=MAX_QUERY_LENGTH
		)
	tokens = _lex(query)
	if tokens[0].kind == "end":
		raise QuerySyntaxError.at(0, "The query is empty")
	parser = _Parser(tokens)
	root = parser.parse_or(depth=0)
	leftover = parser.peek()
	if leftover.kind == ")":
		raise QuerySyntaxError.at(leftover.position, "Closing parenthesis without an opening one")
	assert leftover.kind == "end", leftover
	_check_cost(root)
	return Query(query, root)


def _check_cost(root: Node) -> None:
	terms = wildcards = 0
	for leaf in _leaves(root):
		parts = leaf.parts if isinstance(leaf, Phrase) else (leaf,)
		terms += len(parts)
		wildcards += sum(
			1
			for part in parts
			if (part.prefix if isinstance(part, Tag) else part.wildcard is not Wildcard.NONE)
		)
		if terms > MAX_TERMS:
			raise QueryTooComplex.at(0, "The query has more than {limit} search terms", limit=MAX_TERMS)
		if wildcards > MAX_WILDCARDS:
			raise QueryTooComplex.at(0, "The query has more than {limit} wildcards", limit=MAX_WILDCARDS)


def _lex(query: str) -> list[_Token]:
	tokens: list[_Token] = []
	i, length = 0, len(query)
	while i < length:
		char = query[i]
		if char.isspace():
			i += 1
		elif char in "()":
			tokens.append(_Token(char, char, i))
			i += 1
		elif char == "-":
			following = query[i + 1] if i + 1 < length else ""
			if not following or following.isspace() or following == ")":
				raise QuerySyntaxError.at(
					i, "A '-' must be directly followed by what to exclude, as in -spam"
				)
			tokens.append(_Token("NOT", char, i))
			i += 1
		elif char in _QUOTES:
			end = i + 1
			while end < length and query[end] not in _QUOTES:
				end += 1
			if end >= length:
				raise QuerySyntaxError.at(i, "Quotation mark is never closed")
			tokens.append(_Token("phrase", query[i + 1 : end], i))
			i = end + 1
		else:
			end = i
			while end < length and not query[end].isspace() and query[end] not in "()" + _QUOTES:
				end += 1
			text = query[i:end]
			tokens.append(_Token(_OPERATORS.get(text, "term"), text, i))
			i = end
	tokens.append(_Token("end", "", length))
	return tokens


_OPERAND_START = {"term", "phrase", "(", "NOT"}


class _Parser:
	"""Recursive descent: or := and (OR and)*; and := unary ([AND] unary)*; unary := NOT unary | atom."""

	def __init__(self, tokens: list[_Token]) -> None:
		self.tokens = tokens
		self.index = 0

	def peek(self) -> _Token:
		return self.tokens[self.index]

	def take(self) -> _Token:
		token = self.tokens[self.index]
		self.index += 1
		return token

	def expect_operand_after(self, operator: _Token) -> None:
		following = self.peek()
		if following.kind in _OPERAND_START:
			return
		name = operator.text
		if following.kind == "end":
			raise QuerySyntaxError.at(
				operator.position, "{operator} needs a search term after it", operator=name
			)
		raise QuerySyntaxError.at(
			following.position,
			"Expected a search term after {operator}, found {found}",
			operator=name,
			found=following.text,
		)

	def parse_or(self, depth: int) -> Node:
		children = [self.parse_and(depth)]
		while self.peek().kind == "OR":
			self.expect_operand_after(self.take())
			children.append(self.parse_and(depth))
		return children[0] if len(children) == 1 else Or(_flatten(children, Or))

	def parse_and(self, depth: int) -> Node:
		children = [self.parse_unary(depth)]
		while True:
			token = self.peek()
			if token.kind == "AND":
				self.expect_operand_after(self.take())
			elif token.kind not in _OPERAND_START:
				break
			children.append(self.parse_unary(depth))
		return children[0] if len(children) == 1 else And(_flatten(children, And))

	def parse_unary(self, depth: int) -> Node:
		token = self.peek()
		if token.kind == "NOT":
			self.take()
			self.expect_operand_after(token)
			if depth > MAX_NESTING:
				raise QuerySyntaxError.at(token.position, "The query is nested too deeply")
			return Not(self.parse_unary(depth + 1))
		return self.parse_atom(depth)

	def parse_atom(self, depth: int) -> Node:
		token = self.take()
		if token.kind == "term":
			return _term(token.text, token.position)
		if token.kind == "phrase":
			return _phrase(token.text, token.position)
		if token.kind == "(":
			if depth >= MAX_NESTING:
				raise QuerySyntaxError.at(token.position, "The query is nested too deeply")
			if self.peek().kind == ")":
				raise QuerySyntaxError.at(token.position, "Empty parentheses")
			if self.peek().kind == "end":  # `acme AND (`
				raise QuerySyntaxError.at(token.position, "Opening parenthesis is never closed")
			inner = self.parse_or(depth + 1)
			if self.peek().kind != ")":
				raise QuerySyntaxError.at(token.position, "Opening parenthesis is never closed")
			self.take()
			return inner
		if token.kind == ")":
			raise QuerySyntaxError.at(token.position, "Closing parenthesis without an opening one")
		if token.kind in ("AND", "OR"):
			raise QuerySyntaxError.at(
				token.position, "{operator} needs a search term before it", operator=token.text
			)
		raise AssertionError(f"unexpected token {token}")  # pragma: no cover - the lexer ends with "end"


def _flatten(children: list[Node], kind: type[And] | type[Or]) -> tuple[Node, ...]:
	flat: list[Node] = []
	for child in children:
		flat.extend(child.children if isinstance(child, kind) else (child,))
	return tuple(flat)


def _term(raw: str, position: int) -> Leaf:
	"""A bare token: a word, a word with inner punctuation (a phrase), a hashtag or a handle."""
	if raw.startswith(("#", "@")):
		return _tag(raw, position)
	return _words(raw, position, raw)


def _phrase(content: str, position: int) -> Leaf:
	parts: list[Term] = []
	kept: list[str] = []
	for piece in re.finditer(r"\S+", content):
		if piece.group() != "*" and not WORD_RE.search(fold(piece.group())):
			continue  # punctuation between the words: "acme - support"
		leaf = _words(piece.group(), position + 1 + piece.start(), piece.group())
		parts.extend(leaf.parts if isinstance(leaf, Phrase) else (leaf,))
		kept.append(piece.group())
	if not parts:
		raise QuerySyntaxError.at(position, "Empty quotation marks")
	display = " ".join(kept)
	if len(parts) == 1:
		return Term(parts[0].word, display, parts[0].wildcard)
	return Phrase(tuple(parts), display)


def _words(raw: str, position: int, display: str) -> Term | Phrase:
	"""Split a token into folded words; a `*` at its start or end becomes a wildcard."""
	body = raw
	suffix = body.startswith("*")
	prefix = body.endswith("*") and len(body) > 1
	body = body[1 if suffix else 0 : len(body) - 1 if prefix else len(body)]
	if suffix and prefix:
		raise QuerySyntaxError.at(position, "A term can have a * at its start or its end, not both")
	if "*" in body:
		star = position + (1 if suffix else 0) + body.index("*")
		raise QuerySyntaxError.at(star, "A * can only stand at the start or the end of a word")
	words = WORD_RE.findall(fold(body))
	if not words:
		if suffix or prefix or not body:
			raise QuerySyntaxError.at(
				position, "A * needs at least {count} letters or digits next to it", count=MIN_WILDCARD_STEM
			)
		raise QuerySyntaxError.at(position, "'{term}' contains no letters or digits", term=raw)
	terms = [Term(word, word) for word in words]
	wild_index = 0 if suffix else len(terms) - 1
	if suffix or prefix:
		if len(words[wild_index]) < MIN_WILDCARD_STEM:
			raise QuerySyntaxError.at(
				position, "A * needs at least {count} letters or digits next to it", count=MIN_WILDCARD_STEM
			)
		stem = terms[wild_index]
		terms[wild_index] = Term(stem.word, stem.raw, Wildcard.SUFFIX if suffix else Wildcard.PREFIX)
	if len(terms) == 1:
		return Term(terms[0].word, display, terms[0].wildcard)
	return Phrase(tuple(terms), display)


def _tag(raw: str, position: int) -> Tag:
	sigil, body = raw[0], raw[1:]
	hashtag = sigil == "#"
	prefix = body.endswith("*")
	if prefix:
		body = body[:-1]
	if "*" in body:
		raise QuerySyntaxError.at(
			position + 1 + body.index("*"),
			"A * can only stand at the end of a hashtag"
			if hashtag
			else "A * can only stand at the end of a handle",
		)
	name = fold(body)
	if not (_HASHTAG_NAME if hashtag else _HANDLE_NAME).fullmatch(name):
		raise QuerySyntaxError.at(
			position,
			"'{term}' is not a valid hashtag" if hashtag else "'{term}' is not a valid handle",
			term=raw,
		)
	if prefix and len(name) < MIN_WILDCARD_STEM:
		raise QuerySyntaxError.at(
			position, "A * needs at least {count} letters or digits next to it", count=MIN_WILDCARD_STEM
		)
	return Tag(sigil, name, raw, prefix)
