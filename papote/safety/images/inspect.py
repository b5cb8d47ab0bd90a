"""Check an uploaded image: sanitize, PDQ hash, caption band, nudity scores; in worker processes.

`inspect_bytes` is the whole check for one upload. It is CPU-bound (~40 ms for an 800x600 JPEG, most
of it in the nudity model), so the server never runs it on its event loop: `ImageWorkers` runs it in a
pool of processes started with "spawn" (the server has threads, and fork with threads is unsafe),
each loading the nudity model once. `ImageRefused` crosses the process boundary intact (it pickles
from its code), so callers catch it exactly as if the check ran in-process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from PIL import Image

from papote.images import CleanImage, ImageLimits, decoded, sanitize
from papote.safety.images.hashing import PdqHash, caption_band, pdq_of, reduced
from papote.safety.images.nudity import NudityDetector

__all__ = ["ImageInspection", "ImageWorkers", "fingerprint", "inspect_bytes", "nudity_detector"]


@dataclass(frozen=True)
class ImageInspection:
    clean: CleanImage
    pdq: str | None  # None when the hash is too unreliable to match (quality < MIN_QUALITY)
    pdq_quality: int
    nudity: dict[str, float]  # every NudeNet class, 0.0 when absent
    raw_pdq: str = ""  # the hash whatever its quality (for records; never match it when `pdq` is None)
    caption: bool = False  # a caption band was found: pass caption=True to BankMatcher.match
    sha256s: tuple[str, ...] = field(default=())  # digests to compare with exact lists: upload, clean file


_detector: NudityDetector | None = None


def nudity_detector() -> NudityDetector:
    """This process's nudity model, loaded on first use."""
    global _detector
    if _detector is None:
        _detector = NudityDetector()
    return _detector


def inspect_bytes(data: bytes, limits: ImageLimits) -> ImageInspection:
    """Sanitize `data` (raises ImageRefused), then hash and score the cleaned picture."""
    clean = sanitize(data, limits)
    picture = decoded(clean)
    hashed, caption = fingerprint(picture)
    return ImageInspection(
        clean=clean,
        pdq=hashed.hex if hashed.reliable else None,
        pdq_quality=hashed.quality,
        nudity=nudity_detector().scores(picture),
        raw_pdq=hashed.hex,
        caption=caption,
        sha256s=(clean.source_sha256, clean.sha256),
    )


def fingerprint(picture: Image.Image) -> tuple[PdqHash, bool]:
    """The PDQ hash of a cleaned picture and whether it carries a caption band."""
    small = reduced(picture)  # hashing and banding share the <= 512 px copy
    return pdq_of(small), caption_band(small) > 0


def _start_worker() -> None:
    """Pool initializer: load the model and run it once, so the first real upload is not slow."""
    nudity_detector().scores(Image.new("RGB", (64, 64), (128, 128, 128)))


def _ready() -> bool:
    return True


class ImageWorkers:
    """A pool of `size` worker processes for `inspect_bytes`, started on first use."""

    def __init__(self, size: int = 1, limits: ImageLimits | None = None) -> None:
        if size < 1:
            raise ValueError("an image worker pool needs at least one process")
        self.size = size
        self.limits = limits or ImageLimits()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.size,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
            )
        return self._pool

    async def start(self) -> None:
        """Start every worker now (optional: `inspect` starts them anyway) and wait until they are ready."""
        loop = asyncio.get_running_loop()
        pool = self._executor()
        await asyncio.gather(*(loop.run_in_executor(pool, _ready) for _ in range(self.size)))

    async def inspect(self, data: bytes) -> ImageInspection:
        """`inspect_bytes` in a worker; ImageRefused propagates as ImageRefused."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), inspect_bytes, data, self.limits)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): drop the pool so the next upload gets a fresh one.
            self.close()
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
