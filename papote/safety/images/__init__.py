"""Image safety: PDQ hashes, hash banks with an exact index, nudity scores, the image policy, the workers.

Pure like the rest of `papote.safety`: it may import `papote.images` and `papote.safety.base`, and
writes nothing. The heavy modules (nudity model, worker pool) are imported from their own modules:
`papote.safety.images.inspect` and `papote.safety.images.nudity`.
"""

from __future__ import annotations

from papote.safety.images.banks import BANK_CATEGORIES, Bank, BankMatch, BankMatcher, parse_hash_list
from papote.safety.images.hashing import PdqHash, bank_variants, caption_band, distance, pdq_of
from papote.safety.images.index import PdqIndex
from papote.safety.images.policy import ImageContext, ImagePolicy, ImagePolicySettings, ImageVerdict

__all__ = [
    "BANK_CATEGORIES",
    "Bank",
    "BankMatch",
    "BankMatcher",
    "ImageContext",
    "ImagePolicy",
    "ImagePolicySettings",
    "ImageVerdict",
    "PdqHash",
    "PdqIndex",
    "bank_variants",
    "caption_band",
    "distance",
    "parse_hash_list",
    "pdq_of",
]
