"""The spike detector on replayed bursts and quiet periods.

Each test replays a stream of mentions through `Detector` (the same `assess`/`assess_quiet`
the shell calls per mention and from the scheduler) with a history that sets the baseline,
and checks what a Social Media Manager would see: how many incidents, which mentions are in
them, when they close.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from social_crm.engine.incidents import (
	Baseline,
	Detector,
	IncidentAction,
	InvalidSpikeSettings,
	Observation,
	OpenIncident,
	PageHistory,
	SpikeSettings,
	Subject,
	SubjectCount,
	assess,
	assess_quiet,
	news_terms,
	poisson_quantile,
	threshold,
)
from social_crm.engine.mention import Author, Mention, Platform
from social_crm.engine.triage import R_JOINS_INCIDENT, Action, Priority, Signals, triage

ACME = Subject.keyword("Acme Cloud")
HANDLE = Subject.handle(Platform.MASTODON, "@AcmeCloud@mastodon.social")
DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)


def history(per_hour: dict[int, int], days: int = 28, end: datetime = DAY) -> list[datetime]:
	"""`per_hour[h]` negative mentions at hour h on each of the `days` before `end`."""
	moments = []
	for day in range(1, days + 1):
		for hour, count in per_hour.items():
			for i in range(count):
				moments.append(end - timedelta(days=day) + timedelta(hours=hour, minutes=(i * 7) % 60))
	return moments


def burst(start: datetime, count: int, every: timedelta, subjects=(ACME,), prefix="m", negative=True):
	return [
		Observation(at=start + i * every, subjects=tuple(subjects), negative=negative, ref=f"{prefix}{i}")
		for i in range(count)
	]


def replay(
	detector: Detector, observations, tick_every: timedelta | None = None, until: datetime | None = None
):
	decisions = []
	for observation in observations:
		decisions.append(detector.observe(observation))
	if tick_every and until:
		moment = observations[-1].at
		while moment < until:
			moment += tick_every
			detector.tick(moment)
	return decisions


def test_a_quiet_keyword_does_not_alert_on_two_posts():
	detector = Detector()
	detector.seed(ACME, history({10: 0}))
	replay(detector, burst(DAY + timedelta(hours=10), 2, timedelta(minutes=5)))
	assert detector.incidents == []


def test_a_burst_opens_one_incident_holding_the_whole_window():
	detector = Detector()
	detector.seed(ACME, history({9: 1}))  # one complaint per day around nine is normal
	decisions = replay(detector, burst(DAY + timedelta(hours=9), 8, timedelta(minutes=4)))

	assert [d.action for d in decisions] == [IncidentAction.NONE] * 4 + [IncidentAction.OPEN] + [
		IncidentAction.JOIN
	] * 3
	assert len(detector.incidents) == 1
	incident = detector.incidents[0]
	# The four posts before the threshold was reached are grouped under it too.
	assert incident.refs == [f"m{i}" for i in range(8)]
	assert incident.subjects == {ACME}


def test_a_long_burst_is_one_incident_not_an_alert_storm():
	detector = Detector()
	detector.seed(ACME, history({h: 1 for h in range(24)}))
	start = DAY + timedelta(hours=8)
	# three hours of complaints, with a 40-minute lull in the middle shorter than the recovery
	stream = burst(start, 30, timedelta(minutes=3), prefix="a") + burst(
		start + timedelta(minutes=130), 30, timedelta(minutes=2), prefix="b"
	)
	replay(detector, stream, tick_every=timedelta(minutes=5), until=start + timedelta(hours=3))
	assert len(detector.incidents) == 1
	assert detector.incidents[0].closed_at is None
	assert len(detector.incidents[0].refs) == 60


def test_recovery_closes_the_incident_and_the_next_burst_is_a_new_one():
	settings = SpikeSettings(recovery=timedelta(hours=2))
	detector = Detector(settings=settings)
	detector.seed(ACME, history({14: 1}))
	first = burst(DAY + timedelta(hours=14), 10, timedelta(minutes=3))
	replay(detector, first, tick_every=timedelta(minutes=10), until=DAY + timedelta(hours=20))
	incident = detector.incidents[0]
	last_post = first[-1].at
	assert incident.closed_at is not None
	assert (
		last_post + settings.recovery
		<= incident.closed_at
		< last_post + settings.recovery + timedelta(minutes=10)
	)

	# a single negative post after recovery joins nothing
	replay(detector, burst(DAY + timedelta(hours=21), 1, timedelta(minutes=1), prefix="x"))
	assert len(detector.incidents) == 1

	replay(detector, burst(DAY + timedelta(days=1, hours=14), 10, timedelta(minutes=3), prefix="n"))
	assert len(detector.incidents) == 2
	assert detector.incidents[1].refs[0] == "n0"
	assert detector.incidents[1].closed_at is None


def test_the_baseline_is_per_hour_of_day():
	# Twelve complaints an hour is the usual lunchtime level, not at three in the morning.
	seeded = history({12: 12, 3: 0})
	noon, night = Detector(), Detector()
	noon.seed(ACME, seeded)
	night.seed(ACME, seeded)
	replay(noon, burst(DAY + timedelta(hours=12), 14, timedelta(minutes=4)))
	replay(night, burst(DAY + timedelta(hours=3), 14, timedelta(minutes=4)))
	assert noon.incidents == []
	assert len(night.incidents) == 1


def test_positive_and_neutral_posts_do_not_count():
	detector = Detector()
	replay(detector, burst(DAY, 20, timedelta(minutes=1), negative=False))
	assert detector.incidents == []


def test_overlapping_subjects_share_one_incident():
	detector = Detector()
	stream = burst(DAY, 6, timedelta(minutes=2), subjects=(ACME,), prefix="k") + burst(
		DAY + timedelta(minutes=13), 6, timedelta(minutes=2), subjects=(ACME, HANDLE), prefix="h"
	)
	stream += burst(DAY + timedelta(minutes=30), 6, timedelta(minutes=1), subjects=(HANDLE,), prefix="o")
	replay(detector, stream)
	assert len(detector.incidents) == 1
	assert detector.incidents[0].subjects == {ACME, HANDLE}
	assert len(detector.incidents[0].refs) == 18


def test_one_platforms_handle_is_its_own_subject():
	assert Subject.handle("Mastodon", "@Acme") == Subject.handle(Platform.MASTODON, "acme")
	assert Subject.handle("Mastodon", "acme") != Subject.handle("X", "acme")


def test_a_news_post_joins_an_open_incident_but_never_opens_one():
	detector = Detector()
	fixed = Observation(
		at=DAY + timedelta(minutes=1), subjects=(ACME,), negative=False, news=True, ref="status"
	)
	assert detector.observe(fixed).action is IncidentAction.NONE
	replay(detector, burst(DAY + timedelta(minutes=5), 6, timedelta(minutes=1)))
	later = Observation(
		at=DAY + timedelta(minutes=20), subjects=(ACME,), negative=False, news=True, ref="fixed"
	)
	decision = detector.observe(later)
	assert decision.action is IncidentAction.JOIN
	assert detector.incidents[0].refs[-1] == "fixed"
	assert not decision.spiking  # a positive status post does not keep the incident alive


def test_threshold_combines_margin_minimum_and_chance():
	lenient = SpikeSettings(margin=3.0, min_count=5, significance=0.5)
	assert threshold(0.0, lenient) == 5  # the minimum
	assert threshold(2.0, lenient) == 7  # more than 3 x 2
	assert threshold(4.5, lenient) == 14
	strict = SpikeSettings(margin=1.0, min_count=2, significance=0.001)
	# Poisson(2): P(X >= 8) = 0.0011, P(X >= 9) = 0.00024
	assert threshold(2.0, strict) == 9


def test_poisson_quantile_matches_the_tail():
	assert poisson_quantile(0.0, 0.001) == 1
	assert poisson_quantile(1.0, 0.5) == 2  # P(X >= 1) = 0.63, P(X >= 2) = 0.26
	assert poisson_quantile(10.0, 0.01) == 19  # P(X >= 18) = 0.0143, P(X >= 19) = 0.0072


def test_expected_count_across_midnight_uses_both_hours():
	rates = [0.0] * 24
	rates[23], rates[0] = 6.0, 2.0
	baseline = Baseline(tuple(rates))
	end = datetime(2026, 11, 21, 0, 30, tzinfo=timezone.utc)
	assert baseline.expected(end, timedelta(hours=1)) == pytest.approx(3.0 + 1.0)


def test_baseline_from_hourly_counts_is_a_daily_mean():
	baseline = Baseline.from_hourly_counts({9: 56, 10: 28}, days=28)
	assert baseline.per_hour[9] == 2.0 and baseline.per_hour[10] == 1.0 and baseline.per_hour[11] == 0.0


def test_assess_quiet_waits_for_the_recovery_time():
	settings = SpikeSettings(recovery=timedelta(hours=2))
	incident = OpenIncident("INC-1", frozenset({ACME}), DAY, DAY + timedelta(hours=1))
	quiet = [SubjectCount(ACME, 1)]
	assert (
		assess_quiet(incident, quiet, now=DAY + timedelta(hours=2), settings=settings).action
		is IncidentAction.NONE
	)
	assert (
		assess_quiet(incident, quiet, now=DAY + timedelta(hours=3), settings=settings).action
		is IncidentAction.CLOSE
	)
	busy = [SubjectCount(ACME, 9)]
	assert assess_quiet(incident, busy, now=DAY + timedelta(hours=3), settings=settings).spiking


def test_assess_without_subjects_is_nothing():
	assert assess([], now=DAY, negative=True).action is IncidentAction.NONE


@pytest.mark.parametrize(
	"changes",
	[
		{"window": timedelta(0)},
		{"margin": 0.5},
		{"min_count": 1},
		{"baseline_days": 0},
		{"recovery": timedelta(-1)},
		{"significance": 0},
	],
)
def test_settings_that_cannot_describe_a_spike_are_refused(changes):
	with pytest.raises(InvalidSpikeSettings):
		SpikeSettings(**changes)


def post(text, platform=Platform.MASTODON, name="", handle="someone", bio=""):
	return Mention(
		platform=platform,
		external_id=f"{handle}-{abs(hash(text))}",
		url="https://example.social/1",
		author=Author(handle=handle, name=name, bio=bio),
		text=text,
		posted_at=DAY,
	)


def test_news_terms_find_status_updates_news_sources_and_outlets():
	assert news_terms(post("Update: the Acme Cloud outage has been resolved, root cause was DNS"))
	assert news_terms(post("Störung bei Acme Cloud behoben, alles wieder online"))
	assert news_terms(post("Acme Cloud down across Europe", platform=Platform.RSS)) == ("RSS/Atom",)
	assert news_terms(post("Acme Cloud is down for thousands", name="Tech News Daily", handle="technews"))
	assert news_terms(post("Acme Cloud down again, I want my money back")) == ()
	assert news_terms(post("Seit Stunden geht bei Acme nichts, ich kündige")) == ()


def negative_signals(**extra):
	return Signals(score=-0.7, label="negative", urgency_terms=("down",), **extra)


def test_triage_lets_a_news_post_of_a_non_customer_join_the_incident():
	news = post(
		"Acme Cloud outage: status page says we are investigating", name="Tech News", handle="technews"
	)
	decision = triage(news, negative_signals(incident="SOC-INC-00001", news_terms=news_terms(news)), now=DAY)
	assert decision.action is Action.IGNORE
	assert decision.reasons[0].template == R_JOINS_INCIDENT
	assert decision.reasons[0].params["incident"] == "SOC-INC-00001"


def test_triage_still_opens_tickets_for_customers_and_complaints_in_an_incident():
	complaint = post("Acme Cloud down again, I want my money back")
	decision = triage(
		complaint, negative_signals(incident="SOC-INC-00001", news_terms=news_terms(complaint)), now=DAY
	)
	assert decision.action is Action.CREATE_TICKET and decision.priority is Priority.HIGH

	status = post("Acme Cloud outage has been resolved", handle="bigcustomer")
	signals = negative_signals(
		incident="SOC-INC-00001", news_terms=news_terms(status), customer="Big Customer GmbH"
	)
	assert triage(status, signals, now=DAY).action is Action.CREATE_TICKET

	# without an open incident a news post is triaged as any other post
	assert triage(status, negative_signals(news_terms=("resolved",)), now=DAY).action is Action.CREATE_TICKET


@given(
	stored=st.lists(st.integers(0, 10 * 24 * 60), max_size=80),
	page=st.lists(st.tuples(st.integers(0, 10 * 24 * 60), st.booleans()), min_size=1, max_size=30),
	live_from=st.integers(9 * 24 * 60, 10 * 24 * 60),
)
def test_a_page_history_counts_each_mention_as_the_database_would_with_the_page_stored_up_to_it(
	stored, page, live_from
):
	# what the fetch job reads once for a page (three ranges of the stored moments) gives each
	# of the page's live mentions the count and baseline of a look-up after storing the page
	# one by one up to it
	settings = SpikeSettings(window=timedelta(minutes=60), baseline_days=7)
	origin = datetime(2026, 11, 1)
	moments = [origin + timedelta(minutes=m) for m in stored]
	posts = [(origin + timedelta(minutes=m), live and m >= live_from) for m, live in page]
	live = [(n, at) for n, (at, candidate) in enumerate(posts) if candidate]
	if not live:
		return
	first, last = min(at for _, at in live), max(at for _, at in live)
	window, days = settings.window, timedelta(days=settings.baseline_days)
	common: dict[int, int] = {}
	for m in moments:
		if last - window - days <= m < first - window:
			common[m.hour] = common.get(m.hour, 0) + 1
	history = PageHistory(
		window=[m for m in moments if first - window <= m <= last],
		early=[m for m in moments if first - window - days <= m < last - window - days],
		common=common,
		page=[(n, at) for n, (at, _) in enumerate(posts)],
	)
	for n, at in live:
		seen = moments + [moment for place, (moment, _) in enumerate(posts) if place <= n]
		expected = SubjectCount(
			ACME,
			sum(1 for m in seen if at - window < m <= at),
			Baseline.from_history(seen, before=at - window, days=settings.baseline_days),
		)
		assert history.count(ACME, at, n, settings) == expected
