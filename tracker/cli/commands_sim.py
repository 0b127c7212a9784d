"""``tracker sim``: the platform simulator and its development signer, for tests and the demo."""

from __future__ import annotations

from tracker.cli.app import app
from tracker.signing.server import signer_app
from tracker.sim.cli import sim_app

sim_app.add_typer(signer_app, name="signer", help="开发用签名插件（模拟器校验的签名方案）")
app.add_typer(sim_app, name="sim", help="本地平台模拟器（测试与演示用，不访问真实平台）")
