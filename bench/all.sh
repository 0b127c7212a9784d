#!/usr/bin/env bash
# Re-run every benchmark; each prints one JSON line. Record the figures in docs/benchmarks.md.
# With TRACKER_TEST_PG_URL set, ingest, rank and report measure PostgreSQL too.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
$PY bench/ingest.py --posts 1000000
$PY bench/collect.py --scale 2000
$PY bench/sim_serve.py
$PY bench/import_har.py
$PY bench/rank.py
$PY bench/rank_ceiling.py
$PY bench/report.py
$PY bench/daily_cycle.py --works 50000 --days 30 --quiet
$PY bench/fault_runs.py --seeds 1 2 3 4 5 --scale 100
