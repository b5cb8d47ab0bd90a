"""Recognising an upload by its content and walking its structure, without decoding a pixel.

`sniff` names the kind from magic bytes (never from a file name). `check_structure` walks the
chunks or markers of an accepted kind to its real end: it finds truncation, animation and
bytes hidden after the end (polyglots). `foreign_signature` looks for another format's
signature anywhere in the file.
"""

from __future__ import annotations

import re
import struct
import zlib

from papote.images.errors import ImageRefused

ACCEPTED_KINDS = ("jpeg", "png", "webp", "gif")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Simple magic-byte prefixes of kinds we recognise in order to refuse them by name.
PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "jpeg"),
    (PNG_SIGNATURE, "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),
    (b"MM\x00+", "tiff"),
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"8BPS", "psd"),
    (b"\x00\x00\x01\x00", "ico"),
    (b"\x00\x00\x02\x00", "ico"),
    (b"\xff\x0a", "jxl"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "jxl"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "jp2"),
    (b"BM", "bmp"),
)

HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
AVIF_BRANDS = {b"avif", b"avis"}

# An SVG may open with a BOM, whitespace, an XML declaration, comments or a doctype.
SVG_PATTERN = re.compile(rb"<svg[\s>/:]|http://www\.w3\.org/2000/svg", re.IGNORECASE)
SVG_HEAD_BYTES = 1024 * 1024
GZIP_PEEK_BYTES = 64 * 1024

# Signatures of other formats that have no business inside a photo. Each is long enough that
# compressed pixel data does not produce it by chance (the 4-byte ones are followed by a checked
# version field), so a real photo is never refused for it.
TEXT_SIGNATURES = (b"<script", b"<html", b"<?php", b"<iframe")
ZIP_LOCAL_HEADER = re.compile(rb"PK\x03\x04[\x00-\x3f]\x00")
PDF_HEADER = re.compile(rb"%PDF-\d\.\d")


