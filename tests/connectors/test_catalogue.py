"""The platform catalogue: every spec loads, and what each spec names exists and fits."""

from __future__ import annotations

import importlib
import re

import pytest

from connectors import catalogue
from connectors.base import Connector
from connectors.registry import connector_class
from connectors.spec import PlatformSpec
from tracker.signing.dev import SIGNED_PLATFORMS

SPECS = catalogue.specs()


def test_ids_are_unique_and_in_the_declared_order() -> None:
    packages = [p.rsplit(".", 1)[-1] for p in catalogue.PLATFORM_PACKAGES]
    assert list(SPECS) == packages  # each package's spec carries its own folder's name
    assert list(catalogue.PLATFORMS) == packages
    assert len(set(catalogue.PLATFORM_NAMES_ZH.values())) == len(SPECS)


@pytest.mark.parametrize("platform", list(SPECS))
def test_every_named_entry_point_exists(platform: str) -> None:
    spec = SPECS[platform]
    if spec.client is not None:
        assert issubclass(connector_class(platform), Connector)
    if spec.parser is not None:
        module = importlib.import_module(spec.parser)
        assert getattr(module, "ENDPOINTS", ()) or callable(getattr(module, "parse_any", None))
    if spec.resolve_url is not None:
        assert callable(spec.load(spec.resolve_url))
    if spec.page_parser is not None:
        assert callable(spec.load(spec.page_parser))
    assert (spec.page_parser is not None) == (spec.kind == "article")
    if spec.simulator is not None:
        module_name, _, factory = spec.simulator.partition(":")
        module = importlib.import_module(module_name)
        sim = getattr(module, factory)(platform) if factory else module.SIM
        assert sim.routes()


def test_live_platforms_are_exactly_the_specs_with_a_client() -> None:
    """A connector cannot be registered yet never collected: live is derived, not listed."""
    assert catalogue.live_platforms() == tuple(p for p, s in SPECS.items() if s.client)
    assert set(catalogue.live_platforms()) == {
        "weibo", "douyin", "kuaishou", "zhihu", "bilibili", "xiaohongshu"
    }  # fmt: skip


def test_the_development_signer_covers_every_platform_that_needs_a_signer() -> None:
    needs = {p for p, s in SPECS.items() if s.capabilities.needs_signer}
    assert needs == set(SIGNED_PLATFORMS)


def test_hosts_and_aliases_point_to_one_platform_each() -> None:
    for platform, spec in SPECS.items():
        for host in spec.hosts:
            assert catalogue.platform_of_host(host) == platform
            assert catalogue.platform_of_host("www." + host) == platform
        for alias in spec.aliases:
            assert catalogue.platform_by_alias(alias.lower()) == platform


def test_url_templates_build_urls_on_the_platforms_own_hosts() -> None:
    for platform, spec in SPECS.items():
        host = re.match(r"https://([^/]+)/", spec.work_url("123")).group(1)  # type: ignore[union-attr]
        assert catalogue.platform_of_host(host) == platform


def test_a_bad_spec_fails_where_it_is_written() -> None:
    with pytest.raises(ValueError, match="lower-case"):
        PlatformSpec(
            id="Weibo", name_zh="x", kind="social", hosts=(), colour="#000",
            post_url="https://a/{post_id}", account_url="https://a/{uid}",
        )  # fmt: skip
    with pytest.raises(ValueError, match="lacks"):
        PlatformSpec(
            id="abc", name_zh="x", kind="social", hosts=(), colour="#000",
            post_url="https://a/", account_url="https://a/{uid}",
        )  # fmt: skip


def test_a_listed_package_that_declares_a_taken_id_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        catalogue, "PLATFORM_PACKAGES", (*catalogue.PLATFORM_PACKAGES, "connectors.weibo")
    )
    catalogue.reset()
    try:
        with pytest.raises(ValueError, match="declared twice"):
            catalogue.specs()
    finally:
        monkeypatch.undo()
        catalogue.reset()
