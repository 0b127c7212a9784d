"""``tracker sim``: run the platform simulator, dump its ground truth and its units registry."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

sim_app = typer.Typer(
    name="sim",
    help="本地平台模拟器：在回环地址上模拟各平台接口，并输出基准真值。",
    no_args_is_help=True,
    add_completion=False,
)

SeedOpt = Annotated[int, typer.Option("--seed", help="World seed (same seed, same world).")]
ScaleOpt = Annotated[
    int, typer.Option("--scale", min=1, help="Approximate number of posts per platform.")
]


WorldOpt = Annotated[
    str,
    typer.Option(
        "--world",
        help="World profile: full (every input observable) | sparse (most accounts with 1-3 "
        "works, the shape real campaigns have; see tracker.sim.sparse).",
    ),
]


def _world(seed: int, scale: int, profile: str):  # type: ignore[no-untyped-def]
    """The world, or a usage error naming the profiles."""
    from tracker.sim.world import PROFILES, World

    if profile not in PROFILES:
        raise typer.BadParameter(f"one of {', '.join(PROFILES)}", param_hint="--world")
    return World(seed=seed, scale=scale, profile=profile)


def _profile(value: str) -> str:
    # imported here: ``tracker sim`` is registered in every ``tracker`` process, while the
    # simulator's code is needed only by a sim command that runs
    from tracker.sim.faults import PROFILES

    if value not in PROFILES:
        raise typer.BadParameter(f"one of {', '.join(PROFILES)}")
    return value


@sim_app.command()
def serve(
    seed: SeedOpt = 1,
    scale: ScaleOpt = 200,
    faults: Annotated[
        str,
        typer.Option("--faults", callback=_profile, help="none | flaky | hostile | login-wall"),
    ] = "none",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="TCP port (0 = any free port).")
    ] = 0,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    clock: Annotated[
        str | None, typer.Option("--clock", help="Virtual time at start (ISO 8601).")
    ] = None,
    slow_s: Annotated[
        float, typer.Option("--slow-s", min=0, max=600, help="Delay of 'slow' faults (seconds).")
    ] = 0.3,
    login_after: Annotated[
        int,
        typer.Option("--login-after", min=0, help="Requests per platform before the login wall."),
    ] = 3,
    units_out: Annotated[
        Path | None, typer.Option("--units-out", help="Also write the world's units.csv here.")
    ] = None,
    run_for: Annotated[
        float | None, typer.Option("--run-for", min=0, max=7 * 24 * 3600, hidden=True)
    ] = None,
    world: WorldOpt = "full",
) -> None:
    """Serve every platform on loopback; prints ``<platform> <base URL>`` per platform."""
    from tracker.sim.api import SimServer
    from tracker.sim.faults import FaultConfig
    from tracker.sim.units import write_units_csv

    config = FaultConfig(profile=faults, slow_s=slow_s, login_after=login_after)
    server = SimServer(
        faults=config, port=port, host=host, clock=clock, world=_world(seed, scale, world)
    )
    if units_out is not None:
        write_units_csv(server.world, units_out)
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_signal)
    with server:
        for platform, url in server.base_urls.items():
            typer.echo(f"{platform} {url}")
        sys.stdout.flush()
        try:
            if run_for is not None:
                stop.wait(run_for)
            else:
                _wait_forever(stop)
        except KeyboardInterrupt:
            pass
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def _wait_forever(stop: threading.Event) -> None:
    while not stop.wait(0.5):
        pass


@sim_app.command()
def truth(
    output: Annotated[Path, typer.Option("-o", "--output", help="JSON Lines file to write.")],
    seed: SeedOpt = 1,
    scale: ScaleOpt = 200,
    at: Annotated[
        str | None, typer.Option("--at", help="Virtual time of the metrics (ISO 8601).")
    ] = None,
    world: WorldOpt = "full",
) -> None:
    """Write the ground truth (one JSON object per post) at a virtual time."""
    from tracker.sim.truth import write_truth_jsonl

    _world(seed, scale, world)  # a usage error before any output
    try:
        count = write_truth_jsonl(output, seed, scale, at, profile=world)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--at") from exc
    typer.echo(f"{count} posts -> {output}")


@sim_app.command()
def units(
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV file to write.")],
    seed: SeedOpt = 1,
    scale: ScaleOpt = 200,
    world: WorldOpt = "full",
) -> None:
    """Write the world's units.csv (unit, kind, city, platform, account_id, url)."""
    from tracker.sim.units import write_units_csv

    count = write_units_csv(_world(seed, scale, world), output)
    typer.echo(f"{count} rows -> {output}")


if __name__ == "__main__":  # pragma: no cover - `python -m tracker.sim.cli`
    sim_app()
