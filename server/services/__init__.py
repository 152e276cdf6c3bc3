"""The use cases: every rule of who may do what and what follows, with no web framework.

Views parse a request, call one service method with the caller's User, and dump what it returns
through a schema; services read and write the store, publish domain events for the rooms, and
raise server.domain.errors exceptions (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from .access import AccessService
from .comments import CommentService
from .contest_admin import ContestAdminService
from .contests import ContestService
from .invites import InviteService
from .judging import JudgeService
from .rooms import RoomQueries
from .sessions import SessionService
from .standings import StandingsService
from .submissions import SubmissionService
from .teams import TeamService
from .users import UserService


@dataclass(frozen=True, slots=True)
class Services:
    """Every service of one app, built once by create_app and handed to the views."""

    access: AccessService
    users: UserService
    invites: InviteService
    teams: TeamService
    contests: ContestService
    contest_admin: ContestAdminService
    sessions: SessionService
    submissions: SubmissionService
    comments: CommentService
    standings: StandingsService
    rooms: RoomQueries
    judging: JudgeService
