"""Nudity scores from NudeNet's detector (the 320n ONNX model shipped inside the `nudenet` wheel).

We run the model with onnxruntime ourselves rather than through `NudeDetector.detect`: it lets us pin
one thread per worker process (the pool gives one process per core) and replace NudeNet's per-box
Python loop (~8 ms) with one numpy reduction. Pre-processing is NudeNet's: pad to a square at the
bottom and right with black, resize to 320x320 (bilinear), scale to 0..1, and channels in BGR order:
NudeNet's own `_read_image` ends up feeding BGR (its RGBA2BGR conversion swaps the channels of a
3-channel picture, then blobFromImage swaps them back), and its published behaviour is with that input.
Our blob equals NudeNet's for the same picture (checked to 1e-7).

A class's score is the highest confidence among the model's boxes whose best class it is; like NudeNet,
confidences under 0.2 count as absent (0.0). Boxes and NMS are not needed for a per-class maximum.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = ["NUDITY_CLASSES", "NudityDetector", "NudityError"]

# NudeNet's 18 classes, in the order of the model's outputs.
NUDITY_CLASSES: tuple[str, ...] = (
    "FEMALE_GENITALIA_COVERED",
    "FACE_FEMALE",
    "BUTTOCKS_EXPOSED",
    "FEMALE_BREAST_EXPOSED",
    "FEMALE_GENITALIA_EXPOSED",
    "MALE_BREAST_EXPOSED",
    "ANUS_EXPOSED",
    "FEET_EXPOSED",
    "BELLY_COVERED",
    "FEET_COVERED",
    "ARMPITS_COVERED",
    "ARMPITS_EXPOSED",
    "FACE_MALE",
    "BELLY_EXPOSED",
    "MALE_GENITALIA_EXPOSED",
    "ANUS_COVERED",
    "FEMALE_BREAST_COVERED",
    "BUTTOCKS_COVERED",
)

_SIDE = 320  # the model's input resolution
_MIN_SCORE = 0.2  # NudeNet's own confidence filter


class NudityError(RuntimeError):
    """The nudity model could not be loaded or run (the caller must treat the image as unchecked)."""


def model_path() -> Path:
    import nudenet  # type: ignore[import-untyped]  # late import: keeps importing this module cheap

    return Path(nudenet.__file__).with_name("320n.onnx")


class NudityDetector:
    """Loads the model once; `scores` is then ~25 ms per image on one core."""

    def __init__(self, threads: int = 1) -> None:
        try:
            import onnxruntime  # type: ignore[import-untyped]

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            self._session: Any = onnxruntime.InferenceSession(
                str(model_path()), sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._input = self._session.get_inputs()[0].name
        except Exception as error:  # onnxruntime raises its own exception types
            raise NudityError(f"cannot load the nudity model: {error}") from error

    def scores(self, image: Image.Image) -> dict[str, float]:
        """Every class of NUDITY_CLASSES with its score (0.0 when the class is absent)."""
        blob = _blob(image)
        try:
            output = self._session.run(None, {self._input: blob})[0]
        except Exception as error:
            raise NudityError(f"the nudity model failed: {error}") from error
        return _class_scores(np.asarray(output, dtype=np.float32))


def _blob(image: Image.Image) -> NDArray[np.float32]:
    pixels = np.asarray(image.convert("RGB"), dtype=np.uint8)
    height, width = pixels.shape[:2]
    side = max(height, width)
    square = np.zeros((side, side, 3), dtype=np.uint8)
    square[:height, :width] = pixels
    resized = cv2.resize(square, (_SIDE, _SIDE), interpolation=cv2.INTER_LINEAR)[:, :, ::-1]
    return np.ascontiguousarray((resized.astype(np.float32) / 255.0).transpose(2, 0, 1)[None])


def _class_scores(output: NDArray[np.float32]) -> dict[str, float]:
    classes = output[0, 4:, :]  # (18, boxes)
    best = classes.argmax(axis=0)
    confidence = classes.max(axis=0)
    scores = dict.fromkeys(NUDITY_CLASSES, 0.0)
    for index, name in enumerate(NUDITY_CLASSES):
        mine = confidence[(best == index) & (confidence >= _MIN_SCORE)]
        if mine.size:
            scores[name] = round(float(mine.max()), 4)
    return scores
