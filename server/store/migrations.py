"""Ordered schema migrations; `PRAGMA user_version` records how many have run."""

MIGRATIONS: tuple[str, ...] = (
    # 1: the whole first schema
    """
    CREATE TABLE users (
        id            INTEGER PRIMARY KEY,
        login         TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        first_name    TEXT NOT NULL,
        last_name     TEXT NOT NULL,
        dt_created    TEXT NOT NULL
    );
    CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        dt_created TEXT NOT NULL
    );
    CREATE INDEX tokens_user ON tokens(user_id);
    CREATE TABLE teams (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        creator_id INTEGER NOT NULL REFERENCES users(id),
        dt_created TEXT NOT NULL
    );
    CREATE TABLE team_members (
        team_id  INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        PRIMARY KEY (team_id, user_id)
    );
    CREATE INDEX team_members_user ON team_members(user_id);
    CREATE TABLE training_sessions (
        id          TEXT PRIMARY KEY,
        team_id     INTEGER NOT NULL REFERENCES teams(id),
        contest_id  INTEGER NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('IN_PROCESS', 'FINISHED')),
        dt_created  TEXT NOT NULL,
        dt_finished TEXT,
        ends_at     TEXT NOT NULL
    );
    CREATE INDEX sessions_team_contest ON training_sessions(team_id, contest_id, dt_created);
    CREATE INDEX sessions_contest ON training_sessions(contest_id);
    CREATE UNIQUE INDEX sessions_one_running ON training_sessions(team_id) WHERE status = 'IN_PROCESS';
    CREATE TABLE problem_states (
        session_id    TEXT NOT NULL REFERENCES training_sessions(id) ON DELETE CASCADE,
        problem_alias TEXT NOT NULL,
        status        TEXT NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (session_id, problem_alias)
    );
    CREATE TABLE submissions (
        id            INTEGER PRIMARY KEY,
        session_id    TEXT NOT NULL REFERENCES training_sessions(id) ON DELETE CASCADE,
        problem_alias TEXT NOT NULL,
        author_id     INTEGER NOT NULL REFERENCES users(id),
        compiler      TEXT NOT NULL,
        source        BLOB NOT NULL,
        verdict       TEXT NOT NULL,
        score         INTEGER NOT NULL DEFAULT 0,
        time_ms       INTEGER NOT NULL DEFAULT 0,
        memory        INTEGER NOT NULL DEFAULT 0,
        failed_test   INTEGER NOT NULL DEFAULT 0,
        time_from_start INTEGER NOT NULL,
        dt_submitted  TEXT NOT NULL,
        upsolving     INTEGER NOT NULL DEFAULT 0,
        compile_log   TEXT NOT NULL DEFAULT '',
        checker_log   TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX submissions_session ON submissions(session_id, problem_alias);
    CREATE INDEX submissions_pending ON submissions(verdict) WHERE verdict = 'No report';
    CREATE TABLE comments (
        id            TEXT PRIMARY KEY,
        session_id    TEXT NOT NULL REFERENCES training_sessions(id) ON DELETE CASCADE,
        problem_alias TEXT NOT NULL,
        author_id     INTEGER NOT NULL REFERENCES users(id),
        content       TEXT NOT NULL,
        dt_created    TEXT NOT NULL,
        dt_updated    TEXT NOT NULL
    );
    CREATE INDEX comments_session_problem ON comments(session_id, problem_alias, dt_created);
    CREATE TABLE room_snapshots (
        kind       TEXT NOT NULL CHECK (kind IN ('lobby', 'training')),
        room_id    TEXT NOT NULL,
        state      TEXT NOT NULL,
        dt_updated TEXT NOT NULL,
        PRIMARY KEY (kind, room_id)
    );
    """,
    # 2: unreadable snapshot rows are moved aside, kept for inspection, so their room can be saved again
    """
    CREATE TABLE room_snapshots_corrupt (
        kind           TEXT NOT NULL,
        room_id        TEXT NOT NULL,
        state          TEXT NOT NULL,
        dt_quarantined TEXT NOT NULL
    );
    """,
    # 3: checker logs in the domain's own form (TestRecord fields), no longer the wire's camelCase
    """
    UPDATE submissions SET checker_log = (
        SELECT json_group_array(json_object(
            'sequence_number', json_extract(entry.value, '$.sequenceNumber'),
            'test_name', json_extract(entry.value, '$.testName'),
            'verdict', json_extract(entry.value, '$.verdict'),
            'running_time', json_extract(entry.value, '$.runningTime'),
            'memory_used', json_extract(entry.value, '$.memoryUsed')
        ))
        FROM (SELECT value FROM json_each(submissions.checker_log) ORDER BY key) AS entry
    )
    WHERE checker_log != '[]';
    """,
    # 4: accounts: when each token was last used (idle expiry), registration invite codes, team invitations
    """
    ALTER TABLE tokens ADD COLUMN last_used TEXT NOT NULL DEFAULT '';
    UPDATE tokens SET last_used = dt_created;
    CREATE INDEX tokens_user_last_used ON tokens(user_id, last_used);
    CREATE TABLE invite_codes (
        id         INTEGER PRIMARY KEY,
        code_hash  TEXT NOT NULL UNIQUE,
        creator_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        uses_left  INTEGER NOT NULL,
        dt_created TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE team_invitations (
        team_id    INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        inviter_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        dt_created TEXT NOT NULL,
        PRIMARY KEY (team_id, user_id)
    );
    CREATE INDEX team_invitations_user ON team_invitations(user_id, dt_created);
    """,
)
