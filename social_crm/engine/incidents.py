"""Spike detection: a burst of negative mentions becomes one incident, not eight tickets.

When a service goes down, many people post about it at once. Each post on its own is a
negative mention and triage would open a ticket for each; what the team needs first is the
signal that *something bigger* is happening, once, so one agent can answer it publicly while
each customer's ticket keeps its own thread.

What is watched
---------------
A **subject** is a Monitored Keyword or one platform's own handle (`Subject.keyword`,
`Subject.handle`). Only negative mentions count toward a spike.

When a burst is a spike
-----------------------
The detector compares the number of negative mentions of a subject in the sliding `window`
before `now` with the subject's usual number for that time of day: the **baseline** is the
mean count per hour of day over the last `baseline_days` (outages at 3 a.m. are rarer than
complaints at lunchtime, so one flat average would either miss the night or alert every noon).
A spike needs all three of

- more than `margin` times the expected count in the window,
- at least `min_count` negative mentions, so a quiet keyword (expected 0.1 per hour) does not
  alert on two posts, and
- a count that chance alone reaches with probability below `significance` (the Poisson tail
  at the expected count): the window slides with every post, so a busy keyword gets hundreds
  of chances a month to cross "3x usual" by luck; `bench/incidents_bench.py` replays that.

`threshold()` combines them into one number.

One incident per burst
----------------------
- At most one incident is open for a subject; while it is open every negative mention of the
  subject joins it (action JOIN), and so does a news or status post about it ("outage fixed")
  whatever its sentiment.
- A mention of several subjects (a keyword and the handle) joins the first open incident of any
  of them and adds its other subjects to that incident, so overlapping keywords do not open one
  incident each for the same outage.
- **Recovery closes it** (action CLOSE): once the window count is below the threshold and no
  spike-level count has been seen for `recovery`. Until then a count that dips under the
  threshold and comes back is the same burst (no flapping, no alert storm). A burst after a
  recovery is a new incident.

The shell stores incidents, counts from its database and calls `assess` per mention and
`assess_quiet` from the scheduler (quiet periods bring no mention to look at); `Detector`
replays a stream of mentions in memory through the same functions, for the tests and for
`bench/`.

News and status posts
---------------------
`news_terms` finds the words of news and status posts (a status page, a news site, "fixed",
"Störung behoben"); triage lets such a post from an author who is not a customer join an open
incident instead of opening its own ticket (see engine/triage.py).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from social_crm.engine.mention import Mention, Platform
from social_crm.engine.query import parse
from social_crm.engine.text_folding import FoldedText

DEFAULT_NEWS_QUERY = (
	'"status update" OR "status page" OR statuspage OR "we are investigating" OR "we\'re investigating"'
	' OR "has been resolved" OR resolved OR fixed OR "back up" OR "back online" OR restored OR "root cause"'
	' OR breaking OR "according to" OR "outage map" OR downdetector'
	' OR behoben OR "wieder erreichbar" OR "wieder online" OR "wir untersuchen" OR eilmeldung OR berichtet'
)
"""Words of news items and status updates, in the keyword query syntax (German folded)."""

NEWS_AUTHOR_QUERY = (
	"news OR status OR nachrichten OR zeitung OR presse OR press OR magazin* OR magazine OR journal*"
)
"""Author names and bios of news outlets and status accounts."""

NEWS_PLATFORMS = frozenset((Platform.RSS, Platform.HACKER_NEWS))
"""Sources whose items are articles and link posts, not customers speaking for themselves."""


class SubjectKind(str, Enum):
	KEYWORD = "Keyword"
	HANDLE = "Own Handle"

	def __str__(self) -> str:
		return self.value


@dataclass(frozen=True, slots=True, order=True)
class Subject:
	"""What a spike is about: a Monitored Keyword, or an account's own handle on one platform."""

	kind: SubjectKind
	key: str

	@classmethod
	def keyword(cls, name: str) -> Subject:
		return cls(SubjectKind.KEYWORD, name)

	@classmethod
	def handle(cls, platform: Platform | str, handle: str) -> Subject:
		# The handle is one platform's: @acme on Mastodon and on X are different accounts.
		return cls(SubjectKind.HANDLE, f"{Platform(platform).value}:{handle.strip().lstrip('@').casefold()}")

	@property
	def label(self) -> str:
		"""The key as stored and shown ("Acme Cloud", "Mastodon:acme@mastodon.social")."""
		return self.key

	@classmethod
	def from_label(cls, kind: str, label: str) -> Subject:
		return cls(SubjectKind(kind), label)


