"""Hash-list parsing and the bank matcher."""

from __future__ import annotations

import pytest

from papote.safety.images.banks import (
    CAPTION_ALLOWANCE,
    Bank,
    BankMatch,
    BankMatcher,
    parse_hash_list,
)

A = "a" * 64
B = "0123456789abcdef" * 4
C = "f" * 64


def near(value: str, bits: int) -> str:
    """`value` with its lowest `bits` bits flipped."""
    return f"{int(value, 16) ^ ((1 << bits) - 1):064x}"


def test_parse_plain_lines_with_optional_labels() -> None:
    lines = [A, "", f"{B},lot fictif 12", "   ", f"  {C.upper()}  \n"]
    assert parse_hash_list(lines) == [(A, None), (B, "lot fictif 12"), (C, None)]


def test_parse_accepts_a_header_and_comments() -> None:
    lines = ["# exported 2026-01-01", "hash,label", f"{A},x"]
    assert parse_hash_list(lines) == [(A, "x")]


def test_parse_threatexchange_style_csv() -> None:
    lines = [
        "signal,tags,first_seen,quality",
        f'{A},"csam, verified",2024-05-01,100',
        f"{B},,2024-05-02,90",
    ]
    assert parse_hash_list(lines) == [(A, "csam, verified"), (B, None)]


def test_parse_names_the_bad_line() -> None:
    with pytest.raises(ValueError, match="line 3"):
        parse_hash_list([A, "", "pas un hash"])
    with pytest.raises(ValueError, match="line 2"):
        parse_hash_list([A, A[:-1]])
    with pytest.raises(ValueError, match="line 3"):
        parse_hash_list(["hash", A, "hash"])  # a header only comes first


def make_matcher() -> BankMatcher:
    matcher = BankMatcher()
    matcher.add_bank(Bank("autres", "other"))
    matcher.add_bank(Bank("pedo", "csam"))
    matcher.add_bank(Bank("ncii-fr", "ncii", distance=20))
    matcher.add_hashes("autres", [A])
    matcher.add_hashes("pedo", [near(A, 10), near(A, 40)])
    matcher.add_hashes("ncii-fr", [near(A, 25)], sha256=B)
    return matcher


def test_best_match_per_bank_most_severe_first() -> None:
    matcher = make_matcher()
    assert len(matcher) == 4
    assert matcher.match(A) == [BankMatch("pedo", "csam", 10), BankMatch("autres", "other", 0)]


def test_each_bank_has_its_own_radius() -> None:
    matcher = make_matcher()
    assert matcher.match(near(A, 25)) == [
        BankMatch("pedo", "csam", 15),
        BankMatch("ncii-fr", "ncii", 0),
        BankMatch("autres", "other", 25),
    ]
    assert BankMatch("ncii-fr", "ncii", 25) not in matcher.match(A)


def test_exact_digest_matches_without_a_hash() -> None:
    matcher = make_matcher()
    assert matcher.match(None, [C, B.upper()]) == [BankMatch("ncii-fr", "ncii", 0)]
    assert matcher.match(None, [C]) == []


def test_caption_widens_the_radius() -> None:
    matcher = make_matcher()
    far = C
    matcher.add_hashes("autres", [near(far, 31 + CAPTION_ALLOWANCE)])
    assert matcher.match(far) == []
    widened = BankMatch("autres", "other", 31 + CAPTION_ALLOWANCE, widened=True)
    assert matcher.match(far, caption=True) == [widened]
    assert matcher.match(near(A, 3), caption=True)[-1] == BankMatch("autres", "other", 3)


def test_bad_banks_and_hashes_are_refused() -> None:
    matcher = make_matcher()
    with pytest.raises(ValueError):
        matcher.add_bank(Bank("x", "porn"))
    with pytest.raises(KeyError):
        matcher.add_hashes("inconnue", [A])
    with pytest.raises(ValueError):
        matcher.add_hashes("autres", ["abc"])
    with pytest.raises(ValueError):
        matcher.add_hashes("autres", [A], sha256="pas un digest")


def test_empty_matcher_matches_nothing() -> None:
    assert BankMatcher().match(A, [B]) == []
