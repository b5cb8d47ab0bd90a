"""Proof that banks catch re-uploads and pass unrelated pictures (see proof.py for the set)."""

from __future__ import annotations

import pytest

from tests.safety.images.proof import (
    BANK_SEEDS,
    IMAGE_TRANSFORMS,
    LIST_TRANSFORMS,
    ProofResult,
    run_proof,
)


@pytest.fixture(scope="module")
def proof() -> ProofResult:
    return run_proof()


def test_every_reupload_matches_a_bank_made_from_a_hash_list(proof: ProofResult) -> None:
    for name in LIST_TRANSFORMS:
        assert proof.tried[f"list/{name}"] == len(BANK_SEEDS)
        assert proof.missed.get(f"list/{name}", []) == [], name


def test_every_reupload_matches_a_bank_made_from_images(proof: ProofResult) -> None:
    for name in IMAGE_TRANSFORMS:
        assert proof.tried[f"images/{name}"] == len(BANK_SEEDS)
        assert proof.missed.get(f"images/{name}", []) == [], name


def test_no_unrelated_picture_matches(proof: ProofResult) -> None:
    assert proof.unrelated >= 200
    assert proof.false_matches == []
