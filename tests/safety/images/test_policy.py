"""The image policy's decisions, context by context."""

from __future__ import annotations

from papote.safety.base import Action, AgeBand
from papote.safety.images.banks import BankMatch
from papote.safety.images.nudity import NUDITY_CLASSES
from papote.safety.images.policy import ImageContext, ImagePolicy, ImagePolicySettings

Band = AgeBand | None
POLICY = ImagePolicy()
NOTHING = dict.fromkeys(NUDITY_CLASSES, 0.0)
EXPLICIT = {**NOTHING, "FEMALE_BREAST_EXPOSED": 0.82}
PARTIAL = {**NOTHING, "BUTTOCKS_COVERED": 0.7}
HARMLESS = {**NOTHING, "FACE_FEMALE": 0.9, "FEET_EXPOSED": 0.8, "BELLY_EXPOSED": 0.7}


def dm(sender: Band, recipient: Band, accepted: bool = True, first: bool = False) -> ImageContext:
    """A private conversation: the sender's and the recipient's age bands."""
    return ImageContext("dm", None, sender, recipient, accepted, first_image_from_sender=first)


ADULT_DM = dm("adult", "adult")
ADULT_DM_NEW = dm("adult", "adult", accepted=False)
ADULT_TO_MINOR = dm("adult", "minor")
MINOR_TO_ADULT = dm("minor", "adult")
MINORS_DM = dm("minor", "minor")
UNKNOWN_DM = dm(None, "adult")
ROOM_ALL = ImageContext("room", "all", "adult", None, first_image_from_sender=False)
ROOM_MINORS = ImageContext("room", "minors", "minor", None, first_image_from_sender=False)
ROOM_ADULTS = ImageContext("room", "adults", "adult", None, first_image_from_sender=False)


def test_nudity_levels() -> None:
    assert POLICY.nudity_level(NOTHING) == "none"
    assert POLICY.nudity_level(HARMLESS) == "none"
    assert POLICY.nudity_level(PARTIAL) == "partial"
    assert POLICY.nudity_level(EXPLICIT) == "explicit"
    assert POLICY.nudity_level({**PARTIAL, **EXPLICIT}) == "explicit"
    assert POLICY.nudity_level({"MALE_GENITALIA_EXPOSED": 0.59}) == "none"
    assert POLICY.nudity_level({}) == "none"


def test_an_ordinary_image_in_an_accepted_adult_dm_is_allowed() -> None:
    verdict = POLICY.decide([], HARMLESS, ADULT_DM)
    assert verdict.action == Action.ALLOW
    assert verdict.labels == ()
    assert verdict.reasons == ()
    assert verdict.case_priority is None
    assert verdict.nudity == "none"


def test_first_image_from_someone_is_blurred() -> None:
    verdict = POLICY.decide([], NOTHING, dm("adult", "adult", first=True))
    assert verdict.action == Action.BLUR
    assert [reason.rule for reason in verdict.reasons] == ["first_image"]
    assert verdict.labels == ()


def test_room_images_are_blurred_for_everyone() -> None:
    for context in (ROOM_ALL, ROOM_MINORS, ROOM_ADULTS):
        verdict = POLICY.decide([], NOTHING, context)
        assert verdict.action == Action.BLUR
        assert verdict.reasons[0].rule == "room_image"


def test_blurs_can_be_switched_off() -> None:
    policy = ImagePolicy(ImagePolicySettings(blur_first_image=False, blur_room_images=False))
    assert policy.decide([], NOTHING, ImageContext("room", "all")).action == Action.ALLOW


def test_nudity_is_blocked_in_every_room() -> None:
    for context in (ROOM_ALL, ROOM_MINORS, ROOM_ADULTS):
        verdict = POLICY.decide([], EXPLICIT, context)
        assert verdict.action == Action.BLOCK
        assert "nudity" in verdict.labels
        assert verdict.reasons[0].rule == "nudity:room"
        assert "pornographique" in verdict.reasons[0].fr
    assert POLICY.decide([], EXPLICIT, ROOM_MINORS).case_priority == 1
    assert "minor_sexual_risk" in POLICY.decide([], EXPLICIT, ROOM_ALL).labels
    assert POLICY.decide([], EXPLICIT, ROOM_ADULTS).case_priority is None


