"""Synthetic images for tests: shapes, noise, gradients and text, all drawn here (never photographs).

Every maker takes a `seed` so that two calls with the same seed give the same picture and two seeds give
unrelated pictures (what the hash-bank tests need for their "unrelated images all pass" set).
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageOps

Size = tuple[int, int]


def shapes(seed: int, size: Size = (640, 480)) -> Image.Image:
    """Overlapping ellipses, rectangles and lines on a gradient: textured enough for a stable PDQ hash."""
    rng = random.Random(seed)
    image = gradient(seed, size)
    draw = ImageDraw.Draw(image)
    width, height = size
    for _ in range(40):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randrange(20, width // 2), y0 + rng.randrange(20, height // 2)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        kind = rng.randrange(3)
        if kind == 0:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        elif kind == 1:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.line((x0, y0, x1, y1), fill=colour, width=rng.randrange(2, 12))
    return image


def gradient(seed: int, size: Size = (640, 480)) -> Image.Image:
    """A two-colour diagonal gradient."""
    rng = random.Random(seed)
    start = [rng.randrange(256) for _ in range(3)]
    end = [rng.randrange(256) for _ in range(3)]
    width, height = size
    ramp = Image.linear_gradient("L").resize(size).rotate(rng.choice((0, 90, 180, 270)), expand=False)
    return ImageOps.colorize(ramp, tuple(start), tuple(end)).resize((width, height))


def noise(seed: int, size: Size = (320, 240)) -> Image.Image:
    """Uniform RGB noise."""
    rng = random.Random(seed)
    width, height = size
    return Image.frombytes("RGB", size, rng.randbytes(width * height * 3))


def with_caption(image: Image.Image, caption: str = "regardez ça") -> Image.Image:
    """The same picture with a white band of text drawn over its bottom, as reposters do."""
    captioned = image.copy()
    draw = ImageDraw.Draw(captioned)
    width, height = captioned.size
    band = max(16, height // 12)
    draw.rectangle((0, height - band, width, height), fill=(255, 255, 255))
    draw.text((8, height - band + 2), caption, fill=(0, 0, 0))
    return captioned


def encode(image: Image.Image, kind: str = "JPEG", **options: object) -> bytes:
    """The image as file bytes (`kind`: JPEG, PNG, WEBP, GIF, BMP, TIFF...)."""
    buffer = io.BytesIO()
    converted = image.convert("RGB") if kind == "JPEG" and image.mode not in ("RGB", "L") else image
    converted.save(buffer, format=kind, **options)
    return buffer.getvalue()


def jpeg_with_gps(image: Image.Image, quality: int = 90) -> bytes:
    """A JPEG carrying EXIF with a GPS position and a camera model, as a phone writes it."""
    exif = Image.Exif()
    exif[0x0110] = "FictiveCam 3000"  # Model
    gps = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}  # fictional spot in Paris
    exif[0x8825] = gps  # GPSInfo IFD
    return encode(image, "JPEG", quality=quality, exif=exif.tobytes())
