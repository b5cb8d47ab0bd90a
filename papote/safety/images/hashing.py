"""PDQ perceptual hashes of images, the variants stored when a whole image is banked, and caption bands.

PDQ (Meta's open perceptual hash) gives 256 bits and a quality from 0 to 100. Two hashes of the same
picture after a resize or a recompression are a few bits apart; unrelated pictures are about 128 apart.
Images are downscaled to at most 512 px before hashing: `pdqhash.compute` costs ~2.4 ms at 512 px and
6-13 ms at 800x600 for the same hash (the project's dependency survey, section 2).

PDQ is not robust to crops or mirrors (a 5 % border crop moves it ~100 bits), so a banked *image*
stores several hashes (`bank_variants`). A caption band drawn over 8 % of a busy picture moves it 40-55
bits, so `caption_band` finds such a band and the matcher widens its radius for those uploads only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pdqhash  # type: ignore[import-untyped]
from numpy.typing import NDArray
from PIL import Image, ImageOps

__all__ = [
    "HASH_SIDE",
    "MIN_QUALITY",
    "PdqHash",
    "bank_variants",
    "caption_band",
    "distance",
    "pdq_of",
    "reduced",
]

HASH_SIDE = 512  # longest side an image is reduced to before hashing
MIN_QUALITY = 50  # below this PDQ is unstable (flat pictures); such hashes are never matched

# Inner border crops stored for a banked image: re-posters trim borders by a few percent.
BANK_CROPS = (0.03, 0.05, 0.08)
# Caption-like bands stored for a banked image: (fraction of the height, top or bottom, colour).
BANK_BANDS = ((1 / 12, "bottom", 255), (1 / 12, "top", 255), (1 / 12, "bottom", 0), (1 / 12, "top", 0))

# Caption band detection (on the image reduced for hashing).
_BAND_MIN = 0.04  # narrower than this is a thin border, not a caption
_BAND_MAX = 0.25  # wider than this is the picture itself (a sky, a wall, a gradient)
_ROW_TOLERANCE = 24  # per channel, how far a pixel may be from the band colour
_ROW_SHARE = 0.7  # share of a row in the band colour (text may cover the rest)
_LIGHT, _DARK = 200, 55  # captions are white or black bands


@dataclass(frozen=True)
class PdqHash:
    hex: str  # 64 hex digits, 256 bits
    quality: int  # 0..100; below MIN_QUALITY the hash is not matched

    @property
    def reliable(self) -> bool:
        return self.quality >= MIN_QUALITY


def reduced(image: Image.Image) -> Image.Image:
    """An RGB copy no larger than HASH_SIDE (the same reduction for banked images and uploads)."""
    rgb = image.convert("RGB") if image.mode != "RGB" else image.copy()
    if max(rgb.size) > HASH_SIDE:
        rgb.thumbnail((HASH_SIDE, HASH_SIDE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return rgb


def pdq_of(image: Image.Image) -> PdqHash:
    """The PDQ hash of `image` (any mode, any size), computed on a copy reduced to <= 512 px."""
    return _pdq_of_reduced(reduced(image))


def _pdq_of_reduced(rgb: Image.Image) -> PdqHash:
    bits, quality = pdqhash.compute(np.asarray(rgb, dtype=np.uint8))
    return PdqHash(np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex(), int(quality))


def distance(a_hex: str, b_hex: str) -> int:
    """Hamming distance between two 256-bit hashes given as hex."""
    return (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()


def bank_variants(image: Image.Image) -> list[str]:
    """Hashes to store when a whole image is banked, so that its common re-uploads still match.

    The image itself, its mirror, inner border crops of 3, 5 and 8 % (and their mirrors), and the image
    with a white or black caption-sized band over its top or bottom. Duplicates are dropped, order kept.
    Low-quality variants are kept out: they would match unrelated flat pictures.
    """
    rgb = reduced(image)
    pictures = [rgb, ImageOps.mirror(rgb)]
    for share in BANK_CROPS:
        cropped = _inner_crop(rgb, share)
        pictures += [cropped, ImageOps.mirror(cropped)]
    pictures += [_with_band(rgb, share, side, shade) for share, side, shade in BANK_BANDS]
    hashes: list[str] = []
    for picture in pictures:
        hashed = _pdq_of_reduced(picture)
        if hashed.reliable and hashed.hex not in hashes:
            hashes.append(hashed.hex)
    return hashes


def _inner_crop(image: Image.Image, share: float) -> Image.Image:
    width, height = image.size
    dx, dy = round(width * share), round(height * share)
    return image.crop((dx, dy, width - dx, height - dy))


def _with_band(image: Image.Image, share: float, side: str, shade: int) -> Image.Image:
    banded = image.copy()
    width, height = banded.size
    band = max(1, round(height * share))
    top = 0 if side == "top" else height - band
    banded.paste((shade, shade, shade), (0, top, width, top + band))
    return banded


def caption_band(image: Image.Image) -> float:
    """Share of the height covered by a caption band (a white or black strip along the top or bottom
    edge, possibly with text in it), or 0.0 when there is none."""
    pixels = np.asarray(reduced(image), dtype=np.int16)
    return max(_band_from_top(pixels), _band_from_top(pixels[::-1]))


def _band_from_top(pixels: NDArray[np.int16]) -> float:
    height = pixels.shape[0]
    colour = np.median(pixels[0], axis=0)
    if not (colour.min() >= _LIGHT or colour.max() <= _DARK):
        return 0.0
    edge = pixels[: int(height * _BAND_MAX) + 2]  # no need to look further than the widest band
    close = np.abs(edge - colour).max(axis=2) <= _ROW_TOLERANCE  # rows x W booleans
    in_band = close.mean(axis=1) >= _ROW_SHARE
    outside = np.flatnonzero(~in_band)
    if not outside.size:
        return 0.0  # wider than any caption: the picture itself
    run = int(outside[0])
    share = run / height
    if not _BAND_MIN <= share <= _BAND_MAX:
        return 0.0
    # A caption band is one flat colour; a smooth gradient drifts within the tolerance row by row.
    # (The band's last rows are skipped: downscaling blends them with the picture.)
    drift = np.abs(np.median(pixels[max(0, run - 3)], axis=0) - colour).max()
    return share if drift <= _ROW_TOLERANCE / 3 else 0.0
