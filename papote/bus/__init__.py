"""The event bus: how a committed change reaches every connection, on this node or another."""
