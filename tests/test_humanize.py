from datetime import UTC, datetime, timedelta

import pytest

from support.humanize import ago

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