def sniff(data: bytes) -> str | None:
    """The kind of `data` by content: "jpeg", "png", "webp", "gif", "svg", another known kind, or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        return iso_media_kind(data[8:12])
    if data[:2] == b"\x1f\x8b":
        return "svg" if looks_like_svg(gunzip_head(data)) else "gzip"
    for prefix, kind in PREFIXES:
        if data.startswith(prefix):
            return kind
    return markup_kind(data)


def iso_media_kind(brand: bytes) -> str:
    if brand in HEIC_BRANDS:
        return "heic"
    if brand in AVIF_BRANDS:
        return "avif"
    return "video"


def gunzip_head(data: bytes) -> bytes:
    """The first bytes of a gzip stream, decompressed with a cap (a gzip bomb expands no further)."""
    try:
        return zlib.decompressobj(wbits=31).decompress(data, GZIP_PEEK_BYTES)
    except zlib.error:
        return b""


def markup_kind(data: bytes) -> str | None:
    """SVG, HTML or other XML when the file is text starting with a tag (after a BOM and whitespace)."""
    head = text_head(data)
    if not head.startswith(b"<"):
        return None
    if looks_like_svg(head):
        return "svg"
    if b"<html" in head.lower() or b"<!doctype html" in head.lower():
        return "html"
    return "xml"


def text_head(data: bytes) -> bytes:
    head = data[:SVG_HEAD_BYTES]
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            # Re-encoded to UTF-8 so the same byte patterns apply to UTF-16 files.
            return head[len(bom) :].decode(encoding, errors="ignore").encode("utf-8").lstrip()
    return head.lstrip()


def looks_like_svg(head: bytes) -> bool:
    return text_head(head).startswith(b"<") and SVG_PATTERN.search(head) is not None


def foreign_signature(data: bytes) -> str | None:
    """The first signature of another format found anywhere in `data`, or None."""
    if ZIP_LOCAL_HEADER.search(data):
        return "zip"
    if PDF_HEADER.search(data):
        return "pdf"
    lowered = data.lower()
    for signature in TEXT_SIGNATURES:
        if signature in lowered:
            return signature.decode("ascii")
    return None


def check_structure(data: bytes, kind: str) -> None:
    """Walk the file to its end marker; raise ImageRefused for truncation, animation or trailing data."""
    if kind == "jpeg":
        check_jpeg(data)
    elif kind == "png":
        check_png(data)
    elif kind == "gif":
        check_gif(data)
    elif kind == "webp":
        check_webp(data)
    else:
        raise ImageRefused("image_format")


def refuse_trailing(data: bytes, end: int) -> None:
    # NUL padding after the end marker hides nothing; anything else is a second file riding along.
    if data[end:].strip(b"\x00"):
        raise ImageRefused("image_polyglot")


# JPEG ----------------------------------------------------------------------------------------

STANDALONE_MARKERS = {0x01, *range(0xD0, 0xD8)}
SOS, EOI, SOI = 0xDA, 0xD9, 0xD8
APP1, APP2 = 0xE1, 0xE2


def check_jpeg(data: bytes) -> None:
    end, segments = jpeg_end(data, 0)
    extra = data[end:].strip(b"\x00")
    if not extra:
        return
    if has_segment(data, segments, APP2, b"MPF\x00") and only_jpegs(data, end):
        # Multi-Picture files (iPhone and Android HDR gain maps, MPO) carry their
        # extra pictures after the first EOI, declared by the MPF segment.
        return
    if is_motion_photo(data, segments) and only_iso_media(data, end):
        # Google and Samsung motion photos append the short video declared in their XMP.
        return
    raise ImageRefused("image_polyglot")


def jpeg_end(data: bytes, start: int) -> tuple[int, list[tuple[int, int, int]]]:
    """Offset just past the EOI of the JPEG at `start`, and its segments as (marker, body start, end)."""
    if data[start : start + 2] != b"\xff\xd8":
        raise ImageRefused("image_corrupt")
    segments: list[tuple[int, int, int]] = []
    size = len(data)
    pos = start + 2
    while True:
        marker, pos = next_marker(data, pos)
        if marker == EOI:
            return pos, segments
        if marker in STANDALONE_MARKERS:
            continue
        if marker in (SOI, 0x00):
            raise ImageRefused("image_corrupt")
        if pos + 2 > size:
            raise ImageRefused("image_truncated")
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2:
            raise ImageRefused("image_corrupt")
        if pos + length > size:
            raise ImageRefused("image_truncated")
        segments.append((marker, pos + 2, pos + length))
        pos += length
        if marker == SOS:
            pos = skip_entropy_data(data, pos)


def next_marker(data: bytes, pos: int) -> tuple[int, int]:
    size = len(data)
    if pos >= size:
        raise ImageRefused("image_truncated")
    if data[pos] != 0xFF:
        raise ImageRefused("image_corrupt")
    while pos < size and data[pos] == 0xFF:  # fill bytes before a marker
        pos += 1
    if pos >= size:
        raise ImageRefused("image_truncated")
    return data[pos], pos + 1


def skip_entropy_data(data: bytes, pos: int) -> int:
    """Offset of the marker that ends a scan's compressed data (stuffed 0xFF00 and restarts skipped)."""
    size = len(data)
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= size:
            raise ImageRefused("image_truncated")
        following = data[found + 1]
        if following == 0xFF:
            pos = found + 1
        elif following == 0x00 or 0xD0 <= following <= 0xD7:
            pos = found + 2
        else:
            return found


def has_segment(data: bytes, segments: list[tuple[int, int, int]], marker: int, prefix: bytes) -> bool:
    return any(m == marker and data[start : start + len(prefix)] == prefix for m, start, _ in segments)


def only_jpegs(data: bytes, pos: int) -> bool:
    """Whether everything from `pos` is whole JPEG pictures (and NUL padding), nothing else."""
    while True:
        while pos < len(data) and data[pos] == 0:
            pos += 1
        if pos == len(data):
            return True
        if data[pos : pos + 2] != b"\xff\xd8":
            return False
        pos, _ = jpeg_end(data, pos)


def is_motion_photo(data: bytes, segments: list[tuple[int, int, int]]) -> bool:
    for marker, start, end in segments:
        if marker == APP1 and data[start : start + 29] == b"http://ns.adobe.com/xap/1.0/\x00":
            xmp = data[start:end]
            if b"MotionPhoto" in xmp or b"MicroVideo" in xmp:
                return True
    return False


