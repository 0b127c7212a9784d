"""The read home: every query that answers a question about the stored data.

Each module is named by what it answers; each function takes a Connection (or Engine) and
plain filter values and returns DataFrames or plain values, so the layers above (ranking,
dashboards, CLI) receive frames and never build SQL or import the store's models. The
connection types are named here for those layers' annotations.
"""

from sqlalchemy import Connection, Engine

__all__ = ["Connection", "Engine"]
