"""``tracker schedule``: unattended daily collection, refreshes, reports and alerts.

- ``plan``: the jobs built from ``campaign.toml`` (ids, textual function references, crons);
- ``jobs``: the job functions themselves;
- ``runner``: run rows, catch-up, ``--once`` and the APScheduler wiring;
- ``lock``: one scheduler per database;
- ``alerts``: 企业微信 / 钉钉 robots and a generic JSON webhook;
- ``summary`` / ``reports``: the daily and weekly report folders and digests;
- ``status``: the schedule part of ``tracker status``.
"""
