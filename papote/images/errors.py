"""Refusals of an uploaded image, with a stable code and a human message, French first.

Codes are a public contract: clients switch on `code`, people read `fr` or `en`.
"""

from __future__ import annotations

IMAGE_MESSAGES: dict[str, tuple[str, str]] = {
    "image_empty": ("Ce fichier est vide.", "This file is empty."),
    "image_too_large": (
        "Cette image est trop lourde (10 Mo au plus).",
        "This image is too heavy (10 MB at most).",
    ),
    "image_format": (
        "Ce format n'est pas accepté : seules les images JPEG, PNG, WebP et GIF fixes passent.",
        "This format is not accepted: only JPEG, PNG, WebP and still GIF images are.",
    ),
    "image_svg": (
        "Les images SVG ne sont pas acceptées : envoie plutôt un PNG ou un JPEG.",
        "SVG images are not accepted: send a PNG or a JPEG instead.",
    ),
    "image_animated": (
        "Les images animées ne sont pas acceptées (GIF, WebP ou PNG animés).",
        "Animated images are not accepted (animated GIF, WebP or PNG).",
    ),
    "image_truncated": (
        "Cette image est incomplète : le fichier a sans doute été coupé. Réessaie avec le fichier entier.",
        "This image is incomplete: the file was probably cut short. Try again with the whole file.",
    ),
    "image_corrupt": (
        "Cette image est abîmée ou illisible.",
        "This image is damaged or unreadable.",
    ),
    "image_polyglot": (
        "Ce fichier contient autre chose qu'une image : il est refusé.",
        "This file contains something other than an image: it is refused.",
    ),
    "image_too_many_pixels": (
        "Cette image a trop de pixels (40 mégapixels au plus).",
        "This image has too many pixels (40 megapixels at most).",
    ),
    "image_too_small": (
        "Cette image est trop petite (au moins 16 pixels de côté).",
        "This image is too small (at least 16 pixels on each side).",
    ),
}


class ImageRefused(Exception):
    """An upload that is not accepted as an image; `code` is a key of IMAGE_MESSAGES."""

    def __init__(self, code: str) -> None:
        if code not in IMAGE_MESSAGES:
            raise ValueError(f"unknown image refusal code: {code!r}")
        self.code = code
        self.fr, self.en = IMAGE_MESSAGES[code]
        super().__init__(code)

    def __reduce__(self) -> tuple[type[ImageRefused], tuple[str]]:
        # Rebuilt from its code when it crosses a process boundary (the image workers).
        return (ImageRefused, (self.code,))
