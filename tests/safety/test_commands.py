"""`classify_lines`, `classify_conversation_lines` and the `papote safety …` commands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

import pytest

from papote.cli import safety_cmd
from papote.cli.main import add_storage_options
from papote.safety import evaluation
from papote.safety.base import AgeBand
from papote.safety.commands import classify_conversation_lines, classify_lines, context_from
from papote.safety.pipeline import TextPipeline


@pytest.fixture(scope="module")
def pipeline() -> TextPipeline:
    return TextPipeline.default(names=("rules", "contact", "age_claims"))


def line(**fields: Any) -> str:
    return json.dumps(fields, ensure_ascii=False)


def test_classify_lines(pipeline: TextPipeline) -> None:
    lines = [
        line(id="a", text="ajoute moi sur snap lea_fictive92", channel="dm", sender_age_band="adult",
             recipient_age_band="minor"),
        line(id="b", text="salut, bonne soirée à tous", channel="room", sender_age_band="adult",
             recipient_age_band=None),
        "",
        line(id="c", text="je veux en finir", channel="room", sender_age_band="minor",
             room_audience="minors"),
    ]  # fmt: skip
    out = [json.loads(result) for result in classify_lines(lines, pipeline)]
    assert [row["id"] for row in out] == ["a", "b", "c"]
    assert out[0]["action"] == "block"
    assert out[0]["labels"] == ["contact_offplatform", "minor_sexual_risk"]
    assert out[0]["scores"]["contact_offplatform"] >= 0.9
    assert out[1] == {"id": "b", "labels": [], "scores": {}, "action": "allow"}
    assert out[2]["labels"] == ["self_harm"] and out[2]["action"] == "tip"


def test_bad_lines_give_an_error_and_the_batch_goes_on(pipeline: TextPipeline) -> None:
    lines = [
        "not json",
        "[1, 2]",
        line(id="x", channel="dm"),
        line(id="y", text="salut", channel="tram"),
        line(id="z", text="salut", channel="dm", sender_age_band="teen"),
        line(id="ok", text="salut", channel="dm"),
    ]
    out = [json.loads(result) for result in classify_lines(lines, pipeline)]
    assert [("error" in row) for row in out] == [True, True, True, True, True, False]
    assert out[0]["error"] == "line 1: not JSON"
    assert out[2]["id"] == "x"


def test_context_from_defaults_a_room_to_everyone() -> None:
    context = context_from({"channel": "room", "sender_age_band": "adult"})
    assert context.room_audience == "all"
    dm = context_from({"channel": "dm", "room_audience": "adults", "conversation_accepted": True})
    assert dm.room_audience is None and dm.conversation_accepted is True


class Assessment:
    def __init__(self, flagged: bool, labels: tuple[str, ...]) -> None:
        self.flagged = flagged
        self.labels = labels


class Recorder:
    """A fake conversation scorer that flags on the word "alerte" and records what it saw."""

    def __init__(self, participants: dict[str, AgeBand]) -> None:
        self.participants = participants
        self.seen: list[tuple[str, str]] = []
        Recorder.last = self

    def observe(self, sender: str, text: str) -> Assessment:
        self.seen.append((sender, text))
        flagged = "alerte" in text
        return Assessment(flagged, ("grooming",) if flagged else ())

    last: Recorder


def test_conversation_flag_turn_is_the_first_flagged_turn() -> None:
    conversation = line(
        id="c1",
        participants={"a": "adult", "b": "minor"},
        turns=[
            {"from": "a", "text": "salut"},
            {"from": "b", "text": "alerte"},
            {"from": "a", "text": "alerte"},
        ],
    )
    (result,) = [json.loads(r) for r in classify_conversation_lines([conversation], Recorder)]
    assert result == {"id": "c1", "flagged": True, "flag_turn": 2, "labels": ["grooming"]}
    assert Recorder.last.participants == {"a": "adult", "b": "minor"}
    assert Recorder.last.seen == [("a", "salut"), ("b", "alerte"), ("a", "alerte")]


def test_conversation_not_flagged() -> None:
    conversation = line(
        id="c2", participants={"a": "adult", "b": "adult"}, turns=[{"from": "a", "text": "salut"}]
    )
    (result,) = [json.loads(r) for r in classify_conversation_lines([conversation], Recorder)]
    assert result == {"id": "c2", "flagged": False, "flag_turn": None, "labels": []}


def test_conversation_errors() -> None:
    lines = [
        line(id="e1", participants=[], turns=[]),
        line(id="e2", participants={"a": "adult"}, turns=[{"x": 1}]),
    ]
    out = [json.loads(r) for r in classify_conversation_lines(lines, Recorder)]
    assert all("error" in row for row in out)


def test_conversation_with_the_real_scorer() -> None:
    conversation = line(
        id="real",
        participants={"a": "adult", "b": "minor"},
        turns=[{"from": "a", "text": "salut ça va ?"}, {"from": "b", "text": "oui et toi"}],
    )
    (result,) = [json.loads(r) for r in classify_conversation_lines([conversation])]
    assert result["id"] == "real"
    assert set(result) == {"id", "flagged", "flag_turn", "labels"}


# --- the command line ----------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="papote")
    safety_cmd.register(root.add_subparsers(dest="command", required=True), add_storage_options)
    return root


def run(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    result: int = args.func(args)
    return result


def test_cli_classify_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        line(id="1", text="je sais où tu habites", channel="room", sender_age_band="adult") + "\n",
        encoding="utf-8",
    )
    assert run(["safety", "classify", str(source)]) == 0
    (row,) = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert row["id"] == "1" and row["action"] == "block" and "threat" in row["labels"]


def test_cli_classify_reports_bad_input_with_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("oops\n", encoding="utf-8")
    assert run(["safety", "classify", str(source)]) == 1
    assert "error" in capsys.readouterr().out


def test_cli_classify_conversation_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    conversation = line(
        id="c", participants={"a": "adult", "b": "adult"}, turns=[{"from": "a", "text": "coucou"}]
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(conversation + "\n"))
    assert run(["safety", "classify-conversation"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "c"


def test_cli_eval_uses_the_shared_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[Path] = []

    def fake_run(out: TextIO, shared: Path) -> int:
        calls.append(shared)
        return 0

    monkeypatch.setattr(evaluation, "run", fake_run)
    monkeypatch.delenv("PAPOTE_SHARED_DATA", raising=False)
    assert run(["safety", "eval"]) == 0
    assert calls[-1] == (safety_cmd.REPO_ROOT.parent / "shared" / "data").resolve()
    monkeypatch.setenv("PAPOTE_SHARED_DATA", str(tmp_path))
    assert run(["safety", "eval"]) == 0
    assert calls[-1] == tmp_path
    assert run(["safety", "eval", "--shared-data", "/elsewhere"]) == 0
    assert calls[-1] == Path("/elsewhere")


def test_cli_safety_without_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["safety"]) == 2
    assert "classify" in capsys.readouterr().out
