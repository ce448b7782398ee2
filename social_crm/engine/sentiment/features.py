"""Hashed sparse features of a post for the linear sentiment models.

What a model sees, read from the post's tokens in one pass (`Analysed.tokens`):

- words, marked when they stand in a negation scope ("not good" -> n|good; German puts the
  negator after the verb, "funktioniert nicht", so it also marks the word before it);
- word bigrams inside a clause;
- character 3-5-grams *within each word*, padded with word boundaries ("<verd", "eckt>"): they
  carry inflected, derived and compound German forms ("verdreckt", "Totalversager") to what
  training saw, without the false hits of substring matching across words;
- lexicon scores as features, not verdicts: VADER's lexicon for English, for German the German
  Polarity Lexicon (Klenner et al. 2010, Apache-2.0) and the app's complaint lexicon, each
  scaled by intensifiers, flipped by negation and weighted after a contrast ("but", "aber");
  German words are looked up through inflection endings, "ver-"/"zer-" derivation and compound
  heads with a real modifier in front ("Totalversager" -> "versager", "verdreckt" -> "dreck",
  but "Zeitraum" is no "traum"); idioms such as "can't believe", "can't wait", "nicht nur" do
  not open a negation scope, and a sarcasm marker turns the post's praise into complaint;
- emoji and emoticons (the emoji itself and its valence), "!" and "?", a question at the end,
  all-caps and elongated words, URLs, a reply (a post starting with a handle), numbers, and
  for German the sarcasm markers of the German rules ("Danke für nichts", "läuft bei euch", 🙄).

Names are hashed into `BUCKETS` slots with CRC-32 (stable across processes and Python versions,
unlike `hash()`), so the shipped weights are a flat table whatever the vocabulary was.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE

from social_crm.engine.sentiment.emoji import emoji_valence
from social_crm.engine.sentiment.lexicon import vader_lexicon
from social_crm.engine.sentiment.lexicon_de import SARCASM_MARKS, SARCASM_PHRASES
from social_crm.engine.sentiment.lexicon_de import word_valence as app_valence_de
from social_crm.engine.social_tokens import Kind, Token, hashtag_words

BITS = 20
BUCKETS = 1 << BITS
_MASK = BUCKETS - 1
CHAR_NGRAMS = (3, 4, 5)
_MIN_CHAR_WORD = 3
LEXICON_SCALE = 3.0
CHAR_VALUE = 0.5  # each character n-gram; a word has a dozen of them
_NEGATION_SCOPE = 4  # words after a negator that it still reaches

NEGATORS = frozenset(
	{w for w in NEGATE if "'" not in w}
	| set(
		"not no never nothing none nobody cannot without nor neither nowhere "
		"nicht kein keine keinen keinem keiner keines nie niemals nichts nix ohne weder kaum nimmer".split()
	)
)
# "don't" and "don’t" (U+2019, as many phones and editors type it; the tokeniser keeps either
# as one word): a word ending so is a negator beside NEGATORS.
NEGATOR_ENDINGS = ("n't", "n’t")
# Words that, right after a negator, make an idiom instead of negating what follows: "I can't
# believe how good this is", "can't wait", "not only ... but", "nicht nur".
NOT_NEGATED_AFTER = frozenset("believe wait only nur".split())
INTENSIFIERS: dict[str, float] = {
	**{word: 1.0 + value for word, value in BOOSTER_DICT.items() if " " not in word},
	**dict.fromkeys(
		"sehr total echt extrem mega absolut völlig voll richtig wirklich so ganz unglaublich "
		"äußerst besonders komplett super ultra maximal höchst zutiefst derbe".split(),
		1.3,
	),
	**dict.fromkeys("ziemlich recht".split(), 1.1),
	**dict.fromkeys("etwas bisschen eher leicht relativ halbwegs".split(), 0.7),
}
CONTRAST = frozenset("but however although though yet aber doch jedoch allerdings trotzdem dennoch".split())
_CLAUSE_PUNCT = frozenset('.,;:!?()"“”„')
_ELONGATED = re.compile(r"(\w)\1\1")
_GERMAN_ENDINGS = ("sten", "ste", "ten", "en", "er", "es", "em", "e", "n", "s", "t")


@lru_cache(maxsize=1)
def german_polarity() -> dict[str, float]:
	"""German Polarity Lexicon (Klenner, Clematide, Wiegand, Peters 2010; textblob-de's XML
	version by Markus Killer, Apache-2.0): lower-case form -> polarity in [-1, 1]."""
	text = resources.files("social_crm.engine.sentiment.data").joinpath("polarity_de.tsv").read_text("utf-8")
	table: dict[str, float] = {}
	for line in text.splitlines():
		if line and not line.startswith("#"):
			word, value = line.split("\t")
			table[word] = float(value)
	return table


# German derivation: "verdreckt" is "dreck" made into a verb; "zer-" likewise. Not "ge-", "be-":
# "gefallen" is no "fallen", "besorgt" no "sorgt".
_GERMAN_PREFIXES = ("ver", "zer")
_MIN_STEM = 4  # letters a stem keeps; a compound head has at least one more
# A compound head needs a modifier in front of it: at least four letters for a head of four or
# five ("Zeitraum" is no "traum": "zei" is too short, and "raum" has no polarity), three for a
# longer head ("Zugausfall" -> "ausfall", "Totalversager" -> "versager").
_LONG_HEAD = 6


def _inflected(table: Callable[[str], float], word: str) -> float:
	"""`table`'s value of the form itself, else of the form without a common inflection ending
	("schlechte" -> "schlecht", "verspätungen" -> "verspätung"); 0.0 if none has one."""
	value = table(word)
	if value:
		return value
	for ending in _GERMAN_ENDINGS:
		if word.endswith(ending) and len(word) - len(ending) >= _MIN_STEM:
			value = table(word[: -len(ending)])
			if value:
				return value
	return 0.0


def _german_lookup(table: Callable[[str], float], word: str) -> float:
	"""A German word's value in `table`: inflected form, else derived from a stem ("verdreckt"),
	else the longest compound head with a real modifier in front of it (see above)."""
	value = _inflected(table, word)
	if value:
		return value
	for prefix in _GERMAN_PREFIXES:
		if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM + 1:
			value = _inflected(table, word[len(prefix) :])
			if value:
				return value
	for start in range(3, len(word) - _MIN_STEM):
		head = word[start:]
		if len(head) < _LONG_HEAD and start < 4:
			continue
		value = _inflected(table, head)
		if value:
			return value
	return 0.0


def _polarity_table(word: str) -> float:
	return german_polarity().get(word, 0.0)


@lru_cache(maxsize=16384)  # behind _word's cache: only words new to it reach here
def _polarity_de(word: str) -> float:
	"""Polarity of a German word in the German Polarity Lexicon, inflected, derived and in compounds."""
	return _german_lookup(_polarity_table, word)


@lru_cache(maxsize=16384)  # behind _word's cache: only words new to it reach here
def _app_de(word: str) -> float:
	"""Valence in the app's complaint lexicon (which matches stems and "*head" patterns itself),
	also through inflection endings, derivation and compound heads of its exact entries."""
	# uncached: the head substrings tried here would fill word_valence's own cache with junk
	return _german_lookup(app_valence_de.__wrapped__, word)


_bucket_cache: dict[str, int] = {}


def bucket(name: str) -> int:
	"""The slot of a feature name (CRC-32 of its UTF-8 bytes, masked to BITS)."""
	slot = _bucket_cache.get(name)
	if slot is None:
		if len(_bucket_cache) > 300_000:  # a cache, safe to drop
			_bucket_cache.clear()
		slot = _bucket_cache[name] = zlib.crc32(name.encode("utf-8")) & _MASK
	return slot


@lru_cache(maxsize=50_000)  # ~1.5 kB a word: bounded, so memory stays flat on any stream
def _word(raw: str, language: str) -> _Word:
	"""What a word contributes, computed once per distinct word: its slots as a plain word and
	as a negated word (each with its character n-grams), its two lexicon valences, its
	intensifier factor (None if it is none), whether it negates, and its form with letters
	repeated three times or more shortened to two ("sooo" -> "soo")."""
	elongated = _ELONGATED.search(raw) is not None
	word = _ELONGATED.sub(r"\1\1", raw) if elongated else raw
	padded = "<" + word + ">"
	grams = []
	if len(word) >= _MIN_CHAR_WORD:
		for n in CHAR_NGRAMS:
			for i in range(len(padded) - n + 1):
				grams.append(bucket("c|" + padded[i : i + n]))
	plain = dict.fromkeys(grams, CHAR_VALUE)
	plain[bucket("w|" + word)] = 1.0
	negated = dict.fromkeys(grams, CHAR_VALUE)
	negated[bucket("n|" + word)] = 1.0
	if language == "de":
		first, second = _polarity_de(word) * 2.5, _app_de(word)
	else:
		first, second = vader_lexicon().get(word, 0.0), 0.0
	negator = word in NEGATORS or word.endswith(NEGATOR_ENDINGS)
	# a word pair's slot is crc32("b|" + first + "_" + second): CRC-32 continues from the
	# checksum of the part before, so each word keeps its bytes and the checksum of "b|word_"
	utf8 = word.encode("utf-8")
	pair_start = zlib.crc32(b"_", zlib.crc32(utf8, _PAIR))
	return plain, negated, first, second, INTENSIFIERS.get(word), negator, word, elongated, utf8, pair_start


_PAIR = zlib.crc32(b"b|")
_SENTENCE_START = zlib.crc32(b"b|<s>_")
_Word = tuple[dict[int, float], dict[int, float], float, float, "float | None", bool, str, bool, bytes, int]


class Features(NamedTuple):
	"""A post's features in three parts: `words` and `negated`, the slots of each distinct word
	of the post as a plain and as a negated word, with its character n-grams (what `_word`
	cached for it); and `units`, everything else (word pairs, hashtags, emoji, the post-level
	features). A model caches each word's part of its dot products (`HashedModel.logits_of`),
	so a post costs a look-up per word instead of one per character n-gram (~13 a word). The
	features are the sum of the parts (`flat`): a word that recurs counts once, an n-gram that
	two different words share counts for both."""

	units: dict[int, float]
	words: dict[str, dict[int, float]]
	negated: dict[str, dict[int, float]]

	def flat(self) -> dict[int, float]:
		"""slot -> value, the parts added up: what training and the site model read."""
		out: dict[int, float] = {}
		get = out.get
		for part in (*self.words.values(), *self.negated.values(), self.units):
			for slot, value in part.items():
				out[slot] = get(slot, 0.0) + value
		return out


def hashed(tokens: list[Token], language: str) -> dict[int, float]:
	"""The post's features as hash slot -> value (`Features.flat`)."""
	return features(tokens, language).flat()


