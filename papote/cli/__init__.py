"""The `papote` command line."""