class InvalidSpikeSettings(ValueError):
	"""A window, margin or count that cannot describe a spike: a configuration error."""


@dataclass(frozen=True, slots=True)
class SpikeSettings:
	"""How sensitive the detector is; the defaults are the shipped Social CRM Settings."""

	window: timedelta = timedelta(hours=1)
	baseline_days: int = 28
	margin: float = 3.0
	min_count: int = 5
	recovery: timedelta = timedelta(hours=2)
	significance: float = 0.0005

	def __post_init__(self) -> None:
		if self.window <= timedelta(0) or self.window > timedelta(days=1):
			raise InvalidSpikeSettings("the window must be longer than 0 and at most a day")
		if self.baseline_days < 1:
			raise InvalidSpikeSettings("the baseline needs at least one day of history")
		if isinstance(self.margin, bool) or not self.margin >= 1.0:
			raise InvalidSpikeSettings("the margin is a factor of at least 1")
		if self.min_count < 2:
			raise InvalidSpikeSettings("a spike needs at least 2 mentions")
		if self.recovery < timedelta(0):
			raise InvalidSpikeSettings("the recovery time cannot be negative")
		if not 0 < self.significance < 1:
			raise InvalidSpikeSettings("the significance is a probability between 0 and 1")


@dataclass(frozen=True, slots=True)
class Baseline:
	"""The usual number of negative mentions per hour, for each hour of the day (0-23)."""

	per_hour: tuple[float, ...] = (0.0,) * 24

	def __post_init__(self) -> None:
		if len(self.per_hour) != 24 or any(value < 0 for value in self.per_hour):
			raise ValueError("a baseline holds 24 non-negative hourly rates")

	@classmethod
	def from_hourly_counts(cls, counts: Mapping[int, int], days: int) -> Baseline:
		"""From counts per hour of day (what a GROUP BY HOUR(posted_at) returns) over `days`."""
		if days < 1:
			raise ValueError("days must be at least 1")
		return cls(tuple(counts.get(hour, 0) / days for hour in range(24)))

	@classmethod
	def from_history(cls, moments: Iterable[datetime], *, before: datetime, days: int) -> Baseline:
		"""From the times of past negative mentions: those in the `days` before `before` count."""
		start = before - timedelta(days=days)
		counts: dict[int, int] = {}
		for moment in moments:
			if start <= moment < before:
				counts[moment.hour] = counts.get(moment.hour, 0) + 1
		return cls.from_hourly_counts(counts, days)

	def expected(self, end: datetime, window: timedelta) -> float:
		"""Expected count in the window that ends at `end`, hour by hour (a window across
		midnight takes the late evening's rate and the early morning's)."""
		total, cursor, start = 0.0, end, end - window
		while cursor > start:
			hour_start = cursor.replace(minute=0, second=0, microsecond=0)
			if hour_start == cursor:
				hour_start = cursor - timedelta(hours=1)
			piece_start = max(hour_start, start)
			total += self.per_hour[piece_start.hour] * (cursor - piece_start) / timedelta(hours=1)
			cursor = piece_start
		return total


def threshold(expected: float, settings: SpikeSettings) -> int:
	"""The smallest window count that is a spike: more than margin x expected, at least
	min_count, and unlikely (below `significance`) for a Poisson count with that mean."""
	return max(
		settings.min_count,
		math.floor(expected * settings.margin) + 1,
		poisson_quantile(expected, settings.significance),
	)


