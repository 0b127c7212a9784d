"""README.md (Chinese, first) and README.en.md: the same commands, and the test command is the
one .ci/run runs."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO = "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/tracker demo"
TESTS = 'python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]" && .venv/bin/pytest -q'


def _read(name: str) -> str:
    return (REPO_ROOT / name).read_text(encoding="utf-8")


def _code_lines(text: str) -> list[str]:
    """Lines of the ```bash blocks, without their trailing comments."""
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [line.split("  #")[0].rstrip() for b in blocks for line in b.splitlines() if line]


def _inline_code(text: str) -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", text))


def test_the_chinese_readme_comes_first_with_the_two_commands_unchanged() -> None:
    zh, en = _read("README.md"), _read("README.en.md")
    intro = zh.split("```")[0]
    assert "科普日" in intro and "kepu-tracker 用于" in intro  # what it is, in Chinese, first
    assert "README.en.md" in zh and "README.md" in en  # each links the other
    for text in (zh, en):
        lines = _code_lines(text)
        assert lines[:2] == [DEMO, TESTS]


def test_both_readmes_carry_the_same_commands_and_options() -> None:
    zh, en = _read("README.md"), _read("README.en.md")
    # Every English command is in the Chinese README, in the same order (a note added to one
    # README first, such as running `tracker --db ... status` from any folder, may lead).
    zh_lines = _code_lines(zh)
    assert [line for line in zh_lines if line in _code_lines(en)] == _code_lines(en)
    assert re.findall(r"```json\n.*?```", zh, flags=re.S) == re.findall(
        r"```json\n.*?```", en, flags=re.S
    )
    missing = {c for c in _inline_code(en) if c.startswith(("tracker", "-", ".venv", "TRACKER_"))}
    assert not missing - _inline_code(zh)


def test_the_readme_test_command_is_what_ci_runs() -> None:
    ci = _read(".ci/run")
    venv, install, run = TESTS.split(" && ")
    assert "$PY -m venv .venv" in ci and venv.replace("python3", "$PY") in ci
    assert f"\n{install}\n" in ci and f"\n{run}\n" in ci
