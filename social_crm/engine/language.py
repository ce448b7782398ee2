"""Which language a short social post is written in.

Brand posts are short (often under ten words) and full of handles, hashtags, URLs and emoji,
which general-purpose detectors trained on longer prose handle poorly and slowly. The app
mostly sees English and German, so this detector scores a post against small lists of the
commonest function words of a few European languages plus spelling cues (umlauts, ß, "sch",
"-ung"/"-ing" endings). It is measured against langdetect, py3langid, lingua and fastText in
`bench/language_bench.py`; the figures are in the module's pull request report.

Answers are ISO 639-1 codes; "und" (undetermined) when the post carries no evidence at all
(URL-only, emoji-only, a bare handle).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from social_crm.engine.analysed import Analysed

UNDETERMINED = "und"

# The most frequent function words per language (plus a few very common social-media words).
# Words shared by several languages (e.g. "in", "a") count for each of them.
_STOPWORDS: dict[str, frozenset[str]] = {
	"en": frozenset(
		"the a an and or but is are was were be been being am i you he she it we they me my your our "
		"their his her its this that these those to of in on at for with from by about as not no "
		"do does did don't doesn't didn't can can't could would should will won't just so what "
		"when where why how who all any some there here have has had i'm it's you're that's "
		"im dont cant wont thats ive lol omg thanks thank please get got really very too "
		"one out up if than then more after over new good great love like today now".split()
	),
	"de": frozenset(
		"der die das den dem des ein eine einen einem einer eines und oder aber ist sind war waren "
		"bin bist sein seid wird werden wurde ich du er sie es wir ihr mich mir dich dir uns euch "
		"mein meine dein deine unser euer nicht kein keine keinen nichts nie zu von mit für auf "
		"aus bei nach vor über unter um an im am zum zur vom beim ins auch noch schon nur sehr so "
		"wie was wer wo warum wann weil dass daß wenn als ob mal doch ja nein jetzt heute immer "
		"wieder hat habe haben hatte hab man kann können gibt geht gut danke bitte endlich echt "
		"seit bis denn dann hier da etwas alles viel mehr gar einfach ganz".split()
	),
	"fr": frozenset(
		"le la les un une des et ou mais est sont était je tu il elle nous vous ils elles ne pas "
		"de du au aux pour avec sur dans par ce cette ces qui que quoi mon ma mes ton ta son sa "
		"très merci oui non c'est j'ai plus tout bien".split()
	),
	"es": frozenset(
		"el la los las un una unos y o pero es son era yo tú él ella nosotros ellos no de del al "
		"para con en por que qué como muy gracias sí mi mis su sus este esta está estoy todo pero "
		"más bien hoy".split()
	),
	"it": frozenset(
		"il lo la i gli le un una e o ma è sono era io tu lui lei noi voi loro non di del della "
		"per con su in da che come molto grazie sì mio mia suo sua questo questa sempre più bene".split()
	),
	"nl": frozenset(
		"de het een en of maar is zijn was ik jij je hij zij wij jullie niet geen van voor met op "
		"in aan bij uit naar dat die wat hoe wie waarom heel dank bedankt ja nee mijn ons dit ook "
		"nog al wel er".split()
	),
	"pt": frozenset(
		"o a os as um uma e ou mas é são era eu tu ele ela nós eles não de do da dos das para com "
		"em por que como muito obrigado obrigada sim meu minha seu sua este esta isso mais".split()
	),
}

# Frequent content words of social posts (mood, slang, service talk) that carry no function
# word: "bad mood.", "Mieser Kundendienst". They count half as much as a function word.
_CONTENT_WORDS: dict[str, frozenset[str]] = {
	"en": frozenset(
		"wow yay yeah damn bad sad happy fun sucks suck hate hates hating stupid awesome amazing "
		"lmao lmfao wtf omfg haha hahaha ugh mood nice cool best worst fail epic fucking shit "
		"crap bitch hell tired sick busy day night week morning weekend tonight tomorrow time "
		"people friends work home game phone service customer delivery order refund account "
		"never always still again ever every everything nothing thanks thx pls plz yes ok okay "
		"finally late early hours help support broken terrible horrible awful excellent perfect "
		"disappointed disappointing annoying waiting waste money rain".split()
	),
	"de": frozenset(
		"mies mieser miese geil hammer super toll klasse spitze scheiße scheisse mist kacke "
		"blöd doof nervig ärgerlich enttäuscht enttäuschend frechheit sauerei abzocke betrug "
		"kundendienst kundenservice mitarbeiter lieferung bestellung rechnung vertrag paket "
		"stunden tage woche wochen monat jahr morgen gestern abend zug bahn essen konzert "
		"perfekt organisiert pfui haar leider schade wieso weshalb nix nee jo moin servus tschüss "
		"lg vg mfg grüße".split()
	),
}
_CONTENT_WEIGHT = 0.5

# Spelling cues: (pattern, language, weight per occurrence). They decide posts without
# function words ("Kundenservice-Katastrophe!", "Totally disappointing").
_CUES: tuple[tuple[re.Pattern[str], str, float], ...] = (
	(re.compile(r"[äöüß]"), "de", 1.0),
	(
		re.compile(r"sch|tz\b|\w{3}ung(?:en)?\b|\w{3}(?:keit|heit|lich|isch)\b|\bge\w{3,}t\b|ei(?=[nst])"),
		"de",
		0.4,
	),
	(re.compile(r"\w{2}ing\b|th|\w{3}(?:tion|ly|ness|ful|ed)\b|\bwh|ou"), "en", 0.4),
	(re.compile(r"[àâçèêëîïôœù]|\w{3}(?:eux|aux|ment)\b"), "fr", 0.6),
	(re.compile(r"[ñ¿¡]|\w{3}(?:ción|mente)\b"), "es", 1.0),
	(re.compile(r"[ãõ]|\w{3}ção\b"), "pt", 1.0),
	(re.compile(r"ij|\w{2}(?:tje|lijk)\b"), "nl", 0.5),
	(re.compile(r"\w{2}(?:zione|mente|ggi)\b|[ìò]"), "it", 0.6),
)
_STOPWORD_WEIGHT = 1.0
_MIN_EVIDENCE = 0.5


def _word_evidence() -> dict[str, tuple[tuple[str, float], ...]]:
	"""word -> what it counts for, (language, weight) per list it is on: one dict look-up per
	word instead of one set look-up per word and list."""
	evidence: dict[str, list[tuple[str, float]]] = {}
	for lists, weight in ((_STOPWORDS, _STOPWORD_WEIGHT), (_CONTENT_WORDS, _CONTENT_WEIGHT)):
		for lang, words in lists.items():
			for word in words:
				evidence.setdefault(word, []).append((lang, weight))
	return {word: tuple(pairs) for word, pairs in evidence.items()}


_EVIDENCE = _word_evidence()


@lru_cache(maxsize=50_000)  # a word's cue hits, once per distinct word: bounded, so memory stays flat
def _cue_hits(word: str) -> tuple[tuple[int, int], ...]:
	"""(cue index, hits) for each spelling cue found in `word`. No cue can match a space, so
	the cues found word by word add up to those found in the whole post joined by spaces, and
	a recurring word is matched once instead of once per post."""
	return tuple(
		(index, hits) for index, (pattern, _, _) in enumerate(_CUES) if (hits := len(pattern.findall(word)))
	)


def language_scores(text: str | Analysed, languages: Iterable[str] | None = None) -> dict[str, float]:
	"""Evidence per language (function-word hits plus weighted spelling cues).

	`languages` limits the work to the languages asked about (the others are not scored at
	all): detection with candidates only needs theirs."""
	words = Analysed.of(text).words
	scores = dict.fromkeys(_STOPWORDS if languages is None else languages, 0.0)
	evidence = _EVIDENCE
	cue_hits = [0] * len(_CUES)
	for word in words:
		found = evidence.get(word)
		if found is not None:
			for lang, weight in found:
				if lang in scores:
					scores[lang] += weight
		for index, hits in _cue_hits(word):
			cue_hits[index] += hits
	# weight x hits per cue, in the cues' order: the same sums as matching the joined post
	for (_, lang, weight), hits in zip(_CUES, cue_hits):
		if hits and lang in scores:
			scores[lang] += weight * hits
	return scores


def detect_language(
	text: str | Analysed, candidates: Iterable[str] | None = None, default: str = UNDETERMINED
) -> str:
	"""The ISO 639-1 code of the best-scoring language, or `default` without evidence.

	`candidates` narrows the choice (a site that only expects "en" and "de" avoids the rare
	misfire on a third language); ties go to the earlier candidate.
	"""
	langs = list(candidates) if candidates is not None else list(_STOPWORDS)
	scores = language_scores(text, [lang for lang in langs if lang in _STOPWORDS])
	best, best_score = default, _MIN_EVIDENCE - 1e-9
	for lang in langs:
		score = scores.get(lang, 0.0)
		if score > best_score:
			best, best_score = lang, score
	return best


def supported_languages() -> tuple[str, ...]:
	return tuple(_STOPWORDS)
