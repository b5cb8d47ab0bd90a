"""The bank proof set, shared by test_bank_proof.py and bench/safety_images.py.

Twenty synthetic pictures are banked twice: once from a hash list (only their PDQ hash, through
`parse_hash_list`) and once from the images themselves (`bank_variants`). Each is re-uploaded
transformed, and unrelated pictures are uploaded too; every upload goes through the real path
(`sanitize`, then `fingerprint`: PDQ of the cleaned picture and its caption band).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageOps

from papote.images import ImageLimits, decoded, sanitize
from papote.safety.images.banks import Bank, BankMatch, BankMatcher, parse_hash_list
from papote.safety.images.hashing import bank_variants, pdq_of
from papote.safety.images.inspect import fingerprint
from tests.imaging import encode, gradient, noise, shapes, with_caption

BANK_SEEDS = range(20)

# Transformations a re-poster applies; the hash-list bank must catch the first three.
LIST_TRANSFORMS = ("half", "jpeg_q60", "caption", "half_q60_caption")
IMAGE_TRANSFORMS = (*LIST_TRANSFORMS, "crop_5", "mirror")


def _half(picture: Image.Image) -> Image.Image:
    return picture.resize((picture.width // 2, picture.height // 2), Image.Resampling.BILINEAR)


def _crop(picture: Image.Image, share: float) -> Image.Image:
    dx, dy = round(picture.width * share), round(picture.height * share)
    return picture.crop((dx, dy, picture.width - dx, picture.height - dy))


TRANSFORMS: dict[str, Callable[[Image.Image], bytes]] = {
    "half": lambda p: encode(_half(p), "JPEG", quality=90),
    "jpeg_q60": lambda p: encode(p, "JPEG", quality=60),
    "caption": lambda p: encode(with_caption(p), "JPEG", quality=90),
    "half_q60_caption": lambda p: encode(with_caption(_half(p)), "JPEG", quality=60),
    "crop_5": lambda p: encode(_crop(p, 0.05), "JPEG", quality=90),
    "mirror": lambda p: encode(ImageOps.mirror(p), "JPEG", quality=90),
}


def unrelated_uploads() -> list[tuple[str, bytes]]:
    """220 pictures that are in no bank: other shapes, noise, gradients, and captioned shapes."""
    uploads = [(f"shapes:{seed}", encode(shapes(seed), "JPEG", quality=85)) for seed in range(1000, 1140)]
    uploads += [(f"noise:{seed}", encode(noise(seed), "PNG")) for seed in range(40)]
    uploads += [(f"gradient:{seed}", encode(gradient(seed), "PNG")) for seed in range(20)]
    captioned = range(2000, 2020)
    uploads += [(f"captioned:{seed}", encode(with_caption(shapes(seed)), "JPEG")) for seed in captioned]
    return uploads


def hash_list_text() -> str:
    """The bank as an operator would import it: a header, then 'hash,label' lines."""
    lines = ["pdq,label"] + [f"{pdq_of(shapes(seed)).hex},fictive_{seed}" for seed in BANK_SEEDS]
    return "\n".join(lines) + "\n"


def list_matcher() -> BankMatcher:
    matcher = BankMatcher()
    matcher.add_bank(Bank("liste", "csam"))
    for hash_hex, _label in parse_hash_list(io.StringIO(hash_list_text())):
        matcher.add_hashes("liste", [hash_hex])
    return matcher


def image_matcher() -> BankMatcher:
    matcher = BankMatcher()
    matcher.add_bank(Bank("images", "csam"))
    for seed in BANK_SEEDS:
        original = encode(shapes(seed), "PNG")
        matcher.add_hashes("images", bank_variants(decoded(sanitize(original))), sha256=_sha256(original))
    return matcher


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


Upload = tuple[str | None, tuple[str, str], bool]  # reliable PDQ or None, digests, caption band


def fingerprint_upload(data: bytes) -> Upload:
    """What the server computes for an upload: sanitize, then fingerprint the cleaned picture."""
    clean = sanitize(data, ImageLimits())
    hashed, caption = fingerprint(decoded(clean))
    return (hashed.hex if hashed.reliable else None), (clean.source_sha256, clean.sha256), caption


def match_upload(matcher: BankMatcher, upload: Upload) -> list[BankMatch]:
    pdq, digests, caption = upload
    return matcher.match(pdq, digests, caption=caption)


@dataclass
class ProofResult:
    missed: dict[str, list[str]] = field(default_factory=dict)  # "bank/transform" -> seeds missed
    tried: dict[str, int] = field(default_factory=dict)
    worst: dict[str, int] = field(default_factory=dict)  # "bank/transform" -> largest matched distance
    false_matches: list[str] = field(default_factory=list)  # "bank: upload name"
    unrelated: int = 0


def run_proof() -> ProofResult:
    result = ProofResult()
    banks = {"list": (list_matcher(), LIST_TRANSFORMS), "images": (image_matcher(), IMAGE_TRANSFORMS)}
    for seed in BANK_SEEDS:
        picture = shapes(seed)
        for name in IMAGE_TRANSFORMS:
            upload = fingerprint_upload(TRANSFORMS[name](picture))
            for bank, (matcher, transforms) in banks.items():
                if name not in transforms:
                    continue
                key = f"{bank}/{name}"
                result.tried[key] = result.tried.get(key, 0) + 1
                found = match_upload(matcher, upload)
                if found:
                    result.worst[key] = max(result.worst.get(key, 0), found[0].distance)
                else:
                    result.missed.setdefault(key, []).append(str(seed))
    uploads = unrelated_uploads()
    result.unrelated = len(uploads)
    for upload_name, data in uploads:
        upload = fingerprint_upload(data)
        for bank, (matcher, _) in banks.items():
            if match_upload(matcher, upload):
                result.false_matches.append(f"{bank}: {upload_name}")
    return result
