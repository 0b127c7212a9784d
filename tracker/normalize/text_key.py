"""The near-duplicate key of a short text (a comment), and the length it was taken over.

The ranking's copied-comment signal compares comment texts by this key. Normalising a text
costs about 6 µs, so a campaign with a million stored comments spent seconds of every ranking
keying them again; the store now keeps each comment's key and length, computed here once when
the comment is written, and the ranking applies its minimum length (a setting) to the stored
length. The post fingerprint (``fingerprint``) is a different, cheaper rule kept for posts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["text_keys"]


def text_keys(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(64-bit key, normalised length) of each text; a missing text is the empty text.

    Normalisation: NFKC, casefold, drop URLs, hashtags (``#话题#``, ``#话题``), ``[话题]``
    markers and @mentions, then every non-word character (spaces, punctuation, emoji). Two texts
    that differ only in those have one key; only equality matters (a collision among a million
    texts has odds of about 1e-8).
    """
    s = text.astype("object").where(text.notna(), "").astype("str")
    s = s.str.normalize("NFKC").str.casefold()
    s = s.str.replace(r"https?://\S+", "", regex=True)
    s = s.str.replace(r"#[^#\n]{1,40}#|#\S+|\[话题\]|@[\w\-]+", "", regex=True)
    s = s.str.replace(r"[\W_]+", "", regex=True)
    lengths = s.str.len().to_numpy(dtype=np.int64)
    keys = pd.util.hash_pandas_object(s, index=False, categorize=False).to_numpy().view(np.int64)
    return keys, lengths