def poisson_quantile(mean: float, tail: float) -> int:
	"""The smallest k with P(X >= k) < tail for X ~ Poisson(mean)."""
	if mean <= 0:
		return 1
	term = math.exp(-mean)  # P(X = 0)
	below, k = 0.0, 0  # below = P(X < k)
	while 1.0 - below >= tail:
		below += term
		k += 1
		term *= mean / k
		if k > 10_000:  # a mean this large is no social keyword; never loop forever
			break
	return k


@dataclass(frozen=True, slots=True)
class OpenIncident:
	"""An open incident as the detector needs it. `last_spike_at` is the last time a count at
	or above the threshold was seen."""

	name: str
	subjects: frozenset[Subject]
	opened_at: datetime
	last_spike_at: datetime

	def __post_init__(self) -> None:
		object.__setattr__(self, "subjects", frozenset(self.subjects))
		if self.opened_at.tzinfo is None or self.last_spike_at.tzinfo is None:
			raise ValueError(f"incident {self.name}: timestamps must be timezone-aware")


class IncidentAction(str, Enum):
	NONE = "None"
	OPEN = "Open"
	JOIN = "Join"
	CLOSE = "Close"

	def __str__(self) -> str:
		return self.value


@dataclass(frozen=True, slots=True)
class SubjectCount:
	"""A subject with its negative mentions in the window (this mention included) and baseline."""

	subject: Subject
	count: int
	baseline: Baseline = field(default_factory=Baseline)


@dataclass(frozen=True, slots=True)
class IncidentDecision:
	"""What to do about incidents for one observation.

	OPEN: open an incident for `subjects` (the mention is its first). JOIN: add the mention to
	`incident` and add `subjects` to it; `spiking` says whether the count is still at spike level
	(the shell moves `last_spike_at`). CLOSE: `incident` has recovered. NONE: nothing.
	"""

	action: IncidentAction
	incident: str | None = None
	subjects: tuple[Subject, ...] = ()
	count: int = 0
	expected: float = 0.0
	threshold: int = 0
	spiking: bool = False


def assess(
	counts: Sequence[SubjectCount],
	*,
	now: datetime,
	negative: bool,
	news: bool = False,
	open_incidents: Iterable[OpenIncident] = (),
	settings: SpikeSettings | None = None,
) -> IncidentDecision:
	"""The incident decision for one mention of the subjects in `counts`.

	`negative`: the mention is negative (only those count and can open an incident); `news`:
	`news_terms` found words of a news or status post (it may join, never open). Pure.
	"""
	settings = settings or SpikeSettings()
	if not counts:
		return IncidentDecision(IncidentAction.NONE)
	subjects = {c.subject for c in counts}
	levels = [(c, c.baseline.expected(now, settings.window)) for c in counts]
	# The subject furthest above its usual rate speaks for the mention.
	strongest, expected = max(levels, key=lambda item: ((item[0].count + 1) / (item[1] + 1), item[0].subject))
	limit = threshold(expected, settings)
	spiking = any(c.count >= threshold(e, settings) for c, e in levels)
	candidates = sorted(
		(incident for incident in open_incidents if incident.subjects & subjects),
		key=lambda incident: (incident.opened_at, incident.name),
	)
	if candidates and (negative or news):
		incident = candidates[0]
		return IncidentDecision(
			IncidentAction.JOIN,
			incident=incident.name,
			subjects=tuple(sorted(subjects - incident.subjects)),
			count=strongest.count,
			expected=expected,
			threshold=limit,
			spiking=spiking and negative,
		)
	if negative and spiking and not candidates:
		spiking_subjects = tuple(sorted(c.subject for c, e in levels if c.count >= threshold(e, settings)))
		best = max(
			((c, e) for c, e in levels if c.subject in spiking_subjects),
			key=lambda item: ((item[0].count + 1) / (item[1] + 1), item[0].subject),
		)
		return IncidentDecision(
			IncidentAction.OPEN,
			subjects=tuple(sorted(subjects)),
			count=best[0].count,
			expected=best[1],
			threshold=threshold(best[1], settings),
			spiking=True,
		)
	return IncidentDecision(IncidentAction.NONE, count=strongest.count, expected=expected, threshold=limit)


