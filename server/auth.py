"""Passwords (scrypt) and tokens (stored as SHA-256): the credentials' primitives, with no I/O but threads."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SCHEMES = ("oauth", "bearer")
ACCESS_COOKIE = "access_token"  # where the original web client keeps its token
# The hash of a random password nobody knows: checking it for an unknown login makes a failed login
# take the same time whether or not the login exists.
DUMMY_HASH = "scrypt$16384$8$1$0Wy/4Ks+Qyq8UjYMzzqFbg==$AN9haAVqIsWlTzG8vXeC3XNW7sxwBaMkLVX5NqTl5m8="


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


async def hash_password(password: str) -> str:
    """A salted scrypt hash, computed off the event loop."""
    salt = secrets.token_bytes(16)
    digest = await asyncio.to_thread(_scrypt, password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


async def verify_password(password: str, stored: str) -> bool:
    """True when the password matches a hash made by hash_password()."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = await asyncio.to_thread(_scrypt, password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def new_token() -> str:
    """A fresh random token for a client to keep."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_from_header(value: str | None) -> str | None:
    """The token of an `OAuth <t>` or `Bearer <t>` Authorization header."""
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() not in _SCHEMES or not token:
        return None
    return token
