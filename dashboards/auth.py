"""Sign-in for the dashboard: hashed passwords, a login page, and no open door off loopback.

Rules:
- Bound to loopback (127.0.0.1, ::1, localhost) with no users configured, the dashboard is open
  to the person at the machine; review decisions are recorded as ``本机:<OS user>``.
- Bound to anything else, users must be configured, or the dashboard refuses to start.
- When users are configured (whatever the host), every request needs a signed-in session:
  pages redirect to ``/login``, everything else (Dash's JSON endpoints, assets) answers 401.

- Every request must name the dashboard in its ``Host`` (loopback names, the bound address and
  port, or a name in ``TRACKER_DASHBOARD_HOSTS``), else 400: a web page on a DNS-rebinding
  domain (``evil.example`` resolving to 127.0.0.1) would otherwise read the data and act as the
  person at the machine. Every state-changing request (POST: Dash callbacks, which record review
  decisions, and sign-in) must come from the dashboard's own origin (``Origin``,
  ``Sec-Fetch-Site``), else 403: a plain cross-site form or fetch never sees a 2xx.

Users come from ``TRACKER_DASHBOARD_USERS`` (``name:hash`` entries separated by ``;`` or new
lines) or a file of such lines (``--users`` / ``TRACKER_DASHBOARD_USERS_FILE``). Hashes are
``scrypt$n$r$p$salt$hash`` from the standard library (``tracker dashboard-passwd`` prints one),
so no plain password is ever stored.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import html
import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, redirect, request, session

from tracker.errors import ConfigError

__all__ = [
    "LOCAL_PREFIX",
    "allowed_hosts",
    "current_user",
    "hash_password",
    "install_login",
    "install_request_guard",
    "is_loopback",
    "load_allowed_names",
    "load_users",
    "parse_users",
    "require_users",
    "verify_password",
]

ENV_USERS = "TRACKER_DASHBOARD_USERS"
ENV_USERS_FILE = "TRACKER_DASHBOARD_USERS_FILE"
ENV_SECRET = "TRACKER_DASHBOARD_SECRET"
ENV_HOSTS = "TRACKER_DASHBOARD_HOSTS"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_ORIGIN_FETCH = frozenset({"same-origin", "none"})
LOCAL_PREFIX = "本机:"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
PUBLIC_PATHS = ("/login", "/logout")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def parse_users(text: str, *, where: str = ENV_USERS) -> dict[str, str]:
    users: dict[str, str] = {}
    for n, raw in enumerate(text.replace(";", "\n").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, encoded = line.partition(":")
        name, encoded = name.strip(), encoded.strip()
        if not sep or not name or not encoded.startswith("scrypt$") or encoded.count("$") != 5:
            raise ConfigError(
                f"{where} 第 {n} 项格式应为 用户名:scrypt$…（用 `tracker dashboard-passwd 用户名` 生成）"
            )
        users[name] = encoded
    return users


def load_users(
    users_file: str | Path | None = None, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = os.environ if env is None else env
    users: dict[str, str] = {}
    path = users_file or env.get(ENV_USERS_FILE)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"无法读取用户文件 {path}: {exc}") from exc
        users.update(parse_users(text, where=str(path)))
    if env.get(ENV_USERS):
        users.update(parse_users(env[ENV_USERS]))
    return users


def is_loopback(host: str) -> bool:
    if host.strip().lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_allowed_names(env: Mapping[str, str] | None = None) -> list[str]:
    """Extra names the dashboard answers to (``TRACKER_DASHBOARD_HOSTS``: names or name:port,
    separated by commas, semicolons or spaces), e.g. an intranet name behind a reverse proxy."""
    env = os.environ if env is None else env
    raw = env.get(ENV_HOSTS) or ""
    return [n for n in raw.replace(";", ",").replace(",", " ").split() if n]


def _split_host(value: str) -> tuple[str, int | None] | None:
    """``"Localhost:8050"`` -> ``("localhost", 8050)``; ``"[::1]"`` -> ``("::1", None)``; a
    malformed value (bad port, stray brackets, user info) -> None."""
    value = value.strip().lower().rstrip(".")
    if not value or "@" in value or "/" in value:
        return None
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else None
    elif value.count(":") > 1:  # a bare IPv6 address (never a valid Host header, but a setting)
        name, port_text = value, None
    else:
        name, _, port_text = value.partition(":")
        port_text = port_text if ":" in value else None
    if port_text is not None and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        return None
    return name.rstrip("."), int(port_text) if port_text is not None else None


def allowed_hosts(host: str, port: int | None, names: list[str]) -> list[tuple[str, int | None]]:
    """The (name, port) pairs a ``Host`` header may carry; a port of ``None`` allows any port.

    The loopback names and the bound address answer on the bound port only; a configured name
    without a port on any port (a reverse proxy may use its own).
    """
    bound = [n for n in (*LOOPBACK_NAMES, host) if n.strip("[]") not in WILDCARD_ADDRESSES]
    allowed = []
    for name in bound:
        split = _split_host(name if ":" not in name or name.startswith("[") else f"[{name}]")
        if split is not None:
            allowed.append((split[0], port))
    for name in names:
        split = _split_host(name)
        if split is None:
            raise ConfigError(
                f"{ENV_HOSTS} 中的 {name!r} 不是主机名或 主机名:端口 (not a host name or host:port)"
            )
        allowed.append(split)
    return allowed


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _host_allowed(
    value: str, allowed: list[tuple[str, int | None]], *, any_ip_on: int | None | bool = False
) -> bool:
    """Whether a ``Host`` header names the dashboard. ``any_ip_on`` (bound to a wildcard
    address): any IP literal on that port is ours too, since the machine answers on all its
    addresses, and an IP literal cannot be a rebinding name."""
    split = _split_host(value)
    if split is None:
        return False
    name, port = split
    if any_ip_on is not False and _is_ip(name) and (any_ip_on is None or port in (None, any_ip_on)):
        return True
    return any(name == a and (want is None or port in (None, want)) for a, want in allowed)


def _origin_allowed(origin: str | None, fetch_site: str | None, host: str, scheme: str) -> bool:
    """A state-changing request comes from our own page: its ``Origin`` is this very
    ``scheme://Host`` and the browser did not flag it as cross-site. A request with neither
    header is not from a browser page (curl, a script) and cannot be a cross-site forgery."""
    if fetch_site is not None and fetch_site.strip().lower() not in SAME_ORIGIN_FETCH:
        return False
    if origin is None:
        return True
    parts = urlsplit(origin.strip().lower())
    if parts.scheme != scheme or not parts.netloc or parts.path not in ("", "/"):
        return False
    return _split_host(parts.netloc) == _split_host(host)


def _refusal(status: int, zh: str, en: str) -> Response:
    return Response(f"{zh} ({en})\n", status=status, mimetype="text/plain")


def install_request_guard(
    server: Flask, *, host: str, port: int | None = None, names: list[str] | None = None
) -> None:
    """Refuse a foreign ``Host`` (400) and a cross-origin state change (403); see the module doc.

    Installed before the login guard, so a rebinding page is refused before it is ever sent to
    the sign-in page.
    """
    allowed = allowed_hosts(host, port, load_allowed_names() if names is None else names)
    any_ip_on: int | None | bool = port if host.strip("[]") in WILDCARD_ADDRESSES else False

    @server.before_request
    def _check_host_and_origin():  # type: ignore[no-untyped-def]
        host_header = request.headers.get("Host", "")  # as sent: Werkzeug drops a ":80"
        if not _host_allowed(host_header, allowed, any_ip_on=any_ip_on):
            return _refusal(
                400,
                f"不受信任的 Host：{host_header!r}；如需用其他名称访问，请在 {ENV_HOSTS} 中配置",
                f"untrusted Host header; add the name to {ENV_HOSTS}",
            )
        if request.method in SAFE_METHODS:
            return None
        origin = request.headers.get("Origin")
        fetch_site = request.headers.get("Sec-Fetch-Site")
        if not _origin_allowed(origin, fetch_site, host_header, request.scheme):
            return _refusal(
                403,
                "拒绝跨站请求：修改操作只接受来自本看板页面的请求",
                "cross-origin request refused: Origin / Sec-Fetch-Site is not this dashboard",
            )
        return None


def require_users(host: str, users: Mapping[str, str]) -> None:
    if not is_loopback(host) and not users:
        raise ConfigError(
            f"仪表盘绑定到 {host}（非本机地址）时必须配置登录用户：设置 {ENV_USERS} 或用 --users "
            "指定用户文件（`tracker dashboard-passwd 用户名` 生成密码哈希）；仅本机使用请用 --host 127.0.0.1"
        )


def current_user() -> str:
    """The signed-in user, or the local OS user when sign-in is off (loopback only)."""
    user = session.get("user") if _has_request() else None
    if user:
        return str(user)
    try:
        return LOCAL_PREFIX + getpass.getuser()
    except OSError:
        return LOCAL_PREFIX + "unknown"


def _has_request() -> bool:
    from flask import has_request_context

    return has_request_context()


_DUMMY_HASH = hash_password(secrets.token_hex(8))

_LOGIN_PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>登录 - 数据看板</title>
<style>
body {{ font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif; background: #f6f8fb;
  display: flex; align-items: center; justify-content: center; min-height: 100vh; margin: 0; }}
form {{ background: #fff; border: 1px solid #e3e7ee; border-radius: 8px; padding: 28px 32px; width: 320px; }}
h1 {{ font-size: 20px; color: #1d4f91; margin: 0 0 16px; }}
label {{ display: block; margin: 10px 0 4px; color: #444; }}
input {{ width: 100%; padding: 8px; box-sizing: border-box; border: 1px solid #c9d1dc; border-radius: 4px; }}
button {{ margin-top: 18px; width: 100%; padding: 9px; background: #1d4f91; color: #fff; border: 0;
  border-radius: 4px; font-size: 15px; cursor: pointer; }}
.error {{ color: #c62828; margin: 8px 0 0; }}
</style></head><body>
<form method="post" action="/login">
<h1>千万IP创科普 数据看板</h1>
<input type="hidden" name="next" value="{next}">
<label for="username">用户名</label><input id="username" name="username" autocomplete="username" required>
<label for="password">密码</label><input id="password" name="password" type="password"
 autocomplete="current-password" required>
{error}<button type="submit">登录</button>
</form></body></html>"""


