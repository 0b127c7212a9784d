"""Every import door: browser captures, saved API bodies, MediaCrawler output, units' lists.

Each reader turns one file into parsed pages through the platform parsers the live connectors
use (``connectors.<platform>.parse``), and :mod:`tracker.imports.service` stores them through
the shared ingest service, so a work is matched and stored the same way whichever door it came
through. Readers never touch the database; the service is the only module that does.
"""
