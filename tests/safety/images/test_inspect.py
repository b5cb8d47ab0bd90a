"""inspect_bytes in-process and through the worker pool."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Iterator

import pytest
from PIL import Image

from papote.images import ImageLimits, ImageRefused
from papote.safety.images.hashing import MIN_QUALITY, pdq_of
from papote.safety.images.inspect import ImageWorkers, inspect_bytes
from papote.safety.images.nudity import NUDITY_CLASSES
from tests.imaging import encode, jpeg_with_gps, shapes, with_caption

LIMITS = ImageLimits()


def test_inspect_a_phone_jpeg() -> None:
    data = jpeg_with_gps(shapes(11))
    inspection = inspect_bytes(data, LIMITS)
    assert inspection.clean.mime == "image/jpeg"
    assert inspection.pdq is not None
    assert inspection.pdq == inspection.raw_pdq
    assert inspection.pdq_quality >= MIN_QUALITY
    assert pdq_of(shapes(11)).hex != ""
    assert list(inspection.nudity) == list(NUDITY_CLASSES)
    assert inspection.sha256s == (inspection.clean.source_sha256, inspection.clean.sha256)
    assert not inspection.caption


def test_a_caption_band_is_reported() -> None:
    assert inspect_bytes(encode(with_caption(shapes(12)), "JPEG"), LIMITS).caption


def test_a_flat_picture_has_no_matchable_hash() -> None:
    inspection = inspect_bytes(encode(Image.new("RGB", (200, 100), (40, 80, 120)), "PNG"), LIMITS)
    assert inspection.pdq is None
    assert len(inspection.raw_pdq) == 64
    assert inspection.pdq_quality < MIN_QUALITY


def test_refusals_come_from_sanitize() -> None:
    with pytest.raises(ImageRefused) as refused:
        inspect_bytes(b"", LIMITS)
    assert refused.value.code == "image_empty"
    with pytest.raises(ImageRefused) as refused:
        inspect_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", LIMITS)
    assert refused.value.code == "image_svg"


def test_a_refusal_pickles_with_its_code() -> None:
    again = pickle.loads(pickle.dumps(ImageRefused("image_corrupt")))
    assert isinstance(again, ImageRefused)
    assert (again.code, again.fr) == ("image_corrupt", ImageRefused("image_corrupt").fr)


@pytest.fixture(scope="module")
def workers() -> Iterator[ImageWorkers]:
    pool = ImageWorkers(size=1)
    yield pool
    pool.close()


async def test_workers_give_the_same_inspection(workers: ImageWorkers) -> None:
    await workers.start()
    data = encode(shapes(13), "JPEG", quality=80)
    remote = await workers.inspect(data)
    local = inspect_bytes(data, LIMITS)
    assert remote.clean.sha256 == local.clean.sha256
    assert remote.pdq == local.pdq
    assert remote.nudity == pytest.approx(local.nudity)


async def test_refusals_cross_the_process_boundary(workers: ImageWorkers) -> None:
    with pytest.raises(ImageRefused) as refused:
        await workers.inspect(b"GIF89a but cut")
    assert refused.value.code in ("image_truncated", "image_corrupt")
    assert refused.value.fr


async def test_workers_run_uploads_concurrently_and_restart_after_close() -> None:
    pool = ImageWorkers(size=2)
    try:
        uploads = [encode(shapes(seed), "PNG") for seed in (20, 21, 22)]
        results = await asyncio.gather(*(pool.inspect(data) for data in uploads))
        assert [r.pdq for r in results] == [inspect_bytes(d, LIMITS).pdq for d in uploads]
        pool.close()
        assert (await pool.inspect(uploads[0])).pdq == results[0].pdq
    finally:
        pool.close()


def test_a_pool_needs_a_process() -> None:
    with pytest.raises(ValueError):
        ImageWorkers(size=0)
