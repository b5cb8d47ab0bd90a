"""The labelled French dev set: schema, counts, uniqueness and fictional data only."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import phonenumbers
import pytest

from papote.safety.base import CONVERSATION_LABELS, LABELS

DEVSET = Path(__file__).resolve().parents[2] / "papote" / "safety" / "devset"
TEXT_KEYS = {
    "id", "text", "labels", "channel", "sender_age_band", "recipient_age_band", "room_audience",
    "hard_negative_for", "note",
}  # fmt: skip
CONV_KEYS = {"id", "participants", "turns", "expected_labels", "flag_by_turn", "note"}
BANDS = {"minor", "adult"}
AUDIENCES = {"minors", "adults", "all"}

# French numbers the ARCEP keeps for fiction (06 39 98 xx xx, 01 99 00 xx xx) and the classic 06 12 34 56 78.
FICTIONAL_PHONE = re.compile(r"^(?:63998\d{4}|19900\d{4}|612345678)$")
# Public helplines named in prevention messages (Drogues Info Service, Fil Santé Jeunes, 33700 spam reports).
PUBLIC_HELPLINES = {"800231313", "800235236", "33700"}
HANDLE_MARKERS = ("fictif", "fictive", "fake", "example")
TLDS = "com|fr|net|org|io|me|ly|gg|co|info|biz|xyz|be|example"
DOMAIN = re.compile(rf"\b(?:[a-z0-9-]+\.)+(?:{TLDS})\b(?:/\S*)?", re.IGNORECASE)
ALLOWED_DOMAINS = ("wa.me",)  # WhatsApp's link domain, only ever with a fictional number
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
DIGIT_IN_WORD = re.compile(r"[a-z][0-9][a-z0-9]*[a-z]|[0-9][a-z]+[0-9]", re.IGNORECASE)
SPACED = re.compile(r"(?:\b\w[ .\-]){3,}\w\b")


def _load(name: str) -> list[dict[str, Any]]:
    with (DEVSET / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return _load("text.jsonl")


@pytest.fixture(scope="module")
def conversations() -> list[dict[str, Any]]:
    return _load("conversations.jsonl")


def _all_texts(rows: list[dict[str, Any]], conversations: list[dict[str, Any]]) -> list[tuple[str, str]]:
    texts = [(row["id"], row["text"]) for row in rows]
    for conv in conversations:
        texts.extend((conv["id"], turn["text"]) for turn in conv["turns"])
    return texts


def test_text_rows_follow_the_schema(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        assert set(row) == TEXT_KEYS, row["id"]
        assert isinstance(row["text"], str) and row["text"].strip(), row["id"]
        assert isinstance(row["note"], str) and 0 < len(row["note"]) <= 120, row["id"]
        assert set(row["labels"]) <= set(LABELS), row["id"]
        assert len(set(row["labels"])) == len(row["labels"]), row["id"]
        assert row["sender_age_band"] in BANDS, row["id"]
        if row["channel"] == "dm":
            assert row["recipient_age_band"] in BANDS and row["room_audience"] is None, row["id"]
        else:
            assert row["channel"] == "room", row["id"]
            assert row["recipient_age_band"] is None and row["room_audience"] in AUDIENCES, row["id"]


def test_hard_negatives_carry_no_label(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if row["hard_negative_for"] is not None:
            assert row["hard_negative_for"] in LABELS, row["id"]
            assert row["labels"] == [], row["id"]


def test_at_least_forty_positives_and_forty_hard_negatives_per_label(rows: list[dict[str, Any]]) -> None:
    positives = Counter(label for row in rows for label in row["labels"])
    hard = Counter(row["hard_negative_for"] for row in rows if row["hard_negative_for"])
    for label in LABELS:
        assert positives[label] >= 40, label
        assert hard[label] >= 40, label
    assert sum(hard.values()) >= 480


def test_ids_are_unique_and_texts_are_not_repeated(
    rows: list[dict[str, Any]], conversations: list[dict[str, Any]]
) -> None:
    ids = [row["id"] for row in rows] + [conv["id"] for conv in conversations]
    assert len(ids) == len(set(ids))
    keys = Counter(" ".join(row["text"].casefold().split()) for row in rows)
    assert [text for text, count in keys.items() if count > 1] == []


def test_evasion_tricks_are_represented(rows: list[dict[str, Any]]) -> None:
    positives = [row["text"] for row in rows if row["labels"]]
    assert sum(bool(CYRILLIC.search(text)) for text in positives) >= 10
    assert sum(bool(ZERO_WIDTH.search(text)) for text in positives) >= 5
    assert sum(bool(DIGIT_IN_WORD.search(text)) for text in positives) >= 15
    assert sum(bool(SPACED.search(text)) for text in positives) >= 15


ENGLISH = re.compile(
    r"\b(?:you|your|you're|i'm|i'll|the|my|and|is|are|was|how|much|any|here|wanna|send|without|got|that|"
    r"never|to|in|at|for|people|with|or)\b"
)


def test_english_positives_and_hard_negatives_are_represented(rows: list[dict[str, Any]]) -> None:
    # People also write in English on a French chat: the set measures both sides of it.
    english = [row for row in rows if len(ENGLISH.findall(row["text"].lower())) >= 2]
    positives = Counter(label for row in english for label in row["labels"])
    hard = [row for row in english if row["hard_negative_for"]]
    assert positives["threat"] >= 5 and positives["sexual_solicitation"] >= 3
    assert len(positives) >= 6
    assert len(hard) >= 15


def test_phone_numbers_are_fictional_or_public_helplines(
    rows: list[dict[str, Any]], conversations: list[dict[str, Any]]
) -> None:
    found = 0
    for item_id, text in _all_texts(rows, conversations):
        for match in phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.POSSIBLE):
            national = phonenumbers.national_significant_number(match.number)
            assert FICTIONAL_PHONE.match(national) or national in PUBLIC_HELPLINES, item_id
            found += 1
    assert found >= 5  # the contact examples do contain numbers: the check looked at something


def test_links_emails_and_handles_are_fictional(
    rows: list[dict[str, Any]], conversations: list[dict[str, Any]]
) -> None:
    for item_id, text in _all_texts(rows, conversations):
        for domain in DOMAIN.finditer(text):
            host = domain.group(0).split("/")[0].lower()
            fictional = host.endswith((".example", "example.com")) or host in ALLOWED_DOMAINS
            assert fictional, item_id
        for handle in re.finditer(r"(?<![\w.])@([\w.]+)", text):
            assert any(marker in handle.group(1).lower() for marker in HANDLE_MARKERS), item_id


def test_conversations_follow_the_schema(conversations: list[dict[str, Any]]) -> None:
    for conv in conversations:
        assert set(conv) == CONV_KEYS, conv["id"]
        assert set(conv["participants"]) == {"a", "b"}, conv["id"]
        assert set(conv["participants"].values()) <= BANDS, conv["id"]
        assert len(conv["turns"]) >= 2, conv["id"]
        for turn in conv["turns"]:
            assert set(turn) == {"from", "text"} and turn["from"] in {"a", "b"} and turn["text"].strip()
        assert set(conv["expected_labels"]) <= set(CONVERSATION_LABELS), conv["id"]
        if conv["expected_labels"]:
            assert 1 <= conv["flag_by_turn"] <= len(conv["turns"]), conv["id"]
        else:
            assert conv["flag_by_turn"] is None, conv["id"]


def test_conversation_counts(conversations: list[dict[str, Any]]) -> None:
    risky = [conv for conv in conversations if conv["expected_labels"]]
    benign = [conv for conv in conversations if not conv["expected_labels"]]
    assert len(risky) >= 40 and len(benign) >= 40
    per_label = Counter(label for conv in risky for label in conv["expected_labels"])
    assert per_label["grooming"] >= 20 and per_label["ambush"] >= 8 and per_label["drug_deal"] >= 8
    grooming = [conv for conv in risky if "grooming" in conv["expected_labels"]]
    assert all(set(conv["participants"].values()) == BANDS for conv in grooming)
