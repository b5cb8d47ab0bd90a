"""Small trained text classifier: hashed character and word n-grams, one logistic model per label.

Inference needs no scikit-learn: one numba-compiled call per chat line (`classifier_kernel`), whose logits
equal, bit for bit, those of the plain numpy definition (`TextClassifier.reference_logits`). The same
`hashed_features` function is used by `scripts/train_text_classifier.py` to build the training matrix,
so training and serving can never drift.
The artifact is `papote/safety/models/text_classifier.npz`: a float16 weight matrix
(hashed features x labels), float32 biases and a JSON metadata block (labels, thresholds, feature
settings, training summary).
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import re
import sys
import threading
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

CLASSIFIER_LABELS: tuple[str, ...] = ("hate", "harassment", "threat", "sexual_solicitation")
DEFAULT_ARTIFACT = Path(__file__).parent / "models" / "text_classifier.npz"
logger = logging.getLogger(__name__)

# Character n-grams are hashed as a polynomial over code points, modulo 2**64 (numpy uint64 wraps around).
# Each n gets its own odd multiplier, folded into the power matrix, so the top bits of a hash index the table.
HASH_BASE = 1_000_003
_MIX = 0x9E3779B97F4A7C15
_WORD_MIX = np.uint64(0xC2B2AE3D27D4EB4F)
_MASK = (1 << 64) - 1
_MAX_CHARS = 400  # longer messages are cut: cost stays bounded and the start carries the signal
_END = "\ufdd0\ufdd1\ufdd2\ufdd3\ufdd4\ufdd5\ufdd6"  # Unicode non-characters mark the end of a message
_WORDS = re.compile(r"\w+")
_INVISIBLE = re.compile("[\u0300-\u036f\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_LEETABLE = re.compile(r"\w*[^\W\d_]\w*")
# One character three times in a row (DOTALL: any character at all, as the numpy shrink compares code points).
_TRIPLE_RE = re.compile(r"(.)\1\1", re.DOTALL)

# Folds used when S1's normaliser is not available (kept stable: the artifact records which fold it used).
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
)

FloatArray = npt.NDArray[np.float32]
HashArray = npt.NDArray[np.uint64]


def local_fold(text: str) -> str:
    """NFKC, drop zero-width and combining marks (accents), casefold, leet digits inside words to letters."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text))
        text = _INVISIBLE.sub("", text).casefold()
    if any(c in text for c in "013457@$€"):
        # Only words that contain a letter, so "06 12 34" or "15" keep their digits.
        text = _LEETABLE.sub(lambda m: m.group(0).translate(_LEET), text)
    return text


@lru_cache(maxsize=1)
def _s1_normalize() -> Callable[[str], Any]:
    from papote.safety.normalize import normalize  # lazily: S1's module may be absent in a bare checkout

    return normalize


def _s1_view(name: str) -> Callable[[str], str]:
    def view(text: str) -> str:
        form: str = getattr(_s1_normalize()(text), name)
        return form

    return view


# The artifact records which view of the text it was trained on; the runtime must use the same one.
FOLDS: dict[str, Callable[[str], str]] = {
    "local": local_fold,
    "s1_folded": _s1_view("folded"),
    "s1_compact": _s1_view("compact"),
    "s1_collapsed": _s1_view("collapsed"),
}


def s1_normalizer_available() -> bool:
    try:
        from papote.safety.normalize import normalize

        return hasattr(normalize("a"), "folded")
    except Exception:  # missing, or broken while being edited: the local fold is the safe fallback
        return False


def prepare(folded: str) -> str:
    """Squeeze whitespace to single spaces, cut very long messages, pad with one space each side."""
    return " " + " ".join(folded[: _MAX_CHARS * 2].split())[:_MAX_CHARS] + " "