def test_partial_nudity_is_blocked_where_minors_are_and_blurred_among_adults() -> None:
    assert POLICY.decide([], PARTIAL, ROOM_ALL).action == Action.BLOCK
    assert POLICY.decide([], PARTIAL, ROOM_MINORS).action == Action.BLOCK
    adults = POLICY.decide([], PARTIAL, ROOM_ADULTS)
    assert adults.action == Action.BLUR
    assert adults.labels == ("nudity",)
    assert adults.nudity == "partial"


def test_adult_to_minor_nudity_is_blocked_with_a_case_and_a_suspension() -> None:
    verdict = POLICY.decide([], EXPLICIT, ADULT_TO_MINOR)
    assert verdict.action == Action.BLOCK
    assert verdict.labels == ("nudity", "minor_sexual_risk")
    assert verdict.case_priority == 0
    assert verdict.sanction == "suspend"
    assert not verdict.quarantine
    partial = POLICY.decide([], PARTIAL, ADULT_TO_MINOR)
    assert (partial.action, partial.case_priority, partial.sanction) == (Action.BLOCK, 1, None)


def test_explicit_picture_from_a_minor_is_quarantined_without_sanction() -> None:
    for context in (MINOR_TO_ADULT, MINORS_DM, UNKNOWN_DM):
        verdict = POLICY.decide([], EXPLICIT, context)
        assert verdict.action == Action.BLOCK
        assert verdict.quarantine
        assert verdict.case_priority == 0
        assert verdict.sanction is None


def test_partial_nudity_between_minors_is_blocked_without_case() -> None:
    verdict = POLICY.decide([], PARTIAL, MINORS_DM)
    assert (verdict.action, verdict.case_priority, verdict.quarantine) == (Action.BLOCK, None, False)


def test_nudity_between_adults_arrives_blurred_once_accepted() -> None:
    verdict = POLICY.decide([], EXPLICIT, ADULT_DM)
    assert verdict.action == Action.BLUR
    assert verdict.labels == ("nudity",)
    assert verdict.reasons[0].rule == "nudity:blurred"
    assert verdict.case_priority is None
    assert POLICY.decide([], EXPLICIT, ADULT_DM_NEW).action == Action.BLOCK
    assert POLICY.decide([], PARTIAL, ADULT_DM_NEW).action == Action.BLUR


def test_unknown_age_can_be_trusted_by_settings() -> None:
    policy = ImagePolicy(ImagePolicySettings(unknown_age_is_minor=False))
    assert policy.decide([], EXPLICIT, UNKNOWN_DM).action == Action.BLUR


def test_csam_match_blocks_quarantines_and_suspends() -> None:
    verdict = POLICY.decide([BankMatch("ncmec-fictif", "csam", 4)], NOTHING, ADULT_DM)
    assert verdict.action == Action.BLOCK
    assert verdict.quarantine
    assert verdict.sanction == "suspend"
    assert verdict.case_priority == 0
    assert verdict.labels == ("csam_signal",)
    assert verdict.matches == (BankMatch("ncmec-fictif", "csam", 4),)
    assert verdict.reasons[0].rule == "bank:csam"


def test_a_widened_csam_match_waits_for_a_moderator_to_suspend() -> None:
    verdict = POLICY.decide([BankMatch("ncmec-fictif", "csam", 50, widened=True)], NOTHING, ROOM_ALL)
    assert (verdict.action, verdict.quarantine, verdict.case_priority) == (Action.BLOCK, True, 0)
    assert verdict.sanction is None


def test_other_bank_categories() -> None:
    expected = {"ncii": ("ncii", 1), "terror": ("terror", 1), "other": ("banked_image", 2)}
    for category, (label, case) in expected.items():
        verdict = POLICY.decide([BankMatch("b", category, 0)], NOTHING, ADULT_DM)
        assert (verdict.action, verdict.labels, verdict.case_priority) == (Action.BLOCK, (label,), case)
        assert not verdict.quarantine
        assert verdict.sanction is None


def test_several_findings_combine() -> None:
    matches = [BankMatch("a", "csam", 3), BankMatch("b", "other", 0)]
    verdict = POLICY.decide(matches, EXPLICIT, ROOM_ALL)
    assert verdict.action == Action.BLOCK
    assert verdict.labels == ("csam_signal", "banked_image", "nudity", "minor_sexual_risk")
    assert verdict.case_priority == 0
    assert verdict.quarantine
    assert [reason.rule for reason in verdict.reasons] == ["bank:csam", "bank:other", "nudity:room"]
    assert all(reason.fr and reason.en for reason in verdict.reasons)
