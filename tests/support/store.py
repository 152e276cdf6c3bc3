"""The real store on a temp file, for tests that use it without the app."""

from __future__ import annotations

from pathlib import Path

from server.store import Store


async def open_store(path: Path) -> Store:
    """A Store on path, opened (created and migrated)."""
    store = Store(path)
    await store.open()
    return store