def features(tokens: list[Token], language: str) -> Features:
	"""The post's features, read from its tokens in one pass (within `units` a feature seen
	twice is still 1, and the rare collision of two different ones keeps the later value)."""
	german = language == "de"
	out: dict[int, float] = {_BIAS: 1.0}
	plain_words: dict[str, dict[int, float]] = {}
	negated_words: dict[str, dict[int, float]] = {}
	named: dict[str, float] = {}
	# lexicon sums: index 0 = VADER (en) or polarity lexicon (de), 1 = app lexicon (de)
	pos0 = pos1 = neg0 = neg1 = 0.0
	hits = 0
	emoji_pos = emoji_neg = 0.0
	negated_left = 0
	previous = _SENTENCE_START  # checksum of "b|<previous word>_"
	boost = 1.0
	contrast = 1.0
	last: tuple[float, float] | None = None  # the previous word's lexicon values, for "X nicht"
	last_word = ""
	words = 0
	sarcasm = False
	lowered: list[str] = []
	caps = 0
	question_end = False
	exclamations = 0
	for position, token in enumerate(tokens):
		kind = token.kind
		if kind is Kind.WORD or kind is Kind.HASHTAG:
			question_end = False
			text = token.text
			if kind is Kind.HASHTAG:
				out[bucket("h|" + text[1:].lower())] = 1.0
				parts = hashtag_words(text)
				upper = False
			else:
				upper = len(text) >= 3 and text.isupper()
				if upper:
					caps += 1
				parts = [text.lower()]
			if german and (kind is Kind.HASHTAG and text.lower() in SARCASM_MARKS):
				sarcasm = True
			for word in parts:
				words += 1
				if german:
					lowered.append(word)
				plain, negated_slots, v0, v1, factor, is_negator, word, elongated, utf8, pair_start = _word(
					word, language
				)
				if elongated:
					named["elongated"] = 1.0
				if negated_left == _NEGATION_SCOPE and word in NOT_NEGATED_AFTER:
					negated_left = 0  # "can't believe how good", "not only", "nicht nur"
				negated = negated_left > 0
				if negated:
					negated_words[word] = negated_slots
				else:
					plain_words[word] = plain
				# word pairs are hashed, not cached: there are many and few recur, and a cache of
				# them held ~30 MB on 10,000 posts (the slot is the same either way)
				out[zlib.crc32(utf8, previous) & _MASK] = 1.0
				previous = pair_start
				if is_negator:
					negated_left = _NEGATION_SCOPE
					named["negator"] = 1.0
					if german and last is not None:
						# "funktioniert nicht", "gefällt mir nicht": the negator follows
						a, b = last
						if a > 0:
							pos0 -= a
							neg0 += 0.75 * a
						elif a < 0:
							neg0 += a
							pos0 -= 0.75 * a
						if b > 0:
							pos1 -= b
							neg1 += 0.75 * b
						elif b < 0:
							neg1 += b
							pos1 -= 0.75 * b
						out[bucket("n|" + last_word)] = 1.0
						last = None
					continue
				if negated_left:
					negated_left -= 1
				if factor is not None:
					boost = factor
					continue
				if v0 or v1:
					hits += 1
					scale = boost * contrast * (1.2 if upper else 1.0)
					if negated:
						scale *= -0.75
					a, b = v0 * scale, v1 * scale
					if a > 0:
						pos0 += a
					elif a < 0:
						neg0 -= a
					if b > 0:
						pos1 += b
					elif b < 0:
						neg1 -= b
					last = (a, b)
				else:
					last = (0.0, 0.0)
				last_word = word
				boost = 1.0
				if word in CONTRAST:
					pos0 *= 0.5
					pos1 *= 0.5
					neg0 *= 0.5
					neg1 *= 0.5
					contrast = 1.5
		elif kind is Kind.EMOJI or kind is Kind.EMOTICON:
			out[bucket("e|" + token.text)] = 1.0
			if german and token.text in SARCASM_MARKS:
				sarcasm = True
			valence = emoji_valence(token.text)
			if valence > 0:
				emoji_pos += valence
			elif valence < 0:
				emoji_neg -= valence
		elif kind is Kind.PUNCT:
			mark = token.text[0]
			if mark == "!":
				exclamations += len(token.text)
			elif mark == "?":
				named["p|?"] = 1.0
				question_end = True
			if mark in _CLAUSE_PUNCT or token.text.startswith(".."):
				negated_left = 0
				previous = _SENTENCE_START
				last = None
				boost = 1.0
		elif kind is Kind.URL:
			named["url"] = 1.0
		elif kind is Kind.MENTION:
			named["reply" if position == 0 else "handle"] = 1.0
		elif kind is Kind.NUMBER:
			named["number"] = 1.0
	if exclamations:
		named["p|!"] = min(exclamations, 3) / 3.0
	if question_end:
		named["question_end"] = 1.0
	if caps:
		named["caps"] = min(caps, 3) / 3.0
	if not words:
		named["no_words"] = 1.0
	if german:
		# "Danke für nichts", "läuft bei euch", 🙄: praise words in a complaint
		joined = " ".join(lowered)
		if sarcasm or any(phrase in joined for phrase in SARCASM_PHRASES):
			named["sarcasm"] = LEXICON_SCALE
			# the praise is the complaint ("Danke für nichts 🙄"): its lexicon weight counts as negative
			neg0, neg1, pos0, pos1 = neg0 + pos0, neg1 + pos1, 0.0, 0.0
		_lexicon_features(named, "lex", pos0, neg0)
		_lexicon_features(named, "app", pos1, neg1)
	else:
		_lexicon_features(named, "vader", pos0, neg0)
	named["lex:hits"] = min(hits, 4) / 4.0
	if not hits:
		named["lex:none"] = 1.0
	if emoji_pos or emoji_neg:
		named["emoji:pos"] = LEXICON_SCALE * emoji_pos / (emoji_pos + 4.0)
		named["emoji:neg"] = LEXICON_SCALE * emoji_neg / (emoji_neg + 4.0)
	for name, value in named.items():
		out[bucket(name)] = value
	return Features(out, plain_words, negated_words)


