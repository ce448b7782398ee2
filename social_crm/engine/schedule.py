"""When an account is due for its next poll.

Kept apart from the scheduler job so the rule is tested without a clock or a database: the
job runs every minute and enqueues only the accounts this says are due.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MIN_INTERVAL = timedelta(minutes=1)


def is_due(
	last_fetched_at: datetime | None,
	interval: timedelta,
	now: datetime,
	paused_until: datetime | None = None,
) -> bool:
	"""Due when never fetched or the interval has passed, and no rate-limit pause is running.

	An interval below a minute counts as one minute: the scheduler cannot poll faster, and a
	zero interval must not mean "every tick, forever".
	"""
	if paused_until is not None and now < paused_until:
		return False
	if last_fetched_at is None:
		return True
	return now - last_fetched_at >= max(interval, MIN_INTERVAL)
