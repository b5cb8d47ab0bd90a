"""Turning uploaded bytes into a clean image: checked, decoded, re-encoded, stripped of metadata.

Order matters: cheap checks on the bytes first (size, kind, structure, foreign signatures), then
the header's pixel count, and only then the pixels are decoded. The output is always a fresh
encoding (JPEG, or PNG when the picture has transparency), so nothing of the upload but its
pixels survives: no EXIF/GPS, XMP, ICC profile, comment, text chunk or appended payload.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import struct
import warnings
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageFile, ImageOps

from papote.images.errors import ImageRefused
from papote.images.formats import ACCEPTED_KINDS, check_structure, foreign_signature, sniff

JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
MIN_SIDE = 16
DRAFT_TOLERANCE = 0.9

PIL_FORMATS = {"jpeg": ("JPEG", "MPO"), "png": ("PNG",), "webp": ("WEBP",), "gif": ("GIF",)}
TRANSPARENT_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
SIXTEEN_BIT_MODES = {"I", "I;16", "I;16B", "I;16L", "I;16N"}
DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
    zlib.error,
)


@dataclass(frozen=True)
class ImageLimits:
    """What an upload may be; the output is scaled down to fit `max_side`, never refused for it."""

    max_bytes: int = 10 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_side: int = 2048
    thumbnail_side: int = 320


@dataclass(frozen=True)
class CleanImage:
    """An accepted image, re-encoded, with its thumbnail and content addresses."""

    data: bytes
    mime: str
    width: int
    height: int
    sha256: str
    thumbnail: bytes
    thumbnail_mime: str
    thumbnail_sha256: str
    source_kind: str
    source_sha256: str


def sanitize(data: bytes, limits: ImageLimits = ImageLimits()) -> CleanImage:
    """Check and re-encode an upload; raise ImageRefused with the reason when it is not accepted."""
    kind = recognise(data, limits)
    with bomb_warnings_as_errors():
        image = open_checked(data, kind, limits)
        picture = decode(image, limits.max_side)
    picture = fit(picture, limits.max_side)
    mime, encoded = encode(picture, JPEG_QUALITY)
    thumbnail = fit(picture, limits.thumbnail_side)
    thumbnail_mime, thumbnail_data = encode(thumbnail, THUMBNAIL_QUALITY)
    return CleanImage(
        data=encoded,
        mime=mime,
        width=picture.width,
        height=picture.height,
        sha256=hashlib.sha256(encoded).hexdigest(),
        thumbnail=thumbnail_data,
        thumbnail_mime=thumbnail_mime,
        thumbnail_sha256=hashlib.sha256(thumbnail_data).hexdigest(),
        source_kind=kind,
        source_sha256=hashlib.sha256(data).hexdigest(),
    )


def decoded(clean: CleanImage) -> Image.Image:
    """The cleaned picture as RGB, transparency laid on white (what hashing and nudity detection read)."""
    with Image.open(io.BytesIO(clean.data)) as image:
        image.load()
        if image.mode != "RGBA":
            return image.convert("RGB")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background


def recognise(data: bytes, limits: ImageLimits) -> str:
    """The accepted kind of `data`, checked from its bytes alone (nothing decoded yet)."""
    if not data:
        raise ImageRefused("image_empty")
    if len(data) > limits.max_bytes:
        raise ImageRefused("image_too_large")
    kind = sniff(data)
    if kind == "svg":
        raise ImageRefused("image_svg")
    if kind not in ACCEPTED_KINDS:
        raise ImageRefused("image_format")
    check_structure(data, kind)
    if foreign_signature(data) is not None:
        raise ImageRefused("image_polyglot")
    return kind


@contextlib.contextmanager
def bomb_warnings_as_errors() -> Iterator[None]:
    """PIL's decompression-bomb warning raised as an error, so it cannot be missed."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def open_checked(data: bytes, kind: str, limits: ImageLimits) -> ImageFile.ImageFile:
    """Open the image (header only) and refuse it on its header's size before any pixel is decoded."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # A process-wide switch someone flipped: truncated files would decode as grey. Refuse to run.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    try:
        image = Image.open(io.BytesIO(data), formats=[PIL_FORMATS[kind][0]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("image_too_many_pixels") from None
    except DECODE_ERRORS:
        raise ImageRefused("image_corrupt") from None
    if image.format not in PIL_FORMATS[kind]:
        raise ImageRefused("image_format")
    if image.format != "MPO" and getattr(image, "is_animated", False):
        raise ImageRefused("image_animated")
    width, height = image.size
    if width * height > limits.max_pixels:
        raise ImageRefused("image_too_many_pixels")
    if min(width, height) < MIN_SIDE:
        raise ImageRefused("image_too_small")
    return image


def decode(image: ImageFile.ImageFile, max_side: int) -> Image.Image:
    """Decode the pixels, apply the EXIF orientation and bring them to RGB or RGBA (sRGB colours)."""
    if image.format in ("JPEG", "MPO"):
        # libjpeg can decode at 1/2, 1/4 or 1/8 scale, much faster than decoding whole and resizing.
        # Accepting an output up to 10 % under `max_side` lets a 12 MP photo take that path.
        width, height = fitted_size(image.size, max_side)
        image.draft(None, (int(width * DRAFT_TOLERANCE), int(height * DRAFT_TOLERANCE)))
    try:
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused("image_too_many_pixels") from None
    except OSError as error:
        code = "image_truncated" if "truncated" in str(error) else "image_corrupt"
        raise ImageRefused(code) from None
    except DECODE_ERRORS:
        raise ImageRefused("image_corrupt") from None
    with contextlib.suppress(*DECODE_ERRORS):  # an unreadable EXIF block: keep the pixels as stored
        ImageOps.exif_transpose(image, in_place=True)
    icc = image.info.get("icc_profile")
    return clear_hidden_colours(to_srgb(image, icc if isinstance(icc, bytes) else None))


def fitted_size(size: tuple[int, int], side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB or RGBA pixels; colours of a tagged picture (Display P3, Adobe RGB, CMYK) converted to sRGB."""
    if image.mode in SIXTEEN_BIT_MODES:
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    target = "RGBA" if has_transparency(image) else "RGB"
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        converted = convert_profile(image, icc, target)
        if converted is not None:
            return converted
    return image if image.mode == target else image.convert(target)


