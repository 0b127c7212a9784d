"""``--anonymise``: personal account names replaced by a stable pseudonym for public lists.

A list published on a website must not print the nicknames of private individuals, but it may
(and should) name organisations and verified accounts, which are public by their own choice.
An account is kept as is only when the platform shows it as verified (organisation or personal
verification). Being in the unit registry is not enough: units also register their members'
private accounts, so a registered but unverified account is hidden too (an organisation account
on a platform whose search does not show verification is hidden as well; privacy wins the
tie). Everyone else gets ``用户`` plus a hash of the campaign and the account, so the same
person has the same pseudonym in every list of one campaign (a reader can still see that two
works are by the same creator) while different campaigns do not share pseudonyms. Registry
contact names (``person``) are always dropped.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

__all__ = ["anonymise_creators", "anonymise_works", "public_accounts", "pseudonym"]

PREFIX = "用户"


def pseudonym(salt: str, platform: str, uid: str) -> str:
    digest = hashlib.sha256(f"{salt}\x1f{platform}:{uid}".encode()).hexdigest()
    return PREFIX + digest[:10]


def _pseudonyms(salt: str, platforms: pd.Series, uids: pd.Series) -> np.ndarray:
    pairs = pd.DataFrame({"p": platforms.astype("str"), "u": uids.astype("str")})
    uniq = pairs.drop_duplicates()
    names = {
        (p, u): pseudonym(salt, p, u)
        for p, u in zip(uniq["p"].to_numpy(), uniq["u"].to_numpy(), strict=True)
    }
    return np.array(
        [names[(p, u)] for p, u in zip(pairs["p"].to_numpy(), pairs["u"].to_numpy(), strict=True)],
        dtype=object,
    )


def public_accounts(works: pd.DataFrame) -> np.ndarray:
    """Per work row: is the account public (shown as verified by its platform)?"""
    if "verified" not in works.columns:
        return np.zeros(len(works), dtype=bool)
    return works["verified"].astype("boolean").fillna(False).to_numpy(dtype=bool).copy()


def anonymise_works(works: pd.DataFrame, salt: str) -> pd.DataFrame:
    """Works with personal accounts' name and id replaced by the pseudonym; ``person`` dropped."""
    out = works.copy()
    # A work without an account has no name to hide; a pseudonym would invent one author for
    # every such work of a platform.
    private = ~public_accounts(out) & out["account_uid"].notna().to_numpy()
    if private.any():
        fake = _pseudonyms(salt, out["platform"][private], out["account_uid"][private])
        for col in ("account_name", "account_uid"):
            values = out[col].astype("object").to_numpy().copy()
            values[private] = fake
            out[col] = values
    if "person" in out.columns:
        out["person"] = None
    return out


def anonymise_creators(creators: pd.DataFrame, works: pd.DataFrame, salt: str) -> pd.DataFrame:
    """Creators named only when one of their accounts is public and no contact person is named."""
    out = creators.copy()
    if not len(out):
        return out
    public = (
        pd.Series(public_accounts(works))
        .groupby(works["creator_key"].astype("str").to_numpy())
        .any()
    )
    key = out["creator_key"].astype("str")
    keep = key.map(public).fillna(False).to_numpy(dtype=bool).copy()
    if "person" in out.columns:
        keep &= out["person"].isna().to_numpy()
    private = ~keep
    if private.any():
        platform, _, uid = key[private].str.partition(":").T.to_numpy()
        fake = np.array(
            [pseudonym(salt, p, u) for p, u in zip(platform, uid, strict=True)], dtype=object
        )
        for col in ("creator_name", "account_name", "creator_key"):
            if col in out.columns:
                values = out[col].astype("object").to_numpy().copy()
                values[private] = fake
                out[col] = values
    if "person" in out.columns:
        out["person"] = None
    return out
