"""Shared helpers of the crm tests: Shanghai wall-clock times and an outbox fixture."""

from datetime import UTC, datetime

from crm.rules import REACH_TIME_ZONE


def sh(day: int, hour: int, minute: int = 0, *, month: int = 12) -> datetime:
    """2026-<month>-<day> <hour>:<minute> in Shanghai, as an aware UTC datetime."""
    return datetime(2026, month, day, hour, minute, tzinfo=REACH_TIME_ZONE).astimezone(UTC)
