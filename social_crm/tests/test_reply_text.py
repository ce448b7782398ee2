"""Reply lengths as the platforms count them, and saved-reply placeholders."""

from social_crm.engine.reply_text import fill, reply_length, reply_limit, too_long


def test_limits_per_platform():
	assert reply_limit("X").limit == 280
	assert reply_limit("Bluesky").limit == 300
	assert reply_limit("Mastodon").limit == 500
	assert reply_limit("Hacker News") is None
	assert reply_limit("nonsense") is None


def test_urls_count_as_23_on_x_and_mastodon():
	text = "Status: https://status.example.com/incidents/very/long/path/to/the/incident/page " + "a" * 10
	assert reply_length("X", text) == len("Status: ") + 23 + 1 + 10
	assert reply_length("Mastodon", text) == reply_length("X", text)
	assert reply_length("Reddit", text) == len(text)


def test_bluesky_counts_graphemes_not_code_points():
	family = "👨\u200d👩\u200d👧"  # one grapheme, five code points
	assert len(family) == 5
	assert reply_length("Bluesky", family * 300) == 300
	assert not too_long("Bluesky", family * 300)
	assert too_long("Bluesky", family * 301)
	assert reply_length("Bluesky", "Grüße") == 5


def test_too_long_on_x():
	assert not too_long("X", "a" * 280)
	assert too_long("X", "a" * 281)
	assert not too_long("Hacker News", "a" * 100_000)


def test_fill_replaces_known_placeholders_only():
	text = fill(
		"Hallo {author_name}, {agent_name} hier. {0.__class__} {unknown} {customer}!",
		{"author_name": "Lena", "agent_name": "Max", "customer": None},
	)
	assert text == "Hallo Lena, Max hier. {0.__class__} {unknown} !"


def test_fill_does_not_reinterpret_values():
	assert fill("Hi {author_name}", {"author_name": "{agent_name}"}) == "Hi {agent_name}"
