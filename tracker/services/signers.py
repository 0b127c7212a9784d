"""Which signer a client gets: the development signer or an external plug-in, from the spec.

The HTTP layer runs real collections and must not be able to sign with the development
stand-in on its own, so it builds only external signers (``cmd:`` / ``http(s)://``). Choosing
``dev`` (the simulator's scheme, for tests and the demo) is a decision of the layer that builds
clients, made here from the same parsed spec (``tracker.signing.spec``) every other reader uses.
"""

from __future__ import annotations

from tracker.http.signer import Signer, make_signer
from tracker.signing.dev import DevSigner
from tracker.signing.spec import check_signer_spec

__all__ = ["choose_signer"]


def choose_signer(
    spec: str | None, *, where: str = "signer", timeout_s: float = 10.0
) -> Signer | None:
    """The signer ``spec`` names: None for none, ``DevSigner`` for ``dev``, else the plug-in."""
    parsed = check_signer_spec(spec, where=where)
    if parsed is None:
        return None
    if parsed.kind == "dev":
        return DevSigner()
    return make_signer(spec, where=where, timeout_s=timeout_s)
