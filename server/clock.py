"""Time helpers: every stored and sent time is timezone-aware UTC in ISO 8601."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """ISO 8601 with offset, as on the wire."""
    return moment.isoformat()


def from_iso(text: str) -> datetime:
    """Parse a time written by to_iso()."""
    return datetime.fromisoformat(text)
