"""Passwords, the user list, loopback detection and the login guard (Flask test client)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("flask", reason="the dashboard extra is not installed")

from flask import Flask  # noqa: E402

from dashboards.auth import (  # noqa: E402
    LOCAL_PREFIX,
    current_user,
    hash_password,
    install_login,
    is_loopback,
    load_users,
    parse_users,
    require_users,
    verify_password,
)
from tracker.errors import ConfigError  # noqa: E402

HASH = hash_password("correct horse", salt=b"0123456789abcdef")


def test_hash_and_verify() -> None:
    assert HASH.startswith("scrypt$16384$8$1$")
    assert verify_password("correct horse", HASH)
    assert not verify_password("correct horse ", HASH)
    assert not verify_password("x", "scrypt$bad")
    assert not verify_password("x", "md5$1$2$3$4$5")
    assert hash_password("same") != hash_password("same")  # salted


def test_parse_and_load_users(tmp_path: Path) -> None:
    assert parse_users(f"alice:{HASH}; bob:{HASH}\n# comment\n") == {"alice": HASH, "bob": HASH}
    with pytest.raises(ConfigError, match="第 1 项"):
        parse_users("alice:plaintext")
    users_file = tmp_path / "users.txt"
    users_file.write_text(f"carol:{HASH}\n", encoding="utf-8")
    env = {"TRACKER_DASHBOARD_USERS": f"dave:{HASH}"}
    assert load_users(users_file, env) == {"carol": HASH, "dave": HASH}
    assert load_users(None, {"TRACKER_DASHBOARD_USERS_FILE": str(users_file)}) == {"carol": HASH}
    assert load_users(None, {}) == {}
    with pytest.raises(ConfigError, match="无法读取用户文件"):
        load_users(tmp_path / "missing.txt", {})


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("192.168.1.5", False), ("::", False),
     ("dashboard.local", False)],
)  # fmt: skip
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_non_loopback_bind_needs_users() -> None:
    require_users("127.0.0.1", {})
    require_users("0.0.0.0", {"alice": HASH})
    with pytest.raises(ConfigError, match="必须配置登录用户"):
        require_users("0.0.0.0", {})


@pytest.fixture
def server() -> Flask:
    app = Flask(__name__)

    @app.route("/")
    def index() -> str:
        return f"hello {current_user()}"

    @app.route("/_dash-update-component", methods=["POST"])
    def update() -> str:
        return "{}"

    install_login(app, {"alice": HASH}, secret_key="test-secret")
    return app


def test_pages_redirect_to_login_and_api_calls_get_401(server: Flask) -> None:
    client = server.test_client()
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=/")
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    login = client.get("/login")
    assert login.status_code == 200 and "用户名" in login.get_data(as_text=True)


def test_login_logout_and_signed_in_user(server: Flask) -> None:
    client = server.test_client()
    bad = client.post("/login", data={"username": "alice", "password": "wrong", "next": "/"})
    assert bad.status_code == 401 and "用户名或密码错误" in bad.get_data(as_text=True)
    unknown = client.post("/login", data={"username": "mallory", "password": "correct horse"})
    assert unknown.status_code == 401
    ok = client.post("/login", data={"username": "alice", "password": "correct horse", "next": "/"})
    assert ok.status_code == 303 and ok.headers["Location"] == "/"
    assert client.get("/").get_data(as_text=True) == "hello alice"
    assert client.post("/_dash-update-component", json={}).status_code == 200
    client.get("/logout")
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 302


def test_login_never_redirects_off_site(server: Flask) -> None:
    client = server.test_client()
    for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        r = client.post(
            "/login", data={"username": "alice", "password": "correct horse", "next": target}
        )
        assert r.headers["Location"] == "/", target
    page = client.get('/login?next="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_without_sign_in_the_local_user_is_named() -> None:
    app = Flask(__name__)
    with app.test_request_context("/"):
        assert current_user().startswith(LOCAL_PREFIX)