def _safe_next(value: str | None) -> str:
    """Only same-site paths, so the login form cannot be turned into an open redirect."""
    if not value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    return value


def _login_page(next_url: str, error: str = "", status: int = 200) -> Response:
    err = f'<p class="error">{html.escape(error)}</p>' if error else ""
    body = _LOGIN_PAGE.format(next=html.escape(next_url, quote=True), error=err)
    return Response(body, status=status, mimetype="text/html")


def install_login(
    server: Flask, users: Mapping[str, str], *, secret_key: str | None = None
) -> None:
    """Guard every request of ``server`` behind a session sign-in with ``users``."""
    server.secret_key = secret_key or os.environ.get(ENV_SECRET) or secrets.token_hex(32)
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="tracker_session",
    )
    table = dict(users)

    @server.before_request
    def _guard():  # type: ignore[no-untyped-def]
        if request.path in PUBLIC_PATHS or session.get("user") in table:
            return None
        wants_page = request.method == "GET" and "text/html" in request.headers.get("Accept", "")
        if wants_page:
            return redirect("/login?next=" + request.full_path.rstrip("?"), code=302)
        return Response("需要登录 (login required)\n", status=401, mimetype="text/plain")

    @server.route("/login", methods=["GET", "POST"])
    def _login():  # type: ignore[no-untyped-def]
        if request.method == "GET":
            return _login_page(_safe_next(request.args.get("next")))
        name = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        next_url = _safe_next(request.form.get("next"))
        encoded = table.get(name)
        ok = verify_password(password, encoded or _DUMMY_HASH) and encoded is not None
        if not ok:
            return _login_page(next_url, "用户名或密码错误", status=401)
        session.clear()
        session["user"] = name
        return redirect(next_url, code=303)

    @server.route("/logout")
    def _logout():  # type: ignore[no-untyped-def]
        session.clear()
        return redirect("/login", code=302)
