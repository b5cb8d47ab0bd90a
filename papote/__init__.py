"""Papote: a French-first public chat, easy to enter and safe by design."""

__version__ = "0.1.0"
