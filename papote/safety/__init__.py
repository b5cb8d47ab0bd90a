"""Safety: detectors as plug-ins and one policy. Content and context in, verdict out; writes nothing."""

from pathlib import Path

from papote import native

# Where the package's data lives (lexicons, models...): compiled modules cannot use their own
# `__file__`, which is then the C extension in the native folder (see `papote.native`).
PACKAGE_DIR = Path(__file__).resolve().parent

native.activate(__name__, __path__)
