"""German sentiment rules for brand posts: lexicon, compounds, negation, emphasis, sarcasm.

No permissively licensed German sentiment lexicon was found (SentiWS is CC-BY-NC-SA, the
pattern/textblob-de lexicon scores ~0.33 negative-class F1 on brand posts), so the app carries
its own, aimed at complaint language (`data/sentiment_de.tsv`). German builds compounds freely
("Kundenservice-Katastrophe", "Versicherungsbetrug", "Servicewüste"), so words are matched on
stems and compound heads, not only whole words. Negation in German often follows the verb
("funktioniert nicht"), so it is looked for on both sides. Praise that sits in a complaint is
usually sarcasm ("Danke für nichts", "Läuft bei euch 👏"), so it is discounted there.

The scale and the final squashing follow VADER (valence -4..+4, compound = s / sqrt(s² + 15))
so the same cut-offs mean roughly the same in both languages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from social_crm.engine.sentiment.emoji import emoji_valence
from social_crm.engine.sentiment.lexicon import LexiconScore
from social_crm.engine.social_tokens import Kind, hashtag_words, tokenize

NEGATORS = frozenset(
	"nicht kein keine keinen keinem keiner keines nie niemals nichts nix ohne weder kaum nimmer".split()
)
_INTENSIFIERS = {
	**dict.fromkeys(
		"sehr total echt extrem mega absolut völlig voll richtig wirklich so ganz unglaublich "
		"äußerst besonders komplett einfach super ultra maximal höchst zutiefst derbe".split(),
		1.3,
	),
	**dict.fromkeys("ziemlich recht".split(), 1.1),
	**dict.fromkeys("etwas bisschen eher leicht relativ halbwegs".split(), 0.7),
}
_CONTRAST = frozenset("aber doch jedoch allerdings trotzdem dennoch leider".split())
_CLAUSE_END = frozenset('.,;:!?()"“”„')
SARCASM_MARKS = frozenset(
	["🙄", "🙃", "😒", "🤡", "/s", "#ironie", "#sarkasmus", "#not", "#irony", "#sarcasm"]
)
SARCASM_PHRASES = (
	"danke für nichts",
	"danke für nix",
	"danke auch",
	"vielen dank auch",
	"läuft bei euch",
	"läuft bei dir",
	"na toll",
	"na super",
	"na prima",
	"na klasse",
	"ganz toll",
	"ganz großes kino",
	"großes kino",
	"gut gemacht",
	"toll gemacht",
	"respekt dafür",
)
# Generic praise that is mostly sarcastic when it stands next to a concrete complaint.
_GENERIC_PRAISE = frozenset(
	"super toll tolle toller tolles klasse danke mega großartig grossartig glückwunsch prima "
	"wunderbar perfekt spitze bravo wow".split()
)
_NEGATION_FACTOR = -0.75
_EMPHASIS_CAPS = 1.3
_EXCLAMATION_BOOST = 0.2
_VALENCE_CAP = 4.0


@dataclass(frozen=True, slots=True)
class _Lexicon:
	words: dict[str, float]
	prefixes: dict[str, float]
	suffixes: dict[str, float]
	infixes: dict[str, float]
	phrases: dict[str, dict[tuple[str, ...], float]]  # first word -> rest -> valence


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
	text = (
		resources.files("social_crm.engine.sentiment.data")
		.joinpath("sentiment_de.tsv")
		.read_text(encoding="utf-8")
	)
	words: dict[str, float] = {}
	prefixes: dict[str, float] = {}
	suffixes: dict[str, float] = {}
	infixes: dict[str, float] = {}
	phrases: dict[str, dict[tuple[str, ...], float]] = {}
	for line in text.splitlines():
		if not line.strip() or line.startswith("#"):
			continue
		pattern, valence_text = line.rsplit("\t", 1)
		valence = float(valence_text)
		if " " in pattern:
			first, *rest = pattern.split()
			phrases.setdefault(first, {})[tuple(rest)] = valence
		elif pattern.startswith("*") and pattern.endswith("*"):
			infixes[pattern.strip("*")] = valence
		elif pattern.startswith("*"):
			suffixes[pattern[1:]] = valence
		elif pattern.endswith("*"):
			prefixes[pattern[:-1]] = valence
		else:
			words[pattern] = valence
	return _Lexicon(words, prefixes, suffixes, infixes, phrases)


@lru_cache(maxsize=65536)
def word_valence(word: str) -> float:
	"""Valence of one lower-case word: exact entry, else the longest matching stem, compound
	head or inner part; a hyphenated compound takes its strongest part."""
	lex = _lexicon()
	if word in lex.words:
		return lex.words[word]
	if "-" in word:
		parts = [word_valence(part) for part in word.split("-") if part]
		return max(parts, key=abs, default=0.0)
	best_len, best = 0, 0.0
	# a compound head needs a modifier of at least four letters in front of it: "Zeitraum" is
	# no "*traum" and "Ankündigung" no "*kündigung", while "Versicherungsbetrug" is "*betrug"
	for table, min_rest in ((lex.prefixes, 0), (lex.suffixes, 4), (lex.infixes, 2)):
		for length in range(min(len(word), 24), 3, -1):
			if length <= best_len:
				break
			if table is lex.prefixes:
				candidate = word[:length]
				found = candidate in table
			elif table is lex.suffixes:
				candidate = word[-length:]
				# a compound head needs something in front of it ("*betrug" must not match "betrug"
				# twice, and short heads need a real modifier)
				found = candidate in table and len(word) - length >= min_rest
			else:
				found = False
				for start in range(1, len(word) - length):
					candidate = word[start : start + length]
					if candidate in table:
						found = True
						break
			if found:
				best_len, best = length, table[candidate]
				break
	return best


@dataclass(slots=True)
class _Unit:
	"""One scored position in a post: a word, a phrase or an emoji."""

	words: tuple[str, ...]
	valence: float
	caps: bool = False
	is_emoji: bool = False


def _units(text: str) -> tuple[list[list[_Unit]], int, str]:
	"""Clauses of units, the number of "!" and the lower-cased text of the post."""
	clauses: list[list[_Unit]] = [[]]
	exclamations = 0
	all_caps_post = text.upper() == text
	for token in tokenize(text):
		if token.kind is Kind.WORD:
			caps = not all_caps_post and len(token.text) >= 3 and token.text.isupper()
			clauses[-1].append(_Unit((token.lower,), 0.0, caps=caps))
		elif token.kind is Kind.HASHTAG:
			clauses[-1].append(_Unit((token.lower,), 0.0))
			for word in hashtag_words(token.text):
				clauses[-1].append(_Unit((word,), 0.0))
		elif token.kind in (Kind.EMOJI, Kind.EMOTICON):
			clauses[-1].append(_Unit((token.text,), emoji_valence(token.text), is_emoji=True))
		elif token.kind is Kind.PUNCT:
			exclamations += token.text.count("!")
			if token.text[0] in _CLAUSE_END or token.text.startswith(".."):
				clauses.append([])
	return [clause for clause in clauses if clause], exclamations, text.lower()


def _score_clause(units: list[_Unit]) -> list[float]:
	lex = _lexicon()
	words = [unit.words[0] for unit in units]
	valences: list[float] = []
	index = 0
	spans: list[tuple[int, int, float]] = []  # start, end (exclusive), valence
	while index < len(units):
		unit = units[index]
		if unit.is_emoji:
			spans.append((index, index + 1, unit.valence))
			index += 1
			continue
		matched = False
		for rest, valence in sorted(
			lex.phrases.get(words[index], {}).items(), key=lambda item: -len(item[0])
		):
			end = index + 1 + len(rest)
			if tuple(words[index + 1 : end]) == rest:
				spans.append((index, end, valence))
				index = end
				matched = True
				break
		if not matched:
			valence = word_valence(words[index])
			if unit.caps:
				valence *= _EMPHASIS_CAPS
			spans.append((index, index + 1, valence))
			index += 1
	negated_phrase_words = set()
	for start, end, _valence in spans:
		if any(word in NEGATORS for word in words[start:end]):
			negated_phrase_words.update(range(start, end))
	for position, (start, end, valence) in enumerate(spans):
		if valence == 0.0:
			valences.append(0.0)
			continue
		word = words[start]
		next_has_valence = (
			position + 1 < len(spans) and spans[position + 1][2] != 0.0 and not units[start].is_emoji
		)
		if word in _INTENSIFIERS and end - start == 1 and next_has_valence:
			valences.append(0.0)  # "mega schlecht": mega only strengthens what follows
			continue
		if not units[start].is_emoji and start not in negated_phrase_words:
			before = words[max(0, start - 3) : start]
			after = words[end : end + 2]
			if any(w in NEGATORS for w in before) or any(w in NEGATORS for w in after):
				valence *= _NEGATION_FACTOR
			for w in words[max(0, start - 2) : start]:
				valence *= _INTENSIFIERS.get(w, 1.0)
		valences.append(max(-_VALENCE_CAP, min(_VALENCE_CAP, valence)))
	# "aber"/"doch": what follows the contrast decides more than what came before
	for position, (start, _end, _valence) in enumerate(spans):
		if words[start] in _CONTRAST and words[start] != "leider":
			for earlier in range(position):
				valences[earlier] *= 0.5
			for later in range(position + 1, len(spans)):
				valences[later] *= 1.5
			break
	return valences


def german_score(text: str) -> LexiconScore:
	clauses, exclamations, lowered = _units(text)
	positive = negative = 0.0
	praise = 0.0
	neutral_words = 0
	for clause in clauses:
		for unit, valence in zip(clause, _score_clause(clause), strict=False):
			if valence > 0:
				positive += valence
				if unit.words[0] in _GENERIC_PRAISE or unit.words[0] == "👏":
					praise += valence
			elif valence < 0:
				negative += valence
			else:
				neutral_words += 1
	sarcastic = any(mark in lowered for mark in SARCASM_MARKS) or any(p in lowered for p in SARCASM_PHRASES)
	if sarcastic and positive > 0:
		negative -= 0.5 * positive + 0.5
		positive *= 0.2
	elif negative <= -1.5 and praise > 0:
		positive -= 0.7 * praise
	total = positive + negative
	if total and exclamations:
		total += math.copysign(_EXCLAMATION_BOOST * min(exclamations, 3), total)
	compound = total / math.sqrt(total * total + 15.0) if total else 0.0
	mass = positive - negative + neutral_words
	return LexiconScore(
		compound=round(compound, 4),
		negative=round(-negative / mass, 4) if mass else 0.0,
		positive=round(positive / mass, 4) if mass else 0.0,
	)
