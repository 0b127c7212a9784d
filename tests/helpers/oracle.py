"""The "who has not reported" list computed independently, in plain SQL, as the tests' oracle.

The report, the dashboard and the summary export all call one pure function
(``tracker.membership.unreported``); their tests compare it with this separate reading of the
same rule: registry units minus those with a counted campaign work (not excluded, not deleted)
and minus those a submission named.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

_WITH_WORK = (
    "SELECT DISTINCT u.name FROM unit u JOIN account_unit au ON au.unit_id = u.id"
    " JOIN post p ON p.platform = au.platform AND p.account_uid = au.platform_uid"
    " JOIN post_campaign pc ON pc.platform = p.platform"
    "  AND pc.platform_post_id = p.platform_post_id"
    " JOIN campaign c ON c.id = pc.campaign_id"
    " WHERE pc.excluded = 0 AND p.deleted = 0 AND (:c IS NULL OR c.name = :c)"
)
_SUBMITTED = (
    "SELECT pc.matched_value FROM post_campaign pc JOIN campaign c ON c.id = pc.campaign_id"
    " WHERE pc.matched_by = 'submission' AND (:c IS NULL OR c.name = :c)"
)


def unreported_by_sql(engine: Engine, campaign: str | None = None) -> set[str]:
    """Names of the registry units that have not reported (in ``campaign``, or in any)."""
    with engine.connect() as conn:
        registry = {r[0] for r in conn.execute(text("SELECT name FROM unit"))}
        with_work = {r[0] for r in conn.execute(text(_WITH_WORK), {"c": campaign})}
        submitted = {r[0] for r in conn.execute(text(_SUBMITTED), {"c": campaign})}
    return registry - with_work - submitted
