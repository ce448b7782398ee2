"""Write social_crm/engine/sentiment/data/polarity_de.tsv from textblob-de's German Polarity Lexicon.

The lexicon (Klenner, Clematide, Wiegand, Peters 2010; XML version by Markus Killer) is
Apache-2.0 and ships inside the textblob-de wheel (textblob_de/data/de-sentiment.xml). It is
used as data only: lower-cased forms with a non-zero polarity, one per line. Forms that differ
only by case keep the value of the first one in the file.

Run: pip download --no-deps textblob-de==0.4.3 -d /tmp/tbde && python bench/import_german_polarity.py /tmp/tbde/textblob_de-0.4.3-py2.py3-none-any.whl
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "social_crm/engine/sentiment/data/polarity_de.tsv"
HEADER = """# German Polarity Lexicon: Klenner, Clematide, Wiegand, Peters (2010), version 1.1,
# XML version by Markus Killer as shipped in textblob-de 0.4.3 (textblob_de/data/de-sentiment.xml).
# Licensed under the Apache License, Version 2.0 (see README.md in this folder).
# Changes: lower-cased, zero polarities dropped, converted to form <TAB> polarity.
"""


def main() -> None:
	with zipfile.ZipFile(sys.argv[1]) as wheel:
		root = ET.fromstring(wheel.read("textblob_de/data/de-sentiment.xml"))
	table: dict[str, float] = {}
	for word in root.iter("word"):
		form = (word.get("form") or "").strip().lower()
		polarity = float(word.get("polarity") or 0)
		if form and " " not in form and polarity and form not in table:
			table[form] = polarity
	lines = [f"{form}\t{table[form]:g}" for form in sorted(table)]
	OUT.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
	print(f"{len(lines)} forms -> {OUT}")


if __name__ == "__main__":
	main()
