"""Moderation and compliance: what moderators, administrators and automated decisions do, and its record.

`audit`: the append-only, hash-chained audit log that every such action writes to.
"""
