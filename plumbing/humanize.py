"""Times as a visitor reads them ("3 minutes ago") and as a `<time datetime>` states them."""

from datetime import UTC, datetime


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'} ago"


def ago(moment: datetime, now: datetime | None = None) -> str:
    """How long before `now` (default: the present) `moment` was, in words."""
    seconds = int(((now or datetime.now(UTC)) - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return _plural(seconds // 60, "minute")
    if seconds < 86400:
        return _plural(seconds // 3600, "hour")
    if seconds < 30 * 86400:
        return _plural(seconds // 86400, "day")
    return moment.strftime("%d %b %Y")


def machine_time(moment: datetime) -> str:
    """`moment` for a `datetime` attribute: to the millisecond, with its offset.

    HTML allows at most three digits of a second's fraction; `isoformat` would give six.
    """
    return moment.isoformat(timespec="milliseconds")