def _lexicon_features(named: dict[str, float], prefix: str, positive: float, negative: float) -> None:
	# scaled up: under L2 a large-valued feature is cheap to use, so the lexicon scores (which
	# carry over between corpora) are not drowned by thousands of corpus-specific n-grams
	total = positive - negative
	named[prefix + ":pos"] = LEXICON_SCALE * positive / (positive + 4.0)
	named[prefix + ":neg"] = LEXICON_SCALE * negative / (negative + 4.0)
	named[prefix + ":compound"] = LEXICON_SCALE * total / math.sqrt(total * total + 15.0)


_BIAS = bucket("bias")
# The post-level features `features` writes by name into `units` (lexicon scores, emoji valences,
# punctuation, caps, URLs, ...) and the bias, as opposed to the n-gram-like features of the post's words,
# hashtags and emoji ("w|", "n|", "b|", "c|", "h|", "e|"): the training penalises these two
# kinds differently (bench/train_sentiment.py, `NB_FLOOR`).
NAMED_FEATURES: tuple[str, ...] = (
	"bias",
	*(prefix + part for prefix in ("vader:", "lex:", "app:") for part in ("pos", "neg", "compound")),
	"lex:hits",
	"lex:none",
	"emoji:pos",
	"emoji:neg",
	"negator",
	"elongated",
	"p|?",
	"p|!",
	"question_end",
	"caps",
	"no_words",
	"sarcasm",
	"url",
	"reply",
	"handle",
	"number",
)
