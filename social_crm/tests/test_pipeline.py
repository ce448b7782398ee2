"""The composed pipeline: what a fetched post becomes, with the real analysis steps."""

from datetime import datetime, timedelta, timezone

from social_crm.engine.keywords import KeywordSpec
from social_crm.engine.mention import Author, Mention
from social_crm.engine.pipeline import Pipeline
from social_crm.engine.triage import Action, OpenTicket, Priority, TicketMode, TriageSettings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
KEYWORDS = [
	KeywordSpec("Acme", "acme OR #acmecloud"),
	KeywordSpec("Acme Kündigung", "acme AND (kündig* OR cancel*)", platforms={"Mastodon"}, ticket_threshold=0.0),
	KeywordSpec("Jobs", "acme AND (job OR stelle)", languages={"de"}),
]


def post(text, *, platform="Mastodon", external_id="1", handle="lena@social.example", language=None, **values):
	return Mention(
		platform=platform,
		external_id=external_id,
		url=f"https://social.example/@lena/{external_id}",
		author=Author(handle=handle, name="Lena"),
		text=text,
		posted_at=NOW - timedelta(minutes=5),
		language=language,
		**values,
	)


def test_search_terms_cover_the_keywords_that_apply_to_the_platform():
	pipeline = Pipeline(KEYWORDS)
	assert pipeline.search_terms("Mastodon") == ["acme", "#acmecloud"]
	assert pipeline.search_terms("Bluesky") == ["acme", "#acmecloud"]


def test_german_complaint_is_negative_matches_its_keywords_and_opens_a_ticket():
	pipeline = Pipeline(KEYWORDS)
	mention = post("Seit drei Wochen kein Internet bei Acme. Ich kündige, das ist eine Frechheit!")
	analysis = pipeline.analyse(mention)
	assert analysis.sentiment.language == "de"
	assert analysis.sentiment.label == "negative"
	assert analysis.keyword_names == ["Acme", "Acme Kündigung"]
	assert "kuendig*" in analysis.urgency_terms
	decision = pipeline.decide(mention, analysis, now=NOW)
	assert decision.action is Action.CREATE_TICKET
	assert decision.priority is Priority.HIGH


def test_english_praise_is_an_opportunity_not_a_ticket():
	pipeline = Pipeline(KEYWORDS)
	mention = post("Thinking of switching to Acme Cloud, can anyone recommend it? Their support was great.")
	analysis = pipeline.analyse(mention)
	assert analysis.sentiment.language == "en"
	decision = pipeline.decide(mention, analysis, now=NOW)
	assert decision.action is Action.IGNORE
	assert decision.opportunity


def test_a_post_fetched_for_a_cover_term_but_not_matching_any_query_is_dropped():
	pipeline = Pipeline([KeywordSpec("Acme Kündigung", "acme AND kündig*")])
	mention = post("Acme hat heute ein neues Rechenzentrum eröffnet.")
	analysis = pipeline.analyse(mention)
	assert not pipeline.keeps(mention, analysis)
	assert pipeline.keeps(mention, analysis, searched=False)


def test_mentions_of_the_own_handle_are_kept_without_a_keyword():
	pipeline = Pipeline([KeywordSpec("Other", "zzz")])
	mention = post("@acmesupport@social.example warum dauert das so lange?")
	analysis = pipeline.analyse(mention, own_handle="@AcmeSupport@social.example")
	assert analysis.mentions_own_handle
	assert pipeline.keeps(mention, analysis)
	assert not pipeline.analyse(mention, own_handle="someoneelse").mentions_own_handle


def test_language_filter_of_a_keyword_uses_the_detected_language():
	pipeline = Pipeline(KEYWORDS)
	assert "Jobs" in pipeline.analyse(post("Acme sucht eine neue Stelle im Vertrieb, bewerbt euch")).keyword_names
	assert "Jobs" not in pipeline.analyse(post("Acme posted a new job opening for sales people")).keyword_names


def test_a_reply_in_a_ticketed_thread_is_appended_whatever_its_sentiment():
	pipeline = Pipeline(KEYWORDS)
	ticket = OpenTicket(
		name="SOC-TKT-00001",
		platform="Mastodon",
		mention_external_ids={"100"},
		conversation_ids=set(),
		author_handle="someone@else.example",
		opened_at=NOW - timedelta(hours=2),
		last_activity_at=NOW - timedelta(hours=1),
	)
	mention = post("Danke Acme, jetzt geht es wieder!", external_id="101", in_reply_to="100")
	decision = pipeline.decide(mention, pipeline.analyse(mention), now=NOW, open_tickets=[ticket])
	assert decision.action is Action.APPEND_TO_TICKET
	assert decision.ticket == "SOC-TKT-00001"


def test_suggest_only_mode_never_opens_tickets():
	pipeline = Pipeline(KEYWORDS, settings=TriageSettings(mode=TicketMode.SUGGEST_ONLY))
	mention = post("Acme support is a scam, I want my money back. Worst company ever.", language="en")
	decision = pipeline.decide(mention, pipeline.analyse(mention), now=NOW)
	assert decision.action is Action.SUGGEST


def test_our_own_reply_is_not_kept_although_it_names_the_keyword_and_the_handle():
	from social_crm.engine.own_posts import OwnAccount

	pipeline = Pipeline(KEYWORDS)
	own = OwnAccount.of("Mastodon", ["acme"], instance="social.example", sent_ids=["900"])
	answer = post("@lena Acme kümmert sich, sorry!", handle="acme@social.example", external_id="901")
	analysis = pipeline.analyse(answer, "acme")
	assert pipeline.keeps(answer, analysis)  # without knowing the account it looks like a mention
	assert not pipeline.keeps(answer, analysis, own=own)
	assert not pipeline.keeps(answer, analysis, searched=False, own=own)
	sent = post("Acme hier, wir melden uns", handle="support@social.example", external_id="900")
	assert not pipeline.keeps(sent, pipeline.analyse(sent), own=own)
	customer = post("Acme ist kaputt", external_id="902")
	assert pipeline.keeps(customer, pipeline.analyse(customer), own=own)