def char_codes(prepared: str, high: int) -> npt.NDArray[np.uint32]:
    """Code points, runs of one character shrunk to two ("nuuuul" -> "nuul"), then high - 1 end markers.

    The end markers are distinct non-characters, so they are never shrunk and never met in real text.
    Most messages hold no run of three: one backreference search (about 2 µs) rules that out before
    the numpy shrink, which costs several array operations.
    """
    codes = _code_points(prepared + _END[: high - 1])
    if _TRIPLE_RE.search(prepared) is None:
        return codes
    third = (codes[2:] == codes[1:-1]) & (codes[2:] == codes[:-2])
    keep = np.ones(codes.size, dtype=bool)
    keep[2:] = ~third
    return codes[keep]


@dataclass(frozen=True)
class FeatureSpec:
    bits: int = 18
    char_low: int = 2
    char_high: int = 5
    words: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "bits": self.bits,
            "char_low": self.char_low,
            "char_high": self.char_high,
            "words": self.words,
        }


def _hash_mixes(low: int, high: int) -> HashArray:
    """The odd multiplier of each n-gram length n = low .. high."""
    return np.array([(_MIX * (2 * n + 1)) & _MASK for n in range(low, high + 1)], dtype=np.uint64)


@lru_cache(maxsize=8)
def _power_matrix(low: int, high: int) -> HashArray:
    """Column j hashes the n-gram of length n = low + j starting at a window's first character."""
    powers = np.zeros((high, high - low + 1), dtype=np.uint64)
    for j, (n, mix) in enumerate(zip(range(low, high + 1), _hash_mixes(low, high).tolist(), strict=True)):
        for k in range(n):
            powers[k, j] = (mix * pow(HASH_BASE, n - 1 - k, 1 << 64)) & _MASK
    return powers


def _windows(codes: npt.NDArray[np.uint32], width: int) -> npt.NDArray[np.uint32]:
    """Every run of `width` consecutive codes, one per row: a strided view of `codes`, nothing copied."""
    step = codes.itemsize
    return np.ndarray((codes.size - width + 1, width), dtype=np.uint32, buffer=codes, strides=(step, step))


def hashed_features(prepared: str, spec: FeatureSpec) -> HashArray:
    """Table indices of every character n-gram (and word uni/bigram), duplicates kept (they count twice)."""
    shift = np.uint64(64 - spec.bits)
    codes = char_codes(prepared, spec.char_high)
    windows = _windows(codes, spec.char_high)
    hashes: HashArray = (windows @ _power_matrix(spec.char_low, spec.char_high)).ravel()
    hashes >>= shift  # in place: the product is a fresh array
    if not spec.words:
        return hashes
    words = [zlib.crc32(w.encode("utf-8")) for w in _WORDS.findall(prepared)]
    words += [(a << 32) | b for a, b in itertools.pairwise(words)]
    word_hashes = (np.array(words, dtype=np.uint64) * _WORD_MIX) >> shift
    return np.concatenate([hashes, word_hashes])


