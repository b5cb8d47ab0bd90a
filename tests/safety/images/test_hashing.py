"""PDQ hashing, bank variants and caption bands on synthetic pictures."""

from __future__ import annotations

import string

from PIL import Image, ImageOps

from papote.safety.images.hashing import (
    HASH_SIDE,
    MIN_QUALITY,
    bank_variants,
    caption_band,
    distance,
    pdq_of,
    reduced,
)
from tests.imaging import gradient, noise, shapes, with_caption


def test_pdq_is_64_hex_digits_with_a_quality() -> None:
    hashed = pdq_of(shapes(1))
    assert len(hashed.hex) == 64
    assert set(hashed.hex) <= set(string.hexdigits.lower())
    assert hashed.quality >= MIN_QUALITY
    assert hashed.reliable


def test_same_picture_same_hash_other_picture_far() -> None:
    assert pdq_of(shapes(3)).hex == pdq_of(shapes(3)).hex
    assert distance(pdq_of(shapes(3)).hex, pdq_of(shapes(4)).hex) > 64


def test_a_flat_picture_is_not_reliable() -> None:
    flat = pdq_of(Image.new("RGB", (300, 200), (90, 120, 200)))
    assert flat.quality < MIN_QUALITY
    assert not flat.reliable


def test_large_pictures_are_reduced_before_hashing() -> None:
    big = shapes(5, (1600, 1200))
    assert max(reduced(big).size) == HASH_SIDE
    assert reduced(shapes(5)).size == (HASH_SIDE, 384)
    assert pdq_of(big).hex == pdq_of(reduced(big)).hex


def test_mode_does_not_matter() -> None:
    picture = shapes(6)
    assert distance(pdq_of(picture).hex, pdq_of(picture.convert("RGBA")).hex) == 0


def test_distance() -> None:
    zero = "0" * 64
    assert distance(zero, zero) == 0
    assert distance(zero, "f" * 64) == 256
    assert distance(zero, "0" * 63 + "3") == 2


def test_bank_variants_cover_the_image_its_mirror_and_crops() -> None:
    picture = shapes(7)
    variants = bank_variants(picture)
    assert variants[0] == pdq_of(picture).hex
    assert pdq_of(ImageOps.mirror(reduced(picture))).hex in variants
    assert len(variants) == len(set(variants))
    assert 6 <= len(variants) <= 14


def test_bank_variants_leave_out_unreliable_hashes() -> None:
    assert bank_variants(Image.new("RGB", (300, 200), (10, 200, 30))) == []


def test_caption_band_found_at_the_bottom_and_the_top() -> None:
    for seed in range(20):
        assert 0.05 <= caption_band(with_caption(shapes(seed))) <= 0.2
    flipped = ImageOps.flip(with_caption(shapes(1)))
    assert caption_band(flipped) > 0


def test_no_caption_band_on_noise_or_on_a_whole_gradient() -> None:
    assert all(caption_band(noise(seed)) == 0 for seed in range(10))
    white_to_black = Image.linear_gradient("L").convert("RGB").resize((400, 300))
    assert caption_band(white_to_black) == 0
    assert caption_band(Image.new("RGB", (300, 200), (255, 255, 255))) == 0
    assert sum(caption_band(gradient(seed)) > 0 for seed in range(20)) == 0
