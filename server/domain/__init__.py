"""Plain domain types shared by services, rooms, the store and the wire layer: records, errors, events.

Nothing here does I/O or imports aiohttp; everything is a frozen dataclass or an exception
(docs/architecture.md).
"""
