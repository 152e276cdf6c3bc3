"""Wire shapes of submissions and comments, shared by REST answers and room broadcasts."""

from __future__ import annotations

from typing import Any

from .clock import to_iso
from .store.comments import Comment
from .store.submissions import Submission


def submission_short(s: Submission) -> dict[str, Any]:
    """The short submission of SPEC §5."""
    return {
        "id": s.id,
        "problemAlias": s.problem_alias,
        "compiler": s.compiler,
        "verdict": s.verdict,
        "score": s.score,
        "time": s.time_ms,
        "memory": s.memory,
        "test": s.failed_test,
        "timeFromStart": s.time_from_start,
        "submissionTime": to_iso(s.dt_submitted),
        "authorId": str(s.author_id),
        "upsolving": s.upsolving,
    }


def submission_full(s: Submission) -> dict[str, Any]:
    """The short submission plus source, compileLog and checkerLog."""
    return {
        **submission_short(s),
        "source": s.source.decode("utf-8", errors="replace"),
        "compileLog": s.compile_log,
        "checkerLog": s.checker_log,
    }


def comment_to_wire(c: Comment) -> dict[str, Any]:
    """The comment of SPEC §5."""
    return {
        "id": c.id,
        "userId": str(c.author.id),
        "userFirstName": c.author.first_name,
        "userLastName": c.author.last_name,
        "userLogin": c.author.login,
        "problemAlias": c.problem_alias,
        "content": c.content,
        "dtCreated": to_iso(c.dt_created),
        "dtUpdated": to_iso(c.dt_updated),
    }