@dataclass(slots=True)
class PageHistory:
	"""A subject's negative mentions around one page of new ones, read once, from which each of
	the page's mentions gets the window count and baseline that `assess` needs, exactly as a
	look-up in the database after storing the page's mentions one by one would find them.

	The fetch job stores a page together; what the one-by-one way saw before deciding the
	page's n-th mention is the stored mentions plus the page's mentions up to the n-th. All the
	page's candidate moments `at` lie in [first, last], so three reads cover every window
	(at - window, at] and baseline [at - window - days, at - window): `window` holds the stored
	moments in [first - window, last], `early` those in [first - window - days,
	last - window - days), `common` the hourly counts of [last - window - days, first - window),
	which every baseline contains whole. `page` holds the page's own (position, moment) of
	those that will be stored as negative mentions of the subject. Moments are naive, in the
	site's time, as the database stores them."""

	window: list[datetime]
	early: list[datetime] = field(default_factory=list)
	common: Mapping[int, int] = field(default_factory=dict)
	page: list[tuple[int, datetime]] = field(default_factory=list)

	def __post_init__(self) -> None:
		self.window = sorted(self.window)
		self.early = sorted(self.early)
		self.page = sorted(self.page)

	def count(self, subject: Subject, at: datetime, position: int, settings: SpikeSettings) -> SubjectCount:
		"""The subject's count and baseline for the page's mention at `position`, posted `at`
		(naive): the stored mentions and the page's mentions up to and including this one."""
		window_start = at - settings.window
		baseline_start = window_start - timedelta(days=settings.baseline_days)
		own = [moment for place, moment in self.page if place <= position]
		count = bisect_right(self.window, at) - bisect_right(self.window, window_start)
		count += sum(1 for moment in own if window_start < moment <= at)
		hours = dict(self.common)
		earlier = (
			self.early[bisect_left(self.early, baseline_start) :],
			self.window[: bisect_left(self.window, window_start)],
			[moment for moment in own if baseline_start <= moment < window_start],
		)
		for moments in earlier:
			for moment in moments:
				hours[moment.hour] = hours.get(moment.hour, 0) + 1
		return SubjectCount(subject, count, Baseline.from_hourly_counts(hours, settings.baseline_days))


def assess_quiet(
	incident: OpenIncident,
	counts: Sequence[SubjectCount],
	*,
	now: datetime,
	settings: SpikeSettings | None = None,
) -> IncidentDecision:
	"""Whether an open incident has recovered: every subject's window count below its threshold
	and no spike-level count for `recovery`. Called without a new mention (the scheduler)."""
	settings = settings or SpikeSettings()
	levels = [
		(c, c.baseline.expected(now, settings.window)) for c in counts if c.subject in incident.subjects
	]
	still = [c for c, e in levels if c.count >= threshold(e, settings)]
	if still:
		return IncidentDecision(
			IncidentAction.JOIN, incident=incident.name, count=max(c.count for c in still), spiking=True
		)
	if now - incident.last_spike_at >= settings.recovery:
		return IncidentDecision(IncidentAction.CLOSE, incident=incident.name)
	return IncidentDecision(IncidentAction.NONE, incident=incident.name)


# --- news and status posts ----------------------------------------------------------------------

_NEWS = parse(DEFAULT_NEWS_QUERY)
_NEWS_AUTHOR = parse(NEWS_AUTHOR_QUERY)


def news_terms(mention: Mention, query: str | None = None) -> tuple[str, ...]:
	"""Why the post reads as news or a status update: its words, its author, or its source.

	Empty for a customer's own complaint. The platform and the author are checked because an
	article title ("Acme Cloud down across Europe") often has none of the status words.
	"""
	words = parse(query) if query else _NEWS
	found = list(words.found(FoldedText.of(mention.text)))
	author = FoldedText.of(f"{mention.author.name} {mention.author.handle} {mention.author.bio}")
	found += [f"@{mention.author.handle}"] if _NEWS_AUTHOR.found(author) else []
	if mention.platform in NEWS_PLATFORMS:
		found.append(mention.platform.value)
	return tuple(dict.fromkeys(found))


