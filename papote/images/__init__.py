"""Uploaded images: recognised by content, refused with a reason, re-encoded clean, stored by hash.

Pure image handling: no database, no web framework, no safety code (that is `papote.safety.images`).
"""

from __future__ import annotations

from papote.images.errors import IMAGE_MESSAGES, ImageRefused
from papote.images.formats import ACCEPTED_KINDS, sniff
from papote.images.sanitize import CleanImage, ImageLimits, decoded, sanitize
from papote.images.store import DiskImageStore, ImageStore, MemoryImageStore

__all__ = [
    "ACCEPTED_KINDS",
    "IMAGE_MESSAGES",
    "CleanImage",
    "DiskImageStore",
    "ImageLimits",
    "ImageRefused",
    "ImageStore",
    "MemoryImageStore",
    "decoded",
    "sanitize",
    "sniff",
]