class TextClassifier:
    """Scores a message for hate, harassment, threat and sexual solicitation (each in [0, 1]).

    The score of label j is sigmoid(b_j + sum of w_j over the message's hashed n-grams / sqrt(their number)).
    """

    def __init__(self, weights: npt.NDArray[np.float16], bias: FloatArray, metadata: dict[str, Any]) -> None:
        self.metadata = metadata
        self.labels: tuple[str, ...] = tuple(metadata["labels"])
        self.thresholds: dict[str, float] = {k: float(v) for k, v in metadata["thresholds"].items()}
        self.spec = FeatureSpec(**metadata["features"])
        # One row per hashed feature (its 4 label weights side by side), float32 in memory: a gather then
        # touches one cache line per n-gram instead of one per n-gram and label (the table is 4 MB).
        self._weights = np.ascontiguousarray(weights, dtype=np.float32)
        self._bias = bias.astype(np.float32)
        normalizer = metadata.get("normalizer", "local")
        self._fold = FOLDS[normalizer]
        if self._fold is not local_fold and not s1_normalizer_available():
            self._fold = local_fold  # degrade rather than fail: the local fold is close to S1's
        # The attribute of `normalize(text)` the model reads, so that a detector holding the message's
        # normalised views can hand it over (`flagged_line`'s `folded`); None for the local fold.
        self.view_name: str | None = None if self._fold is local_fold else normalizer.removeprefix("s1_")
        self._mixes = _hash_mixes(self.spec.char_low, self.spec.char_high)
        self._end = _END[: self.spec.char_high - 1]
        self._shift = 64 - self.spec.bits
        self._kernels = _compiled_kernels() if not self.spec.words else None
        # A label can only reach its threshold t when its logit reaches log(t / (1 - t)); the margin
        # keeps rounding on the safe side, and the exact sigmoid then decides (see `flagged`).
        self._flag_logits = tuple(
            (index, label, _logit(self.thresholds[label]) - 1e-6, self.thresholds[label])
            for index, label in enumerate(self.labels)
        )
        self._flag_levels = np.array([level for _, _, level, _ in self._flag_logits], dtype=np.float32)
        self._word_chars = word_char_bits() if self._kernels is not None else None
        self._scratch = threading.local()

    @classmethod
    def load(cls, path: Path | None = None) -> TextClassifier:
        return _load_cached(str(path or DEFAULT_ARTIFACT))

    def features(self, text: str) -> HashArray:
        return hashed_features(prepare(self._fold(text)), self.spec)

    def logits(self, text: str) -> list[float]:
        """b_j + sum of w_j / sqrt(n), computed in float32 as the training script scores."""
        prepared = prepare(self._fold(text))
        if self._kernels is None:
            return self.reference_logits(prepared)
        codes = _code_points(prepared + self._end)
        logits = self._kernels.logits(
            codes, self._mixes, self.spec.char_low, self._shift, self._weights, self._bias
        )
        values: list[float] = logits.tolist()
        return values

    def reference_logits(self, prepared: str) -> list[float]:
        """The same logits in plain numpy steps: the definition the compiled kernel must match bit for bit."""
        index = hashed_features(prepared, self.spec)
        rows = self._weights.take(index, axis=0)
        logits = np.add.reduce(np.ascontiguousarray(rows.T), axis=1)
        logits /= math.sqrt(max(1, index.size))
        logits += self._bias
        values: list[float] = logits.tolist()
        return values

    def scores(self, text: str) -> dict[str, float]:
        return {label: _sigmoid(z) for label, z in zip(self.labels, self.logits(text), strict=True)}

    def flagged(self, text: str) -> dict[str, float]:
        """Only the labels whose score reaches the threshold chosen on the dev split."""
        return self._over_thresholds(self.logits(text))

    def flagged_line(self, text: str, min_distinct_words: int, folded: str | None = None) -> dict[str, float]:
        """`flagged(model_input(text, min_distinct_words))`, and {} when that is None: a chat line's
        whole classification in one compiled call (see `classifier_kernel.screen_kernel`).

        `folded`, when given, must be the model's view of `text` (the `view_name` attribute of its
        `normalize` result): it saves looking it up again.
        """
        if self._kernels is None or self._word_chars is None:
            return self._flagged_input(text, min_distinct_words)
        logits = self._scratch.logits if hasattr(self._scratch, "logits") else self._new_scratch()
        lowered, lowered_width = encoded(text.lower())
        view, view_width = encoded(self._fold(text) if folded is None else folded)
        mask = self._kernels.screen(
            lowered,
            lowered_width,
            view,
            view_width,
            self._word_chars,
            min_distinct_words,
            self._mixes,
            self.spec.char_low,
            self._shift,
            self._weights,
            self._bias,
            self._flag_levels,
            logits,
        )
        if mask == 0 or mask == self._kernels.not_judged:
            return {}
        if mask == self._kernels.repeated_words:
            return self._flagged_input(text, min_distinct_words)
        return self._over_thresholds(logits.tolist())

    def _new_scratch(self) -> npt.NDArray[np.float32]:
        """This thread's buffer for the kernel's logits (numpy's own allocation costs more than the
        rest of a quiet message's bookkeeping; one per thread, as the kernel releases the GIL)."""
        logits = np.empty(len(self.labels), dtype=np.float32)
        self._scratch.logits = logits
        return logits

    def _flagged_input(self, text: str, min_distinct_words: int) -> dict[str, float]:
        judged = model_input(text, min_distinct_words)
        return {} if judged is None else self.flagged(judged)

    def _over_thresholds(self, logits: list[float]) -> dict[str, float]:
        found: dict[str, float] = {}
        # Most messages flag nothing: a comparison per label, and a sigmoid only near or over a threshold.
        for index, label, flag_logit, threshold in self._flag_logits:
            z = logits[index]
            if z >= flag_logit:
                score = _sigmoid(z)
                if score >= threshold:
                    found[label] = score
        return found


