"""The CLI contract of classify_image_files: one JSON line per file."""

from __future__ import annotations

from pathlib import Path

import orjson

from papote.images import IMAGE_MESSAGES
from papote.safety.images.banks import Bank, BankMatcher
from papote.safety.images.commands import classify_image_files
from papote.safety.images.hashing import bank_variants
from papote.safety.images.nudity import NUDITY_CLASSES
from papote.safety.images.policy import ImagePolicy
from tests.imaging import encode, shapes


def test_one_line_per_file_in_order(tmp_path: Path) -> None:
    matcher = BankMatcher()
    matcher.add_bank(Bank("interdites", "other"))
    matcher.add_hashes("interdites", bank_variants(shapes(30)))
    banned, ordinary, broken = tmp_path / "a.jpg", tmp_path / "b.png", tmp_path / "c.jpg"
    banned.write_bytes(encode(shapes(30).resize((320, 240)), "JPEG", quality=70))
    ordinary.write_bytes(encode(shapes(31), "PNG"))
    broken.write_bytes(b"\xff\xd8\xff\xe0 pas vraiment un jpeg")
    missing = tmp_path / "absent.png"

    lines = list(classify_image_files([banned, ordinary, broken, missing], matcher, ImagePolicy()))
    rows = [orjson.loads(line) for line in lines]
    assert [row["file"] for row in rows] == [str(banned), str(ordinary), str(broken), str(missing)]

    first, second, third, fourth = rows
    assert set(first) == {"file", "sha256", "pdq", "pdq_quality", "nudity", "matches", "action"}
    assert first["action"] == "block"
    assert [(m["bank"], m["category"]) for m in first["matches"]] == [("interdites", "other")]
    assert first["matches"][0]["distance"] <= 31
    assert len(first["pdq"]) == 64 and first["pdq_quality"] >= 50
    assert list(first["nudity"]) == list(NUDITY_CLASSES)

    assert second["matches"] == []
    assert second["action"] == "blur"  # a room for everyone, first image: blurred

    assert third["action"] == "block"
    assert third["error"] in IMAGE_MESSAGES
    assert third["message"] == IMAGE_MESSAGES[third["error"]][0]
    assert (fourth["error"], fourth["action"]) == ("file_unreadable", "block")
    assert fourth["message"] == "Ce fichier ne peut pas être lu."