def convert_profile(image: Image.Image, icc: bytes, target: str) -> Image.Image | None:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        if image.mode == "RGBA" or target == "RGBA":
            image = image.convert("RGBA")
        converted = ImageCms.profileToProfile(image, source, srgb, outputMode=target)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None  # a broken or mismatched profile: fall back to the plain conversion
    return converted


def has_transparency(image: Image.Image) -> bool:
    """Whether some pixel is not fully opaque (an alpha channel that is all 255 does not count)."""
    if image.mode not in TRANSPARENT_MODES and "transparency" not in image.info:
        return False
    alpha = image.convert("RGBA").getchannel("A")
    low, _ = alpha.getextrema()
    return isinstance(low, int) and low < 255


def clear_hidden_colours(image: Image.Image) -> Image.Image:
    """Blank the colours under fully transparent pixels: they are invisible but would survive a PNG."""
    if image.mode != "RGBA":
        return image
    visible = image.getchannel("A").point(lambda alpha: 255 if alpha else 0)
    cleared = Image.new("RGBA", image.size, (0, 0, 0, 0))
    cleared.paste(image, mask=visible)
    return cleared


def fit(image: Image.Image, side: int) -> Image.Image:
    """A copy scaled down (never up) to fit in a `side` x `side` square, keeping the aspect ratio."""
    if image.width <= side and image.height <= side:
        return image
    # Bicubic with antialiasing; a fast box reduction first when shrinking more than twice.
    size = fitted_size(image.size, side)
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def encode(image: Image.Image, quality: int) -> tuple[str, bytes]:
    """A fresh JPEG (opaque) or PNG (transparent) with no metadata block at all."""
    # Pillow falls back to `info` for comments, ICC and EXIF when saving: start from nothing.
    image.info.clear()
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, format="PNG")
        return "image/png", buffer.getvalue()
    image.save(buffer, format="JPEG", quality=quality, optimize=True)
    return "image/jpeg", buffer.getvalue()
