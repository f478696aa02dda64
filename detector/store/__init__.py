"""SQLite store of sessions, detections (upserted by identity) and findings; see `Store`."""

from ._sqlite import SCHEMA_VERSION, Store

__all__ = ["SCHEMA_VERSION", "Store"]
