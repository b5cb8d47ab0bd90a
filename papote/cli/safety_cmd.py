"""`papote safety …`: classify messages or conversations from JSON lines, and evaluate."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

__all__ = ["default_shared_data", "register"]

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_shared_data() -> Path:
    """`PAPOTE_SHARED_DATA`, else `../shared/data` next to the repository."""
    configured = os.environ.get("PAPOTE_SHARED_DATA")
    if configured:
        return Path(configured)
    return (REPO_ROOT.parent / "shared" / "data").resolve()


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    add_storage_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    safety = subparsers.add_parser("safety", help="safety tools (classify text, images, evaluate)")
    safety.set_defaults(func=lambda args: _help(safety))
    commands = safety.add_subparsers(dest="safety_command")

    classify = commands.add_parser(
        "classify",
        help="classify JSON-lines messages",
        description='Input lines: {"id","text","channel","sender_age_band","recipient_age_band"}. '
        'Output lines: {"id","labels","scores","action"}.',
    )
    classify.add_argument("file", nargs="?", help="input file (default: standard input)")
    classify.add_argument("--lexicons", type=Path, help="lexicon directory (default: the built-in one)")
    classify.set_defaults(func=run_classify)

    conversation = commands.add_parser(
        "classify-conversation",
        help="score JSON-lines private conversations turn by turn",
        description='Input lines: {"id","participants":{...},"turns":[{"from","text"}]}. '
        'Output lines: {"id","flagged","flag_turn","labels"}.',
    )
    conversation.add_argument("file", nargs="?", help="input file (default: standard input)")
    conversation.set_defaults(func=run_classify_conversation)

    image = commands.add_parser(
        "classify-image",
        help="check image files: hashes, nudity scores, bank matches, action (one JSON line each)",
        description='Output lines: {"file","sha256","pdq","pdq_quality","nudity","matches","action"}. '
        "Banks are read from the database; the action is the one for a first photo in a room for everyone.",
    )
    image.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add_storage_options(image)
    image.set_defaults(func=run_classify_image)

    evaluate = commands.add_parser("eval", help="evaluate the pipeline on the dev set and the test suites")
    evaluate.add_argument(
        "--shared-data",
        type=Path,
        default=None,
        help="shared data directory (default: $PAPOTE_SHARED_DATA or ../shared/data)",
    )
    evaluate.set_defaults(func=run_eval)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


@contextmanager
def _input(name: str | None) -> Iterator[TextIO]:
    if name is None or name == "-":
        yield sys.stdin
        return
    with open(name, encoding="utf-8") as handle:
        yield handle


def _write_all(lines: Iterator[str]) -> int:
    """Print every line; exit code 1 when some input line could not be read."""
    failed = 0
    try:
        for line in lines:
            sys.stdout.write(line + "\n")
            failed += line.startswith(('{"id":', '{"file":')) and '"error":' in line
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter's exit flush quiet
        return 0
    return 1 if failed else 0


def run_classify(args: argparse.Namespace) -> int:
    from papote.safety.commands import classify_lines
    from papote.safety.pipeline import TextPipeline

    pipeline = TextPipeline.default(args.lexicons)
    with _input(args.file) as handle:
        return _write_all(classify_lines(handle, pipeline))


def run_classify_conversation(args: argparse.Namespace) -> int:
    from papote.safety.commands import classify_conversation_lines

    with _input(args.file) as handle:
        return _write_all(classify_conversation_lines(handle))


async def run_classify_image(args: argparse.Namespace) -> int:
    from papote.cli.admin_cmd import _services
    from papote.domain import images
    from papote.safety.images.commands import classify_image_files

    services = await _services(args)
    try:
        found = images.image_services(services)
        return _write_all(classify_image_files(args.files, found.matcher, found.policy))
    finally:
        await services.engine.dispose()


def run_eval(args: argparse.Namespace) -> int:
    from papote.safety import evaluation

    shared = args.shared_data or default_shared_data()
    return int(evaluation.run(sys.stdout, shared))
