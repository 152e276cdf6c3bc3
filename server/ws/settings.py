"""The WebSocket layer's settings: the configured values of SPEC §2 plus the protocol's own limits."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config
from . import const


@dataclass(frozen=True, slots=True)
class WsSettings:
    """Everything a connection and the handshake need to know, fixed for the app's life."""

    auth_mode: str = "token"
    allow_origins: tuple[str, ...] = ("*",)
    max_connections: int = 3
    max_sockets_per_user: int = 4
    heartbeat: float = 20.0
    max_message_bytes: int = 1_048_576
    max_code_bytes: int = 262_144
    snapshot_interval: float = 2.0
    rate_per_second: float = const.RATE_PER_SECOND
    rate_burst: int = const.RATE_BURST
    outbound_max_messages: int = const.OUTBOUND_MAX_MESSAGES
    outbound_max_bytes: int = const.OUTBOUND_MAX_BYTES
    close_timeout: float = const.CLOSE_TIMEOUT
    flush_timeout: float = const.FLUSH_TIMEOUT

    @classmethod
    def from_config(cls, config: Config) -> WsSettings:
        """Settings for a parsed Config."""
        return cls(
            auth_mode=config.auth_mode,
            allow_origins=config.allow_origins,
            max_connections=config.max_connections_per_group,
            max_sockets_per_user=config.max_sockets_per_user,
            heartbeat=config.ws_heartbeat,
            max_message_bytes=config.max_message_bytes,
            max_code_bytes=config.max_code_bytes,
            snapshot_interval=config.snapshot_interval,
        )

    @property
    def trust(self) -> bool:
        """True in AUTH_MODE=trust (user_id accepted without a token)."""
        return self.auth_mode == "trust"
