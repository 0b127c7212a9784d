"""The stored content fingerprint of a post: a short hash of its normalised words.

Computed once when a post is written (every write path goes through the store's upsert), so
the ranking's near-duplicate signal reads a 16-character key per work instead of normalising a
million bodies on every run. Normalisation is the tag matcher's (``tag_key``: NFKC, no spaces
or ``#``, casefolded, traditional to simplified) keeping letters and digits only, so reposted
copies that differ in punctuation, spacing, emoji or script fold to one key.
"""

from __future__ import annotations

import hashlib

from tracker.normalize.tags import tag_key

__all__ = ["MIN_FINGERPRINT_CHARS", "NO_FINGERPRINT", "content_fingerprint"]

MIN_FINGERPRINT_CHARS = 8
NO_FINGERPRINT = ""
"""Stored when a post has words but too few to compare: it was looked at and has no key, which
tells the ranking not to fall back to the body text (NULL means "never fingerprinted")."""


def content_fingerprint(title: str | None, text: str | None) -> str | None:
    """16 hex characters of the normalised title + text; ``NO_FINGERPRINT`` when fewer than
    ``MIN_FINGERPRINT_CHARS`` letters or digits remain; ``None`` when the record carries no
    words at all (a metrics-only refresh must not erase the stored key)."""
    if not title and not text:
        return None
    key = "".join(ch for ch in tag_key((title or "") + (text or "")) if ch.isalnum())
    if len(key) < MIN_FINGERPRINT_CHARS:
        return NO_FINGERPRINT
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
