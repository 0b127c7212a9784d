"""Loopback ports for servers a test starts in another process.

A server inside the test process binds port 0 and reports what it got, which never races.
A subprocess must be told its port in advance; "bind 0, close, pass the number on" can race
with any other process on the machine taking that number meanwhile, and the kernel hands out
such numbers from its ephemeral range to every outgoing connection too. So each parallel
worker picks from its own block below the ephemeral range, where nothing else is assigned.
"""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

_BLOCK = 500


def _ephemeral_floor() -> int:
    try:
        low = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0]
        return int(low)
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default lower bound


def _worker_index() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # "gw3" under pytest-xdist
    digits = name.removeprefix("gw")
    return int(digits) if digits.isdigit() else 0


def free_port() -> int:
    """A loopback port free right now, from this worker's own block."""
    top = _ephemeral_floor()
    start = top - _BLOCK * (_worker_index() + 1)
    assert start > 1024, "too many workers for the port blocks below the ephemeral range"
    candidates = list(range(start, start + _BLOCK))
    random.shuffle(candidates)  # two runs on one machine rarely start on the same number
    for port in candidates:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {start}..{start + _BLOCK - 1}")
