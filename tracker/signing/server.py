"""The development signer, speaking the signer plug-in contract over HTTP or stdin/stdout.

The simulator checks ``tracker.signing.dev`` signatures, so running the connectors against it
through this process exercises the whole plug-in path (connector -> plug-in -> signed request ->
platform check) exactly as a user's real signer would be used:

- ``serve_dev_signer()`` starts a small stdlib HTTP server (``POST /sign``) in a thread, for
  tests and for ``tracker sim signer serve``; configure it as ``signer = "http://HOST:PORT/sign"``;
- ``python -m tracker.signing.server --stdin`` answers one request read on stdin, so it works
  as ``signer = "cmd:python -m tracker.signing.server --stdin"``.

Requests carry cookies; nothing here logs a request or echoes one back in an error.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Any

import typer

from tracker.signing.dev import dev_sign

_MAX_BODY = 1 << 20
"""Largest request accepted (1 MiB): a signer request is a URL, a few params and one body."""


class SignRequestError(ValueError):
    """A request that does not follow the plug-in contract; the message names fields only."""


def answer(request: Any) -> dict[str, dict[str, str]]:
    """The dev signer's answer to one plug-in request (``{"params": ..., "headers": ...}``)."""
    if not isinstance(request, Mapping):
        raise SignRequestError("request must be a JSON object")
    platform = request.get("platform")
    if not isinstance(platform, str) or not platform:
        raise SignRequestError('"platform" must be a non-empty string')
    params = request.get("params") or {}
    if not isinstance(params, Mapping):
        raise SignRequestError('"params" must be an object')
    body = request.get("body")
    if body is not None and not isinstance(body, str):
        raise SignRequestError('"body" must be a string or null')
    return dev_sign(platform, {str(k): v for k, v in params.items()}, body)


class _Handler(BaseHTTPRequestHandler):
    server_version = "kepu-dev-signer/1"

    def do_POST(self) -> None:  # noqa: N802 (stdlib naming)
        if self.path.split("?", 1)[0].rstrip("/") != "/sign":
            self._reply(404, {"error": "POST /sign"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > _MAX_BODY:
            self._reply(413 if length > _MAX_BODY else 400, {"error": "bad Content-Length"})
            return
        raw = self.rfile.read(length)
        try:
            request = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            self._reply(400, {"error": "request body is not JSON"})
            return
        try:
            self._reply(200, answer(request))
        except SignRequestError as exc:
            self._reply(400, {"error": str(exc)})

    def do_GET(self) -> None:  # noqa: N802
        self._reply(405, {"error": "POST /sign"})

    def _reply(self, status: int, payload: Mapping[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silent: request lines are harmless, but a signer should not chatter on stderr."""


class DevSignerServer:
    """A running dev signer; ``url`` is what to configure, ``stop()`` ends it."""

    def __init__(self, httpd: ThreadingHTTPServer, thread: threading.Thread | None) -> None:
        self._httpd = httpd
        self._thread = thread
        host, port = httpd.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.url = f"http://{self.host}:{self.port}/sign"

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> DevSignerServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _make_httpd(host: str, port: int) -> ThreadingHTTPServer:
    httpd = ThreadingHTTPServer((host, port), _Handler)
    httpd.daemon_threads = True
    return httpd


def serve_dev_signer(host: str = "127.0.0.1", port: int = 0) -> DevSignerServer:
    """Start the dev signer in a background thread (``port=0``: any free port)."""
    httpd = _make_httpd(host, port)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="dev-signer", daemon=True
    )
    thread.start()
    return DevSignerServer(httpd, thread)


def main_command_mode(stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Read one request JSON on stdin, print the answer JSON; exit 2 on a bad request."""
    sink = stdout if stdout is not None else sys.stdout
    try:
        # Bytes, decoded as UTF-8 whatever the locale: the plug-in contract is UTF-8 JSON.
        text = stdin.read() if stdin is not None else sys.stdin.buffer.read().decode("utf-8")
        result = answer(json.loads(text))
    except (json.JSONDecodeError, UnicodeDecodeError):
        print("dev signer: stdin is not a JSON request", file=sys.stderr)
        return 2
    except SignRequestError as exc:
        print(f"dev signer: {exc}", file=sys.stderr)
        return 2
    sink.write(json.dumps(result))  # ASCII-only: safe whatever stdout's encoding
    sink.write("\n")
    sink.flush()
    return 0


signer_app = typer.Typer(help="开发签名服务 (development signer for the simulator).")


@signer_app.callback()
def _signer_group() -> None:
    """The development signer: signatures the simulator accepts, over HTTP or stdin."""


@signer_app.command("serve")
def serve(
    port: int = typer.Option(8765, min=0, max=65535, help="port to listen on (0: any free port)"),
    host: str = typer.Option("127.0.0.1", help="address to bind; keep it on loopback"),
) -> None:
    """Serve POST /sign until Ctrl-C."""
    httpd = _make_httpd(host, port)
    server = DevSignerServer(httpd, None)
    typer.echo(f"开发签名服务已启动 / dev signer listening: {server.url}")
    typer.echo(f'在配置中设置 / configure:  signer = "{server.url}"')
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@signer_app.command("stdin")
def stdin_command() -> None:
    """Answer one request read on stdin (the cmd: plug-in mode)."""
    raise typer.Exit(main_command_mode())


if __name__ == "__main__":
    if "--stdin" in sys.argv[1:]:
        sys.exit(main_command_mode())
    signer_app()
