"""Public identifiers: random, unguessable, and separate from the database key.

See docs/decisions/0002-public-ids-and-cursors.md.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case, no i l o u
PUBLIC_ID_LENGTH = 16  # 80 random bits


def new_public_id() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


def is_public_id(value: str) -> bool:
    return len(value) == PUBLIC_ID_LENGTH and all(c in ALPHABET for c in value)
