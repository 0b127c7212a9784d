"""What every reader yields: parsed records plus the counts and notes the run report needs.

Readers are generators of :class:`Chunk`, so a 500 MB capture is never held in memory and the
service can commit as it goes. A chunk's rejects already carry their location (``file:line`` or
``file#entry N``) because only the reader knows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.records import CampaignLink, ParsedPage, RejectRecord


@dataclass(slots=True)
class Chunk:
    """Records from a few items of one file, with what happened to the items."""

    page: ParsedPage = field(default_factory=ParsedPage)
    read: int = 0
    """Items read (HAR entries, lines, rows, files)."""
    skipped: int = 0
    """Items that are not for this tool (unrelated traffic, other platforms)."""
    skip_reason: str | None = None
    """Why the items were skipped, e.g. the host of unrelated HAR traffic (for the summary)."""
    parsed: int = 0
    """Responses handed to a platform parser."""
    links: list[CampaignLink] = field(default_factory=list)
    """Campaign links that do not come from tag matching (submissions)."""
    unit_accounts: list[tuple[str, str, str]] = field(default_factory=list)
    """(platform, account uid, unit name): accounts a submission row attributes to a unit."""
    work_units: list[tuple[str, str, str]] = field(default_factory=list)
    """(platform, post id, unit name): works whose account is not known yet; their account, once
    another door (a capture, a live run) has named it, is attributed to the unit."""
    duplicates: list[str] = field(default_factory=list)
    """Human-readable notes on duplicate items counted once."""
    notes: list[str] = field(default_factory=list)
    """Warnings for the report (a missing optional column, an article page that failed...)."""
    refused: str | None = None
    """Why the whole file was refused although it could be read (a saved body no parser takes):
    its reject holds the body; the service reports the file as failed, so a run that stored
    nothing from it is never ``ok``."""

    def reject(
        self, reason: str, *, location: str, payload: str = "", platform: str | None = None
    ) -> None:
        self.page.rejects.append(
            RejectRecord(reason=reason, payload=payload, platform=platform, location=location)
        )


def prefix_rejects(page: ParsedPage, where: str) -> None:
    """Put the reader's location in front of a parser's own (``data.cards[3].mblog``)."""
    for reject in page.rejects:
        reject.location = f"{where} {reject.location}" if reject.location else where
