"""How matching cost per mention grows with the number of Monitored Keywords.

    .venv/bin/python bench/keywords_bench.py [--mentions 2000] [--repeat 5]

Keywords are generated from realistic templates (brand names, products, German and English
complaint words, phrases, prefix and suffix wildcards, hashtags, handles, exclusions); each
keyword set is a prefix of the same list, so the 10,000 set contains the 1,000 set. Mentions
are German and English posts; 30 % name one of the first ten brands (popular brands), the
others a brand from the whole universe or none. The time per mention includes folding and
tokenising the text, as in the pipeline. A brute-force column (every query evaluated) shows
what the index saves.
"""

from __future__ import annotations

import argparse
import random
import time

from social_crm.engine.keywords import KeywordIndex, KeywordSpec
from social_crm.engine.text_folding import FoldedText

REAL_BRANDS = [
	"Telekom", "Vodafone", "Sparkasse", "Zalando", "Otto", "Lidl", "Aldi", "Rewe", "Edeka", "DHL",
	"Hermes", "DPD", "Lufthansa", "Allianz", "Check24", "Congstar", "Deutsche Bahn", "Müller",
	"Dönerwerk", "Bäckerei Schmitt", "Stadtwerke Süd", "Acme", "Globex", "Initech", "Umbrella",
]  # fmt: skip
SYLLABLES = ["vel", "bri", "kor", "tan", "mag", "lum", "nor", "sol", "zen", "qua", "dex", "fal", "gra", "hel",
	"jor", "kal", "mor", "nex", "pra", "ryn", "sta", "tor", "vor", "wex", "xan", "zel", "lin", "bau", "ost", "süd"]  # fmt: skip
ENDINGS = ["a", "ex", "on", "ia", "is", "o", "um", "ix", "ar", "en", "tec", "werk", "net"]
PRODUCTS = ["App", "Router", "Tarif", "Karte", "Konto", "Shop", "Lieferung", "Box", "Plus", "Cloud", "Card"]
TEMPLATES = [
	"{b}",
	'"{b} {p}"',
	"{b} AND (kündig* OR storno* OR *vertrag OR cancel*)",
	"#{tag} OR @{tag}",
	'{b} -job -stellenangebot -"jetzt bewerben"',
	'({b} OR "{b} {p}") AND (problem OR störung OR ausfall OR "funktioniert nicht" OR outage OR broken)',
	"{b} NOT (gewinnspiel OR werbung OR anzeige)",
	"{stem}* AND (support OR hotline OR kundenservice OR helpdesk)",
	'"{b} {p}" OR #{tag}{p}',
	"{b} UND (rechnung ODER mahnung ODER inkasso)",
]
FILLER_DE = ("ich habe heute schon wieder eine stunde in der warteschleife gehangen und niemand hilft mir "
	"die lieferung ist seit einer woche unterwegs das paket kam beschädigt an danke für nichts "
	"rechnung doppelt abgebucht kündigung bestätigt aber trotzdem weiter abgebucht").split()  # fmt: skip
FILLER_EN = ("my order is late again and support keeps closing my tickets the app crashes on login "
	"great service today thanks a lot for the quick help with my account cancel subscription").split()  # fmt: skip


def brand_universe(size: int, rng: random.Random) -> list[str]:
	brands = list(REAL_BRANDS)
	seen = {b.lower() for b in brands}
	while len(brands) < size:
		name = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3)))) + rng.choice(ENDINGS)
		if name not in seen:
			seen.add(name)
			brands.append(name.capitalize())
	return brands


def keyword_specs(brands: list[str], rng: random.Random) -> list[KeywordSpec]:
	specs = []
	for i, brand in enumerate(brands):
		tag = brand.replace(" ", "")
		template = TEMPLATES[i % len(TEMPLATES)]
		query = template.format(b=brand, p=rng.choice(PRODUCTS), tag=tag, stem=tag[: max(3, len(tag) - 2)])
		platforms = rng.choice([(), (), (), ("X", "Bluesky"), ("Mastodon",)])
		languages = rng.choice([(), (), ("de",), ("en",)])
		specs.append(KeywordSpec(f"KW-{i:05d} {brand}", query, platforms, languages))
	return specs


