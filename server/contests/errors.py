"""What goes wrong in a package: one exception carrying every problem found, each naming where."""

from __future__ import annotations

from collections.abc import Iterable


class PackageError(Exception):
    """A package is malformed; `errors` lists what is wrong, each message naming the file or part."""

    def __init__(self, *errors: str) -> None:
        self.errors: list[str] = list(errors) or ["the package is malformed"]
        super().__init__("; ".join(self.errors))

    def prefixed(self, prefix: str) -> PackageError:
        """The same errors, each preceded by `prefix` (e.g. "problem A: ")."""
        return PackageError(*(f"{prefix}{e}" for e in self.errors))


class Errors:
    """Collects the errors of several independent steps, so one answer lists them all."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, *messages: str) -> None:
        """Record messages."""
        self.items.extend(messages)

    def extend(self, error: PackageError, prefix: str = "") -> None:
        """Record every error of a PackageError."""
        self.items.extend(f"{prefix}{e}" for e in error.errors)

    def raise_if_any(self, extra: Iterable[str] = ()) -> None:
        """Raise one PackageError with everything recorded."""
        items = [*self.items, *extra]
        if items:
            raise PackageError(*items)
