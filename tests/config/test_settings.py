"""``load_settings``: reused while the environment is unchanged, read anew when it changes."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest

from tracker.settings import load_settings


def test_the_same_environment_gives_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_CACHE_DIR", raising=False)
    assert load_settings() is load_settings()


def test_a_changed_variable_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRACKER_RANKING_CACHE", "0")
    assert load_settings().ranking_cache is False
    monkeypatch.setenv("TRACKER_RANKING_CACHE", "1")
    assert load_settings().ranking_cache is True
    monkeypatch.delenv("TRACKER_RANKING_CACHE")
    monkeypatch.setenv("tracker_cache_dir", str(tmp_path))  # names are case-insensitive
    assert load_settings().cache_dir == tmp_path
    monkeypatch.delenv("tracker_cache_dir")
    assert load_settings().cache_dir is None


def test_shared_settings_cannot_be_changed_by_one_caller() -> None:
    with pytest.raises(pydantic.ValidationError):
        load_settings().ranking_cache = False  # type: ignore[misc]
