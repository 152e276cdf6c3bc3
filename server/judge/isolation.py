"""JUDGE_ISOLATION: whether the judge may judge with the isolation layers it found.

- ``strict``: every layer (cgroups, namespaces, allow-list root, uid switch,
  seccomp) must be active, or the server refuses to start (the Docker image's
  default);
- ``auto`` (the default elsewhere): the judge judges only with every layer
  active; otherwise the server runs, submissions are refused with 503
  ``JUDGE_UNAVAILABLE``, the log says why and /health/ping-application shows
  ``"ready": false``;
- ``weak``: judge with whatever is active, and say so loudly (a laptop
  without root, a locked-down container): a submission may then read what
  the server's user can read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .types import JudgeError

MODES = ("strict", "auto", "weak")


class JudgeUnavailable(JudgeError):
    """The judge will not judge here: its isolation is short of what JUDGE_ISOLATION requires."""


@dataclass(frozen=True)
class Readiness:
    """The outcome of the isolation policy, as the health check shows it."""

    mode: str  # JUDGE_ISOLATION
    ready: bool  # submissions are judged
    missing: tuple[str, ...]  # layers not active

    @property
    def level(self) -> str:
        """ "full", "weak" (judging without some layers) or "unavailable"."""
        if not self.ready:
            return "unavailable"
        return "full" if not self.missing else "weak"

    @property
    def reason(self) -> str:
        """One line for the log and for a refused submission."""
        if not self.missing:
            return "full isolation"
        names = ", ".join(self.missing)
        if self.ready:
            return f"JUDGE_ISOLATION=weak: judging WITHOUT {names}"
        return (
            f"the judge is not judging: {names} not available here (run as root with cgroups, "
            f"or set JUDGE_ISOLATION=weak to judge without them)"
        )


def decide(mode: str, missing: Sequence[str]) -> Readiness:
    """Apply the policy; raises JudgeUnavailable in strict mode when a layer is missing."""
    if mode not in MODES:
        raise ValueError(f"unknown isolation mode {mode!r}")
    missing = tuple(missing)
    if mode == "strict" and missing:
        raise JudgeUnavailable(
            f"JUDGE_ISOLATION=strict but these isolation layers are not active: {', '.join(missing)}"
        )
    return Readiness(mode, mode == "weak" or not missing, missing)
