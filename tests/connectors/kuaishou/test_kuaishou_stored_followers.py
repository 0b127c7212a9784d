"""An author the store read in the last 24 hours is not read again (Kuaishou): profiles are
read once per account per day at most, and the refresh's detail pass would otherwise read the
profile of every refreshed work's author."""

from __future__ import annotations

from ks_world import accounts, live_connector, make_posts, serve

from connectors.base import CollectRequest, StoredFacts
from connectors.kuaishou.client import KuaishouConnector

TAGS = ["#千万IP创科普#"]


def connector() -> KuaishouConnector:
    return live_connector()


def _visible_ids() -> list[str]:
    return [p.post_id for p in make_posts() if p.matches_campaign and not p.deleted]


def test_the_connector_declares_the_followers_it_spares_requests_with():
    assert KuaishouConnector.uses_stored == frozenset({"followers"})


def test_refresh_reads_only_the_profiles_of_authors_the_store_did_not_read_today():
    known = accounts()[0]
    platform, mock = serve()
    profiles = platform.profiles
    with mock:
        conn = connector()
        conn.use_stored(StoredFacts(followers={known.uid: 1_000}))
        pages = list(conn.refresh(_visible_ids()))
    posts = [p for page in pages for p in page.parsed.posts if not p.deleted]
    authors = {p.account_uid for p in posts}
    assert known.uid in authors and len(authors) > 1
    assert known.uid not in profiles
    assert sorted(profiles) == sorted(authors - {known.uid})  # the others once each
    assert conn.http.stats.by_purpose["profile"] == len(authors) - 1
    # The known author's figure is the store's to keep: no copy stands as a new reading.
    assert {p.followers_at_capture for p in posts if p.account_uid == known.uid} == {None}
    mine = [a for page in pages for a in page.parsed.accounts if a.platform_uid == known.uid]
    assert mine and all(a.followers is None for a in mine)
    others = [p for p in posts if p.account_uid != known.uid]
    truth = {a.uid: a.followers for a in accounts()}
    assert all(p.followers_at_capture == truth[p.account_uid] for p in others)


def test_without_stored_facts_every_author_is_read_once():
    platform, mock = serve()
    profiles = platform.profiles
    with mock:
        conn = connector()
        pages = list(conn.refresh(_visible_ids()))
    authors = {p.account_uid for page in pages for p in page.parsed.posts if not p.deleted}
    assert sorted(profiles) == sorted(authors)


def test_collect_skips_the_known_authors_too():
    known = {a.uid for a in accounts()[:2]}
    platform, mock = serve()
    profiles = platform.profiles
    with mock:
        conn = connector()
        conn.use_stored(StoredFacts(followers=dict.fromkeys(known, 5)))
        pages = list(conn.collect(CollectRequest(tags=TAGS)))
    authors = {p.account_uid for page in pages for p in page.parsed.posts}
    assert known <= authors
    assert set(profiles) == authors - known
