"""A PDF of a self-contained HTML page, printed by headless Chromium.

The report and the city pages are single files with everything inlined, so Chromium prints them
without a network; no browser is downloaded, the machine's Chromium is used (or
``TRACKER_CHROMIUM``), and a missing one is a clear error after the HTML is already written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tracker.errors import TrackerError
from tracker.safe_files import atomic_output_path

__all__ = ["CHROMIUM_FLAGS", "find_chromium", "html_to_pdf"]

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    explicit = os.environ.get("TRACKER_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout_s: float = 120.0) -> Path:
    """Print the page with headless Chromium (no network: the file is self-contained)."""
    browser = find_chromium()
    if browser is None:
        raise TrackerError(
            "未找到 Chromium，无法生成 PDF：请安装 chromium（Debian: apt-get install chromium "
            "fonts-noto-cjk），或用 TRACKER_CHROMIUM 指定浏览器路径；HTML 报告已生成。"
        )
    pdf_path = pdf_path.resolve()
    # Chromium prints into a temporary file beside the target (checked against the protected
    # files), which replaces the target only when the PDF is complete.
    with (
        atomic_output_path(pdf_path) as tmp,
        tempfile.TemporaryDirectory(prefix="tracker-pdf-") as profile,
    ):
        cmd = [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--window-size=1047,740",  # A4 landscape at 10 mm margins: charts laid out page-wide
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=15000",
            f"--print-to-pdf={tmp}",
            html_path.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise TrackerError(f"Chromium 生成 PDF 超时（{timeout_s:.0f} 秒）") from exc
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            tail = (proc.stderr or "").strip().splitlines()[-3:]
            raise TrackerError(
                f"Chromium 生成 PDF 失败（退出码 {proc.returncode}）：{' '.join(tail)}"
            )
    return pdf_path
