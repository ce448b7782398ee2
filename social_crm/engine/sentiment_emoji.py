"""What emoji and emoticons say about mood, independent of the language around them.

Used by the German rules and as features of the trained models. English posts also get
VADER's own emoji handling. Valences are on VADER's -4..+4 scale; skin-tone modifiers and
variation selectors are ignored. Sarcasm markers (🙄, 🙃) are negative on their own: in
brand posts they nearly always mark a complaint.
"""

from __future__ import annotations

_EMOJI: dict[str, float] = {
	# anger, disgust, disappointment
	"😡": -3.2, "🤬": -3.4, "😠": -2.8, "👿": -2.6, "😤": -2.2, "🤮": -3.0, "🤢": -2.6, "💩": -2.4,
	"👎": -2.6, "😞": -2.2, "😔": -2.0, "😟": -1.8, "😕": -1.4, "🙁": -1.8, "☹": -2.0, "😣": -2.0,
	"😖": -2.2, "😫": -2.2, "😩": -2.2, "😢": -2.2, "😭": -2.2, "😿": -2.0, "💔": -2.4, "😒": -2.0,
	"🙄": -1.8, "🙃": -0.8, "😑": -1.2, "😐": -0.6, "🤦": -2.0, "🤷": -0.6, "😬": -1.0, "😱": -1.6,
	"😨": -1.6, "😰": -1.8, "😓": -1.4, "😪": -1.0, "🥱": -1.2, "🤡": -2.0, "🖕": -3.0, "⚠": -0.8,
	"❌": -1.6, "🛑": -1.0, "🐌": -1.2, "💸": -1.0, "🔥": 1.2, "🥶": -1.0, "😵": -1.6, "🤯": -1.0,
	"😾": -2.2, "🥴": -1.2, "🙈": -0.4, "⛔": -1.4,
	# joy, approval, love
	"😀": 2.2, "😃": 2.4, "😄": 2.4, "😁": 2.4, "😆": 2.2, "😅": 1.0, "😂": 1.2, "🤣": 1.4, "😊": 2.4,
	"🙂": 1.4, "😉": 1.4, "😍": 3.0, "🥰": 3.0, "😘": 2.4, "😋": 2.4, "😎": 2.0, "🤩": 3.0, "🥳": 2.8,
	"👍": 2.2, "👌": 2.0, "👏": 2.0, "🙌": 2.4, "💪": 1.8, "🙏": 1.4, "❤": 3.0, "♥": 2.8, "💕": 2.8,
	"💖": 2.8, "💗": 2.8, "💙": 2.6, "💚": 2.6, "💛": 2.6, "🧡": 2.6, "💜": 2.6, "😇": 2.2, "🤗": 2.4,
	"✨": 1.4, "🎉": 2.4, "🎊": 2.2, "⭐": 1.6, "🌟": 2.0, "🏆": 2.2, "🥇": 2.2, "✅": 1.4, "💯": 2.2,
	"🚀": 1.6, "☺": 2.2, "😌": 1.4, "🤤": 1.6, "🫶": 2.8, "👑": 1.8, "☀": 1.0, "🍀": 1.2,
}
_EMOTICONS: dict[str, float] = {
	":)": 2.0, ":-)": 2.0, "(:": 2.0, ":]": 2.0, "=)": 2.0, ":d": 2.4, ":-d": 2.4, "xd": 2.0, ";)": 1.4,
	";-)": 1.4, ":p": 1.2, ":-p": 1.2, "<3": 2.8, "^^": 1.6, "^_^": 1.8,
	":(": -2.2, ":-(": -2.2, "):": -2.2, ":[": -2.0, "=(": -2.2, ":'(": -2.4, ":/": -1.4, ":-/": -1.4,
	":\\": -1.4, ":|": -0.6, ":-|": -0.6, "</3": -2.4, "-_-": -1.2, "t_t": -2.0, ";_;": -2.0, ">:(": -3.0,
	":@": -2.8,
}
_MODIFIERS = ("\ufe0f", "\u200d", "\U0001f3fb", "\U0001f3fc", "\U0001f3fd", "\U0001f3fe", "\U0001f3ff")


def emoji_valence(symbol: str) -> float:
	"""Valence of one emoji (sequence) or emoticon; 0.0 when it says nothing about mood."""
	lowered = symbol.lower()
	if lowered in _EMOTICONS:
		return _EMOTICONS[lowered]
	base = symbol
	for modifier in _MODIFIERS:
		base = base.replace(modifier, "")
	if base in _EMOJI:
		return _EMOJI[base]
	return _EMOJI.get(base[:1], 0.0)