def only_iso_media(data: bytes, pos: int) -> bool:
    """Whether everything from `pos` is one ISO media file (an MP4 video) whose boxes fill it exactly."""
    if data[pos + 4 : pos + 8] != b"ftyp":
        return False
    size = len(data)
    while pos < size:
        if pos + 8 > size:
            return False
        (box_size,) = struct.unpack_from(">I", data, pos)
        if box_size == 1 and pos + 16 <= size:
            (box_size,) = struct.unpack_from(">Q", data, pos + 8)
        elif box_size == 0:
            box_size = size - pos
        if box_size < 8:
            return False
        pos += box_size
    return pos == size


# PNG -----------------------------------------------------------------------------------------


def check_png(data: bytes) -> None:
    size = len(data)
    pos = len(PNG_SIGNATURE)
    first = True
    while True:
        if pos + 8 > size:
            raise ImageRefused("image_truncated")
        length, chunk_type = struct.unpack_from(">I4s", data, pos)
        if length > 0x7FFFFFFF or (first and chunk_type != b"IHDR"):
            raise ImageRefused("image_corrupt")
        first = False
        end = pos + 12 + length
        if end > size:
            raise ImageRefused("image_truncated")
        (crc,) = struct.unpack_from(">I", data, end - 4)
        if zlib.crc32(data[pos + 4 : end - 4]) != crc:
            raise ImageRefused("image_corrupt")
        if chunk_type in (b"acTL", b"fcTL", b"fdAT"):
            raise ImageRefused("image_animated")
        pos = end
        if chunk_type == b"IEND":
            refuse_trailing(data, pos)
            return


# GIF -----------------------------------------------------------------------------------------


def check_gif(data: bytes) -> None:
    if len(data) < 13:
        raise ImageRefused("image_truncated")
    pos = 13 + colour_table_size(data[10])
    frames = 0
    while True:
        if pos >= len(data):
            raise ImageRefused("image_truncated")
        block = data[pos]
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension: label, then sub-blocks
            pos = skip_sub_blocks(data, pos + 2)
        elif block == 0x2C:  # image: descriptor, local colour table, LZW code size, sub-blocks
            frames += 1
            if frames > 1:
                raise ImageRefused("image_animated")
            if pos + 10 > len(data):
                raise ImageRefused("image_truncated")
            pos = skip_sub_blocks(data, pos + 10 + colour_table_size(data[pos + 9]) + 1)
        else:
            raise ImageRefused("image_corrupt")
    if frames == 0:
        raise ImageRefused("image_corrupt")
    refuse_trailing(data, pos + 1)


def colour_table_size(flags: int) -> int:
    return 3 * 2 ** ((flags & 0x07) + 1) if flags & 0x80 else 0


def skip_sub_blocks(data: bytes, pos: int) -> int:
    size = len(data)
    while True:
        if pos >= size:
            raise ImageRefused("image_truncated")
        length = data[pos]
        pos += 1 + length
        if length == 0:
            return pos


# WebP ----------------------------------------------------------------------------------------

VP8X_ANIMATION_FLAG = 0x02


def check_webp(data: bytes) -> None:
    if len(data) < 12:
        raise ImageRefused("image_truncated")
    (riff_size,) = struct.unpack_from("<I", data, 4)
    end = 8 + riff_size
    if end > len(data):
        raise ImageRefused("image_truncated")
    pos = 12
    while pos < end:
        if pos + 8 > end:
            raise ImageRefused("image_corrupt")
        fourcc, chunk_size = struct.unpack_from("<4sI", data, pos)
        if fourcc in (b"ANIM", b"ANMF"):
            raise ImageRefused("image_animated")
        if fourcc == b"VP8X" and chunk_size >= 1 and data[pos + 8] & VP8X_ANIMATION_FLAG:
            raise ImageRefused("image_animated")
        pos += 8 + chunk_size + (chunk_size & 1)  # chunks are padded to an even size
        if pos > end:
            raise ImageRefused("image_corrupt")
    refuse_trailing(data, end)
