"""``tracker config check``: the checks later commands make, run at once, one line per problem.

``config check`` used to load the two files and stop there, so it passed what ``rank`` (an
unknown ``[ranking]`` key), ``schedule`` (``0 25 * * *``) or ``collect`` (a bad
``TRACKER_ZHIHU_SIGNER``) refused later. It now calls those commands' own validators
(``ranking_problems``, ``plan_problems``, ``hub_work_problems``, the signer spec parser) rather than copies of them,
so the two cannot drift apart, and it reports every problem instead of the first: staff fix
the file once, not once per run. It sits with the command line because it gathers the checks
of the faces (the scheduler's plan among them), which no use case below them may import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from tracker.config import TrackerConfig, UnitRow, read_config_text, where_in_file
from tracker.errors import ConfigError
from tracker.ranking.settings import ranking_problems
from tracker.schedule.plan import plan_problems
from tracker.services.comment_choice import hub_work_problems
from tracker.signing.spec import check_signer_spec

T = TypeVar("T")


def problem_lines(exc: ConfigError) -> list[str]:
    """A loader's error as one line per problem (its heading dropped when it lists several)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[1:] if len(lines) > 1 else lines


def attempt(load: Callable[[], T], problems: list[str]) -> T | None:
    """``load()``, or None with its problems added to ``problems``."""
    try:
        return load()
    except ConfigError as exc:
        problems.extend(problem_lines(exc))
        return None


def config_problems(
    config: TrackerConfig,
    config_path: Path | str,
    env: Mapping[str, str],
    text: str | None = None,
) -> list[str]:
    """What a loaded config still gets refused for by a later command, one line each; ``text``
    is the config's text when it did not come from ``config_path`` (stored in the database)."""
    if text is None:
        text = read_config_text(Path(config_path))

    def located(loc: tuple[str, ...], message: str) -> str:
        return f"{where_in_file(config_path, text, loc)}: {message}"

    problems = [
        located(tuple(key.split(".")), f"{key}: {message}")
        for key, message in ranking_problems(config.ranking)
    ]
    problems += [located(key, message) for key, message in plan_problems(config)]
    problems += [
        located(key, message) for key, message in hub_work_problems(config.comments.hub_works)
    ]
    problems += signer_problems(config, env)
    return problems


def signer_problems(config: TrackerConfig, env: Mapping[str, str]) -> list[str]:
    """The signer spec each platform would run with (environment included), checked as collect
    checks it; a spec in the file was already checked when it loaded."""
    problems = []
    for platform, pcfg in config.platforms.items():
        spec, where = pcfg.signer_spec(platform, env)
        try:
            check_signer_spec(spec, where=where)
        except ConfigError as exc:
            problems.append(str(exc))
    return problems


def check_all(
    load_config: Callable[[], TrackerConfig],
    load_units: Callable[[], list[UnitRow]],
    config_path: Path,
    env: Mapping[str, str],
    source: tuple[str, str] | None = None,
) -> tuple[TrackerConfig | None, list[UnitRow] | None, list[str]]:
    """Load both files and run every later check: (config, units, problems).

    The units registry is read even when the config is broken, so one run lists both.
    ``source`` is ``(text, where)`` when the config is the copy stored in the database.
    """
    problems: list[str] = []
    config = attempt(load_config, problems)
    units = attempt(load_units, problems)
    if config is not None:
        if source is not None:  # (text, where): the config stored in the database
            problems += config_problems(config, source[1], env, text=source[0])
        else:
            problems += config_problems(config, config_path, env)
    return config, units, problems
