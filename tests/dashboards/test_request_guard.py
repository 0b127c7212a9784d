"""The loopback dashboard against DNS rebinding and cross-site requests (Flask test client).

Open on loopback without sign-in, the dashboard trusts "whoever can reach 127.0.0.1". A web
page on a rebinding domain (``evil.example`` resolving to 127.0.0.1) reaches it as same-origin,
and a plain cross-site form or fetch reaches its POST endpoints. So the ``Host`` must name the
dashboard (loopback names, the bound address and port, ``TRACKER_DASHBOARD_HOSTS``) or the
request gets 400, and a state-changing request from another origin (``Origin`` or
``Sec-Fetch-Site``) gets 403.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("dash", reason="the dashboard extra is not installed")
pytest.importorskip("dash_ag_grid", reason="the dashboard extra is not installed")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from sqlalchemy import select  # noqa: E402

from dashboards import pages  # noqa: E402
from dashboards.app import create_app  # noqa: E402
from dashboards.auth import hash_password  # noqa: E402
from dashboards.source import DashboardData  # noqa: E402
from tracker.store.models import Review  # noqa: E402

from ..helpers.worlds import SimDB  # noqa: E402

FOREIGN_HOSTS = (
    "evil.example",
    "evil.example:8050",
    "127.0.0.1.evil.example:8050",
    "localhost.evil.example",
    "evil.localhost:8050",
    "0.0.0.0:8050",
    "192.168.1.10:8050",
)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1:8050", "localhost:8050", "[::1]:8050", "LOCALHOST:8050")


@pytest.fixture(scope="module")
def client(sim_db: SimDB) -> Any:
    return create_app(sim_db.engine, sim_db.config).server.test_client()


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_a_foreign_host_is_refused_for_get_and_post(client: Any, host: str) -> None:
    headers = {"Host": host}
    for response in (
        client.get("/", headers=headers),
        client.get("/_dash-layout", headers=headers),
        client.post("/_dash-update-component", json={}, headers=headers),
    ):
        assert response.status_code == 400, (host, response.status_code)
        assert "Host" in response.get_data(as_text=True)


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
def test_loopback_hosts_are_served(client: Any, host: str) -> None:
    assert client.get("/", headers={"Host": host}).status_code == 200
    assert client.get("/_dash-layout", headers={"Host": host}).status_code == 200


def test_the_bound_port_and_configured_names(
    sim_db: SimDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_DASHBOARD_HOSTS", "dash.kepu.example, other.example:8443")
    app = create_app(sim_db.engine, sim_db.config, port=8050)
    c = app.server.test_client()
    served = ("127.0.0.1:8050", "dash.kepu.example", "dash.kepu.example:8050", "other.example:8443")
    for host in served:
        assert c.get("/_dash-layout", headers={"Host": host}).status_code == 200, host
    for host in ("127.0.0.1:9999", "localhost:8051", "other.example:8050", "evil.example:8050"):
        assert c.get("/_dash-layout", headers={"Host": host}).status_code == 400, host
    named = create_app(sim_db.engine, sim_db.config, allowed_hosts=["intranet.kepu"])
    assert named.server.test_client().get("/", headers={"Host": "intranet.kepu"}).status_code == 200


@pytest.mark.parametrize(
    ("bound", "served", "refused"),
    [
        ("10.1.2.3", ["10.1.2.3:8050", "127.0.0.1:8050"], ["10.1.2.4:8050", "10.1.2.3:80"]),
        ("dash.kepu", ["dash.kepu:8050", "localhost:8050"], ["dash.kepu:9000", "kepu:8050"]),
        # Bound to every address: any of the machine's IPs, never a name (rebinding uses names).
        ("0.0.0.0", ["192.168.1.10:8050", "[fe80::1]:8050"], ["192.168.1.10:9000", "x.y:8050"]),
        ("::", ["10.0.0.7:8050", "127.0.0.1:8050"], ["evil.example:8050"]),
    ],
)
def test_the_bound_address_is_served(
    sim_db: SimDB, bound: str, served: list[str], refused: list[str]
) -> None:
    users = {"alice": hash_password("pa55word!")}
    app = create_app(
        sim_db.engine, sim_db.config, host=bound, port=8050, users=users, secret_key="k"
    )
    c = app.server.test_client()
    for host in served:
        assert c.get("/login", headers={"Host": host}).status_code == 200, host
    for host in [*refused, "evil.example:8050"]:
        assert c.get("/login", headers={"Host": host}).status_code == 400, host


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "http://evil.example:8050"},
        {"Origin": "http://localhost:9999"},  # another local service is another origin
        {"Origin": "https://localhost"},
        {"Origin": "null"},  # sandboxed frames and file:// pages
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_cross_origin_post_is_refused(client: Any, headers: dict[str, str]) -> None:
    response = client.post("/_dash-update-component", json={}, headers=headers)
    assert response.status_code == 403
    assert "Origin" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [
        {},  # not a browser (curl, a script on the machine)
        {"Origin": "http://localhost"},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed in the address bar
    ],
)
def test_a_same_origin_post_is_served(client: Any, headers: dict[str, str]) -> None:
    # An empty update is not a callback Dash knows: anything but the guard's 403 is fine.
    response = client.post("/_dash-update-component", json={}, headers=headers)
    assert response.status_code not in (400, 403)


def test_a_cross_origin_read_of_a_page_is_still_served(client: Any) -> None:
    """GET changes nothing; a browser's same-origin policy keeps its answer from a foreign page."""
    assert client.get("/", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


def _detail_review(key: tuple[str, str]) -> dict[str, Any]:
    """The Dash request the work page's 通过 button sends."""
    return {
        "output": "detail-msg.children",
        "outputs": {"id": "detail-msg", "property": "children"},
        "inputs": [
            {"id": "detail-approve", "property": "n_clicks", "value": 1},
            {"id": "detail-reject", "property": "n_clicks", "value": None},
        ],
        "changedPropIds": ["detail-approve.n_clicks"],
        "state": [
            {"id": "detail-key", "property": "data", "value": list(key)},
            {"id": "detail-note", "property": "value", "value": "跨站测试"},
        ],
    }


def _reviews(db: SimDB) -> list[Any]:
    with db.engine.connect() as conn:
        return conn.execute(select(Review.__table__)).all()


def test_a_cross_origin_review_is_not_recorded(sim_db_copy: SimDB) -> None:
    data = DashboardData(sim_db_copy.engine, sim_db_copy.config)
    row = pages.review_rows(data, data.filters(None), "pending")[0][0]
    key = (row["platform_id"], row["post_id"])
    c = create_app(sim_db_copy.engine, sim_db_copy.config, port=8050).server.test_client()
    body = _detail_review(key)
    foreign = c.post(
        "/_dash-update-component",
        json=body,
        headers={"Host": "127.0.0.1:8050", "Origin": "http://evil.example"},
    )
    assert foreign.status_code == 403
    rebound = c.post(
        "/_dash-update-component",
        json=body,
        headers={"Host": "evil.example:8050", "Origin": "http://evil.example:8050"},
    )
    assert rebound.status_code == 400
    assert _reviews(sim_db_copy) == []
    same = c.post(
        "/_dash-update-component",
        json=body,
        headers={"Host": "127.0.0.1:8050", "Origin": "http://127.0.0.1:8050"},
    )
    assert same.status_code == 200, same.get_data(as_text=True)
    assert "已记录 1 件" in same.get_json()["response"]["detail-msg"]["children"]
    (review,) = _reviews(sim_db_copy)
    assert (review.platform, review.platform_post_id, review.status) == (*key, "approved")


def test_sign_in_is_guarded_too(sim_db: SimDB) -> None:
    """With users configured, a foreign host or a cross-site login POST never gets that far."""
    users = {"alice": hash_password("pa55word!")}
    app = create_app(sim_db.engine, sim_db.config, host="0.0.0.0", users=users, secret_key="k")
    c = app.server.test_client()
    form = {"username": "alice", "password": "pa55word!", "next": "/"}
    assert c.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert c.post("/login", data=form, headers={"Origin": "http://evil.example"}).status_code == 403
    assert c.post("/login", data=form, headers={"Origin": "http://localhost"}).status_code == 303


_labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(_labels, min_size=1, max_size=4),
    port=st.one_of(st.none(), st.integers(min_value=1, max_value=65535)),
)
def test_no_other_name_is_ever_served(client: Any, labels: list[str], port: int | None) -> None:
    """Any DNS name but the loopback ones, with any port, is refused."""
    name = ".".join(labels)
    if name in ("localhost", "127.0.0.1"):
        return
    host = name if port is None else f"{name}:{port}"
    assert client.get("/_dash-layout", headers={"Host": host}).status_code == 400, host
