from datetime import UTC, datetime, timedelta, timezone

import pytest

from plumbing.humanize import ago, machine_time

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=-5), "just now"),  # a clock slightly ahead of the database
        (timedelta(seconds=59), "just now"),
        (timedelta(seconds=60), "1 minute ago"),
        (timedelta(minutes=3, seconds=50), "3 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=29), "29 days ago"),
        (timedelta(days=30), "26 Oct 2026"),
    ],
)
def test_ago(delta, words):
    assert ago(NOW - delta, NOW) == words


def test_machine_time_is_to_the_millisecond_with_the_offset():
    moment = datetime(2026, 11, 26, 12, 41, 43, 755478, tzinfo=UTC)
    assert machine_time(moment) == "2026-11-26T12:41:43.755+00:00"
    assert machine_time(NOW) == "2026-11-25T12:00:00.000+00:00"
    india = timezone(timedelta(hours=5, minutes=30))
    assert machine_time(moment.astimezone(india)) == "2026-11-26T18:11:43.755+05:30"
