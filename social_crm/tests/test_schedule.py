from datetime import datetime, timedelta

from social_crm.engine.schedule import is_due

NOW = datetime(2026, 11, 22, 12, 0)


def test_never_fetched_account_is_due():
	assert is_due(None, timedelta(minutes=15), NOW)


def test_account_is_due_once_its_interval_has_passed():
	assert not is_due(NOW - timedelta(minutes=14), timedelta(minutes=15), NOW)
	assert is_due(NOW - timedelta(minutes=15), timedelta(minutes=15), NOW)


def test_rate_limit_pause_wins_over_the_interval():
	assert not is_due(None, timedelta(minutes=15), NOW, paused_until=NOW + timedelta(seconds=30))
	assert is_due(None, timedelta(minutes=15), NOW, paused_until=NOW - timedelta(seconds=1))


def test_zero_interval_means_once_a_minute():
	assert not is_due(NOW - timedelta(seconds=20), timedelta(0), NOW)
	assert is_due(NOW - timedelta(minutes=1), timedelta(0), NOW)