# --- replaying a stream -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Observation:
	"""One mention as the detector sees it."""

	at: datetime
	subjects: tuple[Subject, ...]
	negative: bool
	news: bool = False
	ref: str = ""


@dataclass(slots=True)
class ReplayedIncident:
	name: str
	subjects: set[Subject]
	opened_at: datetime
	last_spike_at: datetime
	closed_at: datetime | None = None
	refs: list[str] = field(default_factory=list)

	def snapshot(self) -> OpenIncident:
		return OpenIncident(self.name, frozenset(self.subjects), self.opened_at, self.last_spike_at)


@dataclass
class Detector:
	"""The shell's use of `assess`/`assess_quiet`, in memory: feed observations in time order,
	`tick` for quiet periods. Holds the negative mentions of the last `baseline_days` per
	subject; the tests and `bench/` replay recorded bursts through it."""

	settings: SpikeSettings = field(default_factory=SpikeSettings)
	history: dict[Subject, deque[tuple[datetime, str]]] = field(default_factory=dict)
	incidents: list[ReplayedIncident] = field(default_factory=list)

	def seed(self, subject: Subject, moments: Iterable[datetime]) -> None:
		"""Past negative mentions (the baseline's history)."""
		self.history.setdefault(subject, deque()).extend((moment, "") for moment in sorted(moments))

	def open(self) -> list[ReplayedIncident]:
		return [incident for incident in self.incidents if incident.closed_at is None]

	def observe(self, observation: Observation) -> IncidentDecision:
		self.tick(observation.at)
		if observation.negative:
			for subject in observation.subjects:
				self.history.setdefault(subject, deque()).append((observation.at, observation.ref))
		decision = assess(
			[self._count(subject, observation.at) for subject in observation.subjects],
			now=observation.at,
			negative=observation.negative,
			news=observation.news,
			open_incidents=[incident.snapshot() for incident in self.open()],
			settings=self.settings,
		)
		if decision.action is IncidentAction.OPEN:
			incident = ReplayedIncident(
				name=f"INC-{len(self.incidents) + 1}",
				subjects=set(decision.subjects),
				opened_at=observation.at,
				last_spike_at=observation.at,
				refs=self._window_refs(decision.subjects, observation.at),
			)
			self.incidents.append(incident)
		elif decision.action is IncidentAction.JOIN:
			incident = self._by_name(decision.incident)
			incident.subjects.update(decision.subjects)
			incident.refs.append(observation.ref)
			if decision.spiking:
				incident.last_spike_at = observation.at
		return decision

	def tick(self, now: datetime) -> list[IncidentDecision]:
		"""What the scheduler does: close the incidents that have recovered by `now`."""
		closed = []
		for incident in self.open():
			decision = assess_quiet(
				incident.snapshot(),
				[self._count(s, now) for s in incident.subjects],
				now=now,
				settings=self.settings,
			)
			if decision.action is IncidentAction.CLOSE:
				incident.closed_at = now
				closed.append(decision)
		return closed

	def _count(self, subject: Subject, now: datetime) -> SubjectCount:
		moments = self.history.get(subject, deque())
		horizon = now - timedelta(days=self.settings.baseline_days) - self.settings.window
		while moments and moments[0][0] < horizon:
			moments.popleft()
		window_start = now - self.settings.window
		in_window = sum(1 for moment, _ref in moments if window_start < moment <= now)
		baseline = Baseline.from_history(
			(moment for moment, _ref in moments), before=window_start, days=self.settings.baseline_days
		)
		return SubjectCount(subject, in_window, baseline)

	def _window_refs(self, subjects: Iterable[Subject], now: datetime) -> list[str]:
		"""The negative mentions of the window that made the spike: they open the incident together."""
		start = now - self.settings.window
		found = sorted(
			(moment, ref)
			for subject in subjects
			for moment, ref in self.history.get(subject, ())
			if start < moment <= now
		)
		return list(dict.fromkeys(ref for _moment, ref in found if ref))

	def _by_name(self, name: str | None) -> ReplayedIncident:
		return next(incident for incident in self.incidents if incident.name == name)
