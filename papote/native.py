"""The text safety pipeline's hot modules compiled to C with mypyc, and used only when up to date.

The message path runs the same Python code on every message (normalisation, lexicon matching,
contact and age checks, the policy). mypyc compiles those modules, unchanged, into C extensions
that run the very same logic about a quarter faster (`docs/performance.md`). They are optional:

- `python -m papote.native build` compiles them into `papote/_native/<python>-<machine>/` with a
  manifest of the SHA-256 of each source file (`scripts/install` runs it; it does nothing when the
  build is up to date, and takes about two minutes otherwise);
- `papote/safety/__init__.py` and `papote/safety/detectors/__init__.py` call `activate`, which puts
  that folder first on the package's search path **only when every source still has the digest the
  build was made from**. An edited source, a missing compiler or `PAPOTE_NATIVE=off` leaves the plain
  Python modules in use, so a stale build can never run (a warning names the reason);
- `python -m papote.native status` says which it is.

The compiled modules behave exactly as the Python ones: `bench/safety_decisions.py` compares every
decision, and `tests/safety/test_native.py` checks that both agree and that CI runs the compiled ones.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import MutableSequence, Sequence
from pathlib import Path

__all__ = [
    "COMPILED",
    "NATIVE_DIR",
    "activate",
    "build",
    "built_files",
    "compiled_modules",
    "is_fresh",
    "main",
]

log = logging.getLogger(__name__)

PACKAGE_ROOT = Path(__file__).resolve().parent  # the `papote` package
# Source files compiled, relative to the folder holding `papote`. They must not rely on their own
# `__file__` (a compiled module's file is the extension in the native folder).
COMPILED: tuple[str, ...] = (
    "papote/safety/normalize.py",
    "papote/safety/detectors/rules.py",
    "papote/safety/detectors/contact.py",
    "papote/safety/detectors/age_claims.py",
    "papote/safety/detectors/classifier.py",
    "papote/safety/policy.py",
    "papote/safety/pipeline.py",
)
GROUP = "papote_native"  # mypyc's shared library for the group is `papote_native__mypyc`
NATIVE_DIR = PACKAGE_ROOT / "_native" / f"{sys.implementation.cache_tag}-{platform.machine()}"
MANIFEST = "manifest.json"
_OFF_VALUES = frozenset({"0", "off", "false", "no"})
_state: dict[str, bool] = {}  # "fresh": checked once per process


def _source(relative: str) -> Path:
    return PACKAGE_ROOT.parent / relative


def _extension(relative: str) -> Path:
    stem = relative.removesuffix(".py")
    return Path(stem + importlib.machinery.EXTENSION_SUFFIXES[0])


def source_digests() -> dict[str, str]:
    return {relative: hashlib.sha256(_source(relative).read_bytes()).hexdigest() for relative in COMPILED}


def is_fresh(directory: Path = NATIVE_DIR) -> bool:
    """True when `directory` holds a complete build of the current sources."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("sources") != source_digests():
        return False
    return all((directory / path).is_file() for path in built_files())


def built_files() -> list[Path]:
    """The extensions a complete build holds, relative to its folder: one per module, and the group's."""
    needed = [_extension(relative) for relative in COMPILED]
    needed.append(Path(GROUP + "__mypyc" + importlib.machinery.EXTENSION_SUFFIXES[0]))
    return needed


def disabled() -> bool:
    return os.environ.get("PAPOTE_NATIVE", "").strip().lower() in _OFF_VALUES


def activate(package: str, path: MutableSequence[str]) -> bool:
    """Search `package`'s compiled modules first when the build is fresh; True when it is in use."""
    if disabled():
        return False
    if "fresh" not in _state:
        _state["fresh"] = is_fresh()
        if not _state["fresh"] and (NATIVE_DIR / MANIFEST).exists():
            log.warning("compiled safety modules out of date; using Python (python -m papote.native build)")
        if _state["fresh"]:
            _state["fresh"] = _load_group_library()
    if not _state["fresh"]:
        return False
    folder = str(NATIVE_DIR / package.replace(".", "/"))
    if folder not in path:
        path.insert(0, folder)
    return True


def _load_group_library() -> bool:
    """Load mypyc's shared library by its path (the native folder is not put on `sys.path`)."""
    name = GROUP + "__mypyc"
    if name in sys.modules:
        return True
    location = NATIVE_DIR / (name + importlib.machinery.EXTENSION_SUFFIXES[0])
    spec = importlib.util.spec_from_file_location(name, location)
    if spec is None or spec.loader is None:
        return False
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except ImportError as error:  # built by another interpreter or mypyc: rebuild
        log.warning("compiled safety modules cannot be loaded (%s); using Python", error)
        return False
    sys.modules[name] = module
    return True


def compiled_modules() -> dict[str, bool]:
    """For each compiled module's name: is the imported one the C extension?"""
    found: dict[str, bool] = {}
    for relative in COMPILED:
        name = relative.removesuffix(".py").replace("/", ".")
        module = importlib.import_module(name)
        found[name] = not str(getattr(module, "__file__", "")).endswith(".py")
    return found


_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify

files, group, target = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
sys.argv = [sys.argv[0], *sys.argv[4:]]
setup(
    name=group,
    packages=[],
    ext_modules=mypycify(["--config-file", "pyproject.toml", *files], opt_level="3", group_name=group,
                         target_dir=target),
)
"""


def build(*, force: bool = False, quiet: bool = False) -> bool:
    """Compile `COMPILED` into `NATIVE_DIR` unless it is already fresh; False when it could not."""
    if not force and is_fresh():
        if not quiet:
            print(f"compiled safety modules up to date in {NATIVE_DIR}")
        return True
    try:
        import mypyc  # noqa: F401  (part of mypy, a dev dependency)
    except ImportError:
        print("mypyc is not installed (pip install mypy): the safety modules stay in Python", file=sys.stderr)
        return False
    digests = source_digests()
    root = PACKAGE_ROOT.parent
    NATIVE_DIR.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="papote-native-") as scratch:
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=NATIVE_DIR.parent))
        command = [sys.executable, "-c", _SETUP, ",".join(COMPILED), GROUP, str(Path(scratch) / "c")]
        command += ["build_ext", "--build-lib", str(staging), "--build-temp", str(Path(scratch) / "o")]
        print(f"compiling the safety modules with mypyc (about two minutes, once) into {NATIVE_DIR}")
        result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            print(result.stdout[-3000:] + result.stderr[-3000:], file=sys.stderr)
            print("the safety modules could not be compiled: they stay in Python", file=sys.stderr)
            return False
        manifest = {"sources": digests, "python": sys.version, "machine": platform.machine()}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        shutil.rmtree(NATIVE_DIR, ignore_errors=True)
        staging.rename(NATIVE_DIR)
    if source_digests() != digests:  # edited while compiling: the build is already stale
        print("sources changed during the build: run it again", file=sys.stderr)
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "status"
    if command == "build":
        return 0 if build(force="--force" in args, quiet="--quiet" in args) else 1
    if command == "status":
        fresh = is_fresh()
        print(f"native folder: {NATIVE_DIR} ({'up to date' if fresh else 'absent or out of date'})")
        print(f"PAPOTE_NATIVE: {'off' if disabled() else 'on'}")
        for name, compiled in compiled_modules().items():
            print(f"  {name}: {'compiled' if compiled else 'Python'}")
        return 0
    print("usage: python -m papote.native [status | build [--force] [--quiet]]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
