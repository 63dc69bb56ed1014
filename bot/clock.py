"""The one notion of now (stored times are UTC) and of the time reps and trainers read
(China time, for dates in reports, lists and weekly trends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8))


def utc_now() -> datetime:
    return datetime.now(UTC)