def model_input(text: str, min_distinct_words: int) -> str | None:
    """What the model should read: None when too short to judge; a repeated phrase once (flooding the
    same words does not change what they mean, but it pushed the model's scores to 0.99)."""
    words = _WORDS.findall(text.lower())
    distinct = dict.fromkeys(words)  # insertion-ordered: joined below in order of first use
    if len(distinct) < min_distinct_words:
        return None
    if len(words) > 2 * len(distinct):
        return " ".join(distinct)
    return text


def _code_points(text: str) -> npt.NDArray[np.uint32]:
    # surrogatepass: a lone surrogate (JSON allows "\ud800") is one more code point, not a crash.
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def encoded(text: str) -> tuple[bytes, int]:
    """`text` for the compiled kernels, with its bytes per code point: ASCII is copied as it is (most
    folded views are ASCII), anything else is UTF-32 (little-endian, lone surrogates kept)."""
    if text.isascii():
        return text.encode("ascii"), 1
    return text.encode("utf-32-le", "surrogatepass"), 4


@lru_cache(maxsize=1)
def word_char_bits() -> npt.NDArray[np.uint8]:
    """`re`'s `\\w` over every code point, as a bit set (bit c % 8 of byte c // 8): str.isalnum() or "_"."""
    every = np.arange(sys.maxunicode + 1, dtype=np.uint32).view("<U1")
    word = np.char.isalnum(every)
    word[ord("_")] = True
    bits: npt.NDArray[np.uint8] = np.packbits(word, bitorder="little")
    return bits


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(30.0, max(-30.0, z))))


def _logit(probability: float) -> float:
    if probability <= 0.0:
        return -math.inf
    if probability >= 1.0:
        return math.inf
    return math.log(probability / (1.0 - probability))


@dataclass(frozen=True)
class _Kernels:
    logits: Callable[..., FloatArray]
    screen: Callable[..., int]
    not_judged: int
    repeated_words: int


@lru_cache(maxsize=1)
def _compiled_kernels() -> _Kernels | None:
    """The numba-compiled kernels (see `classifier_kernel`), or None where numba cannot be imported."""
    try:
        from papote.safety import classifier_kernel as kernel
    except ImportError:  # pragma: no cover - numba is a dependency; a platform without it keeps numpy
        logger.warning("numba is not available: the text classifier runs on plain numpy (slower)")
        return None
    return _Kernels(kernel.logits_kernel, kernel.screen_kernel, kernel.NOT_JUDGED, kernel.REPEATED_WORDS)


@lru_cache(maxsize=4)
def _load_cached(path: str) -> TextClassifier:
    with np.load(path, allow_pickle=False) as data:
        metadata: dict[str, Any] = json.loads(bytes(data["metadata"]).decode("utf-8"))
        model = TextClassifier(data["weights"], data["bias"], metadata)
    # Compile (or load from numba's cache) now, so that no chat message waits for it.
    model.logits("papote")
    model.flagged_line("papote est en ligne", 3)
    return model


def save_artifact(path: Path, weights: FloatArray, bias: FloatArray, metadata: dict[str, Any]) -> None:
    """Write the compressed artifact (used by the training script)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        weights=weights.astype(np.float16),
        bias=bias.astype(np.float32),
        metadata=np.frombuffer(json.dumps(metadata, sort_keys=True).encode("utf-8"), dtype=np.uint8),
    )
    _load_cached.cache_clear()
