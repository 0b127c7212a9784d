"""A mistyped command line is a usage error with click's message, never an "internal error"."""

from __future__ import annotations

import pytest

from tracker.cli import main


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["collect", "--nope"], "No such option: --nope"),
        (["collect", "--workers", "0"], "Invalid value for '--workers'"),
        (["no-such-command"], "No such command"),
    ],
)
def test_usage_errors_name_the_problem_and_exit_2(argv, reason, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert reason in err and "Usage: tracker" in err
    assert "内部错误" not in err and "internal error" not in err
