"""Live connectors by platform id, derived from the platform specs.

A platform is live when its spec names a ``client``; a typo in a config file fails with the
list of live platforms instead of silently collecting nothing. Classes are imported lazily so
one platform's import problem cannot stop the others.
"""

from __future__ import annotations

from typing import Any

from connectors import catalogue
from connectors.base import Connector
from tracker.errors import ConfigError


def http_defaults(platform: str) -> dict[str, Any]:
    """Platform facts the HTTP layer needs, merged under the configured settings."""
    found = catalogue.get(platform)
    return dict(found.http) if found else {}


def connector_class(platform: str) -> type[Connector]:
    found = catalogue.get(platform)
    if found is None or found.client is None:
        raise ConfigError(
            f"没有 {platform!r} 的采集连接器；可选: {', '.join(catalogue.live_platforms())}"
        )
    cls = found.load(found.client)
    if not (isinstance(cls, type) and issubclass(cls, Connector)):  # pragma: no cover
        raise TypeError(f"{found.client} is not a Connector")
    return cls