def mentions(count: int, brands: list[str], rng: random.Random) -> list[str]:
	texts = []
	for _ in range(count):
		filler = FILLER_DE if rng.random() < 0.6 else FILLER_EN
		words = rng.sample(filler, rng.randint(8, 30))
		roll = rng.random()
		if roll < 0.3:
			brand = rng.choice(brands[:10])
		elif roll < 0.8:
			brand = rng.choice(brands)
		else:
			brand = None
		if brand:
			form = rng.choice(
				[brand, brand.upper(), "#" + brand.replace(" ", ""), "@" + brand.replace(" ", "").lower()]
			)
			words.insert(rng.randint(0, len(words)), form)
			if rng.random() < 0.3:
				words.insert(rng.randint(0, len(words)), rng.choice(PRODUCTS))
		texts.append(" ".join(words).capitalize() + rng.choice([".", "!", "?!", " 😡", ""]))
	return texts


def best_of(repeat: int, run) -> float:
	best = float("inf")
	for _ in range(repeat):
		start = time.perf_counter()
		run()
		best = min(best, time.perf_counter() - start)
	return best


def main() -> None:
	parser = argparse.ArgumentParser()
	parser.add_argument("--mentions", type=int, default=2000)
	parser.add_argument("--repeat", type=int, default=5)
	args = parser.parse_args()
	rng = random.Random(20261101)
	sizes = [10, 100, 1_000, 10_000]
	brands = brand_universe(max(sizes), rng)
	all_specs = keyword_specs(brands, rng)
	texts = mentions(args.mentions, brands, rng)
	platforms = [rng.choice(["X", "Mastodon", "Bluesky", "Reddit"]) for _ in texts]
	languages = [rng.choice(["de", "en", None]) for _ in texts]

	print(f"{args.mentions} mentions, best of {args.repeat}; times per mention include folding the text")
	print(f"{'keywords':>9} {'build ms':>9} {'index µs':>9} {'brute µs':>9} {'cand.':>6} {'hits':>5}")
	per_mention = {}
	for size in sizes:
		specs = all_specs[:size]
		start = time.perf_counter()
		index = KeywordIndex(specs)
		build = time.perf_counter() - start

		def run_index(index: KeywordIndex = index) -> None:
			for text, platform, language in zip(texts, platforms, languages, strict=True):
				index.match(text, platform, language)

		def run_brute(index: KeywordIndex = index) -> None:
			for text, platform, language in zip(texts, platforms, languages, strict=True):
				folded = FoldedText.of(text)
				[
					spec
					for spec, query in zip(index.specs, index.queries, strict=True)
					if spec.applies_to(platform, language) and query.matches_folded(folded)
				]

		seconds = best_of(args.repeat, run_index)
		brute = best_of(1, run_brute) if size <= 1_000 else None
		folded = [FoldedText.of(text) for text in texts]
		candidates = sum(len(index._candidates(f)) for f in folded) / len(texts)
		hits = sum(
			len(index.match(f, p, lang)) for f, p, lang in zip(folded, platforms, languages, strict=True)
		) / len(texts)
		per_mention[size] = seconds / len(texts) * 1e6
		brute_text = f"{brute / len(texts) * 1e6:9.1f}" if brute is not None else f"{'-':>9}"
		print(
			f"{size:>9,} {build * 1e3:9.1f} {per_mention[size]:9.1f} {brute_text} {candidates:6.2f} {hits:5.2f}"
		)
	print(f"ratio 1,000/10 keywords: {per_mention[1_000] / per_mention[10]:.2f}x")
	print(f"ratio 10,000/10 keywords: {per_mention[10_000] / per_mention[10]:.2f}x")


if __name__ == "__main__":
	main()
