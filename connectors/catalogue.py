"""The platforms this tool knows: one line per platform package, every list derived from them.

A platform is a package under ``connectors/`` exporting ``SPEC`` (:class:`PlatformSpec`); the
tuple below is the only place that lists them, in display order. Everything else asks here:
the ids (:data:`PLATFORMS`), the Chinese names (:data:`PLATFORM_NAMES_ZH`), the live
connectors, hosts and aliases, config defaults and simulator mounts. A package that is listed
but fails to import is a bug in that package and propagates: a silently missing platform is
exactly what this module exists to prevent.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from typing import overload

from connectors.spec import PlatformSpec

PLATFORM_PACKAGES: tuple[str, ...] = (
    "connectors.weibo",
    "connectors.douyin",
    "connectors.kuaishou",
    "connectors.zhihu",
    "connectors.bilibili",
    "connectors.xiaohongshu",
    "connectors.tiktok",
    "connectors.kepuchina",
    "connectors.xuexi",
    "connectors.qqnews",
)
"""Every platform package, in display order (the order of tables, charts and collection)."""

_reset_hooks: list[Callable[[], None]] = []


@cache
def specs() -> dict[str, PlatformSpec]:
    """Platform id -> spec, in display order."""
    out: dict[str, PlatformSpec] = {}
    for package in PLATFORM_PACKAGES:
        spec = importlib.import_module(package).SPEC
        if not isinstance(spec, PlatformSpec):
            raise TypeError(f"{package}.SPEC is not a PlatformSpec")
        if spec.id in out:
            raise ValueError(f"platform id {spec.id!r} is declared twice ({package})")
        out[spec.id] = spec
    return out


def on_reset(hook: Callable[[], None]) -> Callable[[], None]:
    """Register a cache that derives from the catalogue, so :func:`reset` clears it too."""
    _reset_hooks.append(hook)
    return hook


def reset() -> None:
    """Forget the loaded specs and every cache derived from them (after the list changed)."""
    specs.cache_clear()
    for hook in _reset_hooks:
        hook()


def spec(platform: str) -> PlatformSpec:
    try:
        return specs()[platform]
    except KeyError:
        raise KeyError(f"unknown platform {platform!r}; known: {', '.join(specs())}") from None


def get(platform: str) -> PlatformSpec | None:
    return specs().get(platform)


def live_platforms() -> tuple[str, ...]:
    """Platforms with a live connector, in display order."""
    return tuple(p for p, s in specs().items() if s.live)


def platforms_of_kind(kind: str) -> tuple[str, ...]:
    return tuple(p for p, s in specs().items() if s.kind == kind)


def simulated_platforms() -> tuple[str, ...]:
    return tuple(p for p, s in specs().items() if s.simulator)


def parser_platforms() -> tuple[str, ...]:
    """Platforms whose captured JSON bodies have a parser module."""
    return tuple(p for p, s in specs().items() if s.parser)


def name_zh(platform: str | None) -> str:
    """The staff-facing name of a platform; an unknown id is shown as it is."""
    if platform is None:
        return ""
    found = specs().get(platform)
    return found.name_zh if found else platform


def platform_by_alias(text: str) -> str | None:
    """The platform id a name in a submission list means (lower-case, NFKC-folded text)."""
    for platform, s in specs().items():
        if text == platform or text in (a.lower() for a in s.aliases):
            return platform
    return None


def platform_of_host(host: str) -> str | None:
    for platform, s in specs().items():
        if s.owns_host(host):
            return platform
    return None


class _Ids(Sequence[str]):
    """The platform ids as a live, read-only sequence (follows :func:`reset`)."""

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return tuple(specs())[index]

    def __len__(self) -> int:
        return len(specs())

    def __contains__(self, value: object) -> bool:
        return value in specs()

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(specs()))

    def __repr__(self) -> str:
        return repr(tuple(specs()))


class _Names(Mapping[str, str]):
    """Platform id -> Chinese name, live (follows :func:`reset`)."""

    def __getitem__(self, platform: str) -> str:
        return specs()[platform].name_zh

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(specs()))

    def __len__(self) -> int:
        return len(specs())

    def __repr__(self) -> str:
        return repr(dict(self))


PLATFORMS: Sequence[str] = _Ids()
"""Every platform id the tool knows, in display order."""

PLATFORM_NAMES_ZH: Mapping[str, str] = _Names()
"""Platform id -> the name staff use (``微博``, ``哔哩哔哩``...)."""
