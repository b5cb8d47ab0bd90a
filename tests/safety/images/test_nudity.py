"""NudeNet scores: every class, NudeNet's own pre-processing, nothing on synthetic pictures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from papote.safety.images.inspect import nudity_detector
from papote.safety.images.nudity import NUDITY_CLASSES, NudityDetector, _blob, _class_scores
from papote.safety.images.policy import EXPLICIT_CLASSES, PARTIAL_CLASSES, ImagePolicy
from tests.imaging import encode, gradient, noise, shapes, with_caption


@pytest.fixture(scope="module")
def detector() -> NudityDetector:
    return nudity_detector()


def test_the_classes_are_nudenets() -> None:
    from nudenet import nudenet  # type: ignore[import-untyped]

    assert list(NUDITY_CLASSES) == list(nudenet.__labels)
    assert set(EXPLICIT_CLASSES) | set(PARTIAL_CLASSES) <= set(NUDITY_CLASSES)


def test_the_model_input_is_the_one_nudenet_builds(tmp_path: Path) -> None:
    from nudenet.nudenet import _read_image  # type: ignore[import-untyped]

    picture = shapes(39, (500, 300))
    path = tmp_path / "shapes.png"
    path.write_bytes(encode(picture, "PNG"))
    theirs = _read_image(str(path), 320)[0]
    assert theirs.shape == _blob(picture).shape == (1, 3, 320, 320)
    assert np.abs(theirs - _blob(picture)).max() < 1e-5


def test_scores_give_every_class(detector: NudityDetector) -> None:
    scores = detector.scores(shapes(2))
    assert list(scores) == list(NUDITY_CLASSES)
    assert all(0.0 <= value <= 1.0 for value in scores.values())


def test_any_mode_and_size_is_read(detector: NudityDetector) -> None:
    for picture in (shapes(1).convert("L"), shapes(1).convert("RGBA"), shapes(1).resize((60, 900))):
        assert set(detector.scores(picture)) == set(NUDITY_CLASSES)


def test_per_class_maximum_over_boxes_where_the_class_is_best() -> None:
    output = np.zeros((1, 22, 5), dtype=np.float32)
    output[0, 4 + 3, 0] = 0.9  # FEMALE_BREAST_EXPOSED best in box 0
    output[0, 4 + 1, 0] = 0.5  # FACE_FEMALE second in box 0: does not count
    output[0, 4 + 1, 1] = 0.7  # FACE_FEMALE best in box 1
    output[0, 4 + 1, 2] = 0.75
    output[0, 4 + 7, 3] = 0.15  # under NudeNet's 0.2 filter
    scores = _class_scores(output)
    assert scores["FEMALE_BREAST_EXPOSED"] == pytest.approx(0.9)
    assert scores["FACE_FEMALE"] == pytest.approx(0.75)
    assert scores["FEET_EXPOSED"] == 0.0
    assert sum(value > 0 for value in scores.values()) == 2


def test_synthetic_pictures_score_no_nudity(detector: NudityDetector) -> None:
    policy = ImagePolicy()
    pictures = [shapes(seed) for seed in range(40)]
    pictures += [noise(seed) for seed in range(10)] + [gradient(seed) for seed in range(10)]
    pictures += [with_caption(shapes(seed)) for seed in range(10)]
    pictures.append(Image.new("RGB", (200, 200), (230, 190, 170)))  # a flat skin-like colour
    for picture in pictures:
        assert policy.nudity_level(detector.scores(picture)) == "none"
