"""The policy per label and per context: room audience, age bands, accepted conversations, new arrivals."""

from __future__ import annotations

import pytest

from papote.safety.base import LABELS, Action, AgeBand, Audience, Context, Signal, Verdict
from papote.safety.policy import HOUSE_RULES, Policy, PolicyConfig

POLICY = Policy()


def dm(
    sender: AgeBand | None = "adult",
    recipient: AgeBand | None = "adult",
    *,
    accepted: bool | None = None,
    seconds: float | None = 86_400,
) -> Context:
    return Context(
        channel="dm",
        sender_age_band=sender,
        recipient_age_band=recipient,
        conversation_accepted=accepted,
        sender_seconds_here=seconds,
    )


def room(
    audience: Audience | None = "all", sender: AgeBand | None = "adult", seconds: float = 86_400
) -> Context:
    return Context(
        channel="room", room_audience=audience, sender_age_band=sender, sender_seconds_here=seconds
    )


def decide(label: str, context: Context, score: float = 0.9, detector: str = "rules") -> Verdict:
    return POLICY.decide([Signal(detector, label, score)], context)


def test_no_signal_allows() -> None:
    verdict = POLICY.decide([], room())
    assert verdict.action == Action.ALLOW
    assert verdict.reasons == () and verdict.labels == ()
    # The shortcut for signal-free messages gives the very verdict the general path gives.
    assert verdict == Verdict(Action.ALLOW, (), {}, ())
    assert POLICY.decide(iter(()), room()) == verdict


def test_signal_below_threshold_allows_but_keeps_the_score() -> None:
    verdict = decide("hate", room(), score=0.4)
    assert verdict.action == Action.ALLOW
    assert verdict.scores == {"hate": 0.4}
    assert verdict.labels == ()


@pytest.mark.parametrize("label", ["csam_signal", "minor_sexual_risk"])
@pytest.mark.parametrize(
    "context", [room("all"), room("minors", "minor"), dm("adult", "minor"), dm("minor", "minor")]
)
def test_child_protection_labels_block_with_top_priority_and_suspend(label: str, context: Context) -> None:
    verdict = decide(label, context)
    assert verdict.action == Action.BLOCK
    assert verdict.case_priority == 0
    assert verdict.sanction == "suspend"
    assert label in verdict.labels


def test_csam_blocks_even_between_adults() -> None:
    verdict = decide("csam_signal", dm("adult", "adult", accepted=True))
    assert (verdict.action, verdict.case_priority, verdict.sanction) == (Action.BLOCK, 0, "suspend")


def test_minor_risk_between_adults_only_is_held_for_review() -> None:
    verdict = decide("minor_sexual_risk", dm("adult", "adult"))
    assert verdict.action == Action.HOLD
    assert verdict.case_priority == 2
    assert verdict.sanction is None


@pytest.mark.parametrize(
    "context",
    [dm("adult", "minor"), dm("minor", "adult"), dm("minor", "minor"), room("all"), room("minors", "minor")],
)
def test_contact_involving_a_minor_is_blocked(context: Context) -> None:
    assert decide("contact_offplatform", context).action == Action.BLOCK


def test_contact_from_adult_to_minor_opens_a_case_and_marks_grooming_risk() -> None:
    verdict = decide("contact_offplatform", dm("adult", "minor"))
    assert verdict.case_priority == 1
    assert verdict.labels == ("contact_offplatform", "minor_sexual_risk")


def test_contact_between_adults_gets_a_tip() -> None:
    verdict = decide("contact_offplatform", dm("adult", "adult"))
    assert verdict.action == Action.TIP
    assert verdict.tip is not None and verdict.tip.rule == "contact_offplatform:tip"
    assert decide("contact_offplatform", room("adults")).action == Action.TIP


def test_contact_from_a_new_arrival_is_held() -> None:
    verdict = decide("contact_offplatform", dm("adult", "adult", seconds=30))
    assert verdict.action == Action.HOLD
    assert verdict.reasons[0].rule == "contact_offplatform:new_arrival"


def test_unknown_age_counts_as_minor_by_default_and_can_be_changed() -> None:
    assert decide("contact_offplatform", dm("adult", None)).action == Action.BLOCK
    relaxed = Policy(PolicyConfig(unknown_age_is_minor=False))
    assert (
        relaxed.decide([Signal("rules", "contact_offplatform", 0.9)], dm("adult", None)).action == Action.TIP
    )


@pytest.mark.parametrize(("label", "priority"), [("threat", 1), ("hate", 2), ("drug_sale", 2), ("ncii", 1)])
@pytest.mark.parametrize("context", [room("all"), room("adults"), dm("adult", "adult", accepted=True)])
def test_blocking_labels_with_a_case(label: str, priority: int, context: Context) -> None:
    verdict = decide(label, context)
    assert verdict.action == Action.BLOCK
    assert verdict.case_priority == priority


def test_scam_is_blocked_without_a_case() -> None:
    verdict = decide("scam_spam", room())
    assert verdict.action == Action.BLOCK
    assert verdict.case_priority is None


def test_harassment_blocks_and_severe_harassment_opens_a_case() -> None:
    mild = decide("harassment", room(), score=0.8)
    severe = decide("harassment", room(), score=0.97)
    assert mild.action == severe.action == Action.BLOCK
    assert mild.case_priority is None
    assert severe.case_priority == 3


def test_sexual_solicitation_toward_a_minor_is_child_protection() -> None:
    verdict = decide("sexual_solicitation", dm("adult", "minor"))
    assert verdict.action == Action.BLOCK
    assert verdict.case_priority == 0
    assert verdict.sanction == "suspend"
    assert "minor_sexual_risk" in verdict.labels


@pytest.mark.parametrize("context", [room("all"), room("minors", "minor"), dm("minor", "minor")])
def test_sexual_solicitation_where_minors_are_is_blocked(context: Context) -> None:
    assert decide("sexual_solicitation", context).action == Action.BLOCK


def test_sexual_solicitation_in_adult_contexts() -> None:
    assert decide("sexual_solicitation", room("adults")).action == Action.TIP
    assert decide("sexual_solicitation", dm("adult", "adult", accepted=True)).action == Action.TIP
    unsolicited = decide("sexual_solicitation", dm("adult", "adult", accepted=False))
    assert unsolicited.action == Action.BLUR
    assert unsolicited.reasons[0].rule == "sexual_solicitation:unsolicited"


def test_meetup_between_adults_is_a_safety_tip() -> None:
    verdict = decide("meetup_risk", dm("adult", "adult"))
    assert verdict.action == Action.TIP
    assert verdict.tip is not None and "public" in verdict.tip.en


@pytest.mark.parametrize("context", [dm("adult", "minor"), dm("minor", "adult"), room("all", "adult")])
def test_meetup_between_an_adult_and_a_minor_is_blocked_with_a_case(context: Context) -> None:
    verdict = decide("meetup_risk", context)
    assert verdict.action == Action.BLOCK
    assert verdict.case_priority == 1


def test_meetup_between_minors_is_a_tip() -> None:
    assert decide("meetup_risk", dm("minor", "minor")).action == Action.TIP


@pytest.mark.parametrize("context", [room("all", "minor"), dm("adult", "adult"), room("adults")])
def test_self_harm_gets_help_and_a_case_but_is_never_blocked(context: Context) -> None:
    verdict = decide("self_harm", context)
    assert verdict.action == Action.TIP
    assert verdict.case_priority == 1
    assert verdict.tip is not None and "3114" in verdict.tip.fr


def test_self_harm_help_is_kept_when_another_label_blocks() -> None:
    verdict = POLICY.decide([Signal("rules", "self_harm", 0.9), Signal("rules", "harassment", 0.97)], room())
    assert verdict.action == Action.BLOCK
    assert verdict.tip is not None and verdict.tip.rule == "self_harm:tip"
    assert verdict.case_priority == 1


def test_asking_a_minor_for_an_intimate_image_is_csam() -> None:
    verdict = decide("sexual_image_request", dm("adult", "minor"), score=0.85)
    assert verdict.action == Action.BLOCK
    assert verdict.labels == ("minor_sexual_risk", "csam_signal")
    assert (verdict.case_priority, verdict.sanction) == (0, "suspend")
    between_minors = decide("sexual_image_request", dm("minor", "minor"), score=0.85)
    assert between_minors.action == Action.BLOCK
    assert (between_minors.case_priority, between_minors.sanction) == (1, None)


def test_image_request_between_adults_is_left_to_sexual_solicitation() -> None:
    assert (
        decide("sexual_image_request", dm("adult", "adult", accepted=True), score=0.85).action == Action.ALLOW
    )


def test_age_claim_mismatch_is_held_with_a_case() -> None:
    verdict = decide("age_claim_mismatch", room("minors", "adult"))
    assert verdict.action == Action.HOLD
    assert verdict.case_priority == 1
    assert verdict.labels == ()


def test_links_are_held_only_for_new_arrivals() -> None:
    assert decide("link", room(seconds=60), score=1.0).action == Action.HOLD
    assert decide("link", room(seconds=3600), score=1.0).action == Action.ALLOW
    lifted = Policy.from_dict({"new_arrival_seconds": 0})
    assert lifted.decide([Signal("contact", "link", 1.0)], room(seconds=5)).action == Action.ALLOW


def test_strictest_action_wins_and_everything_is_explained() -> None:
    verdict = POLICY.decide(
        [
            Signal("rules", "meetup_risk", 0.8),
            Signal("rules", "drug_sale", 0.9),
            Signal("rules", "hate", 0.3),
        ],
        dm("adult", "adult"),
    )
    assert verdict.action == Action.BLOCK
    assert verdict.labels == ("drug_sale", "meetup_risk")
    assert [reason.rule for reason in verdict.reasons] == ["drug_sale:block", "meetup_risk:safety_tip"]
    assert verdict.scores == {"meetup_risk": 0.8, "drug_sale": 0.9, "hate": 0.3}


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("context", [room("all"), room("adults"), dm("adult", "minor"), dm("adult", "adult")])
def test_every_non_allow_verdict_has_a_readable_reason(label: str, context: Context) -> None:
    verdict = decide(label, context)
    assert verdict.action != Action.ALLOW
    assert verdict.reasons
    for reason in verdict.reasons:
        assert reason.fr and reason.en and reason.rule.startswith(label)
        assert reason.fr.startswith("Règle") and reason.en.startswith("Rule")


def test_every_label_cites_a_house_rule() -> None:
    assert set(LABELS) <= set(HOUSE_RULES)


def test_thresholds_per_label_and_per_detector() -> None:
    policy = Policy.from_dict(
        {"thresholds": {"hate": 0.9}, "detector_thresholds": {"classifier": {"harassment": 0.95}}}
    )
    assert policy.decide([Signal("rules", "hate", 0.85)], room()).action == Action.ALLOW
    assert policy.decide([Signal("rules", "harassment", 0.85)], room()).action == Action.BLOCK
    assert policy.decide([Signal("classifier", "harassment", 0.85)], room()).action == Action.ALLOW


def test_unknown_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="treshold"):
        PolicyConfig.from_dict({"treshold": 0.5})


def test_a_person_in_distress_gets_help_not_a_block_from_a_classifier_guess() -> None:
    from papote.safety.base import Signal

    context = Context(channel="room", room_audience="minors", sender_age_band="minor")
    distress = Signal("rules", "self_harm", 0.9, rule="self_harm.fr:7")
    guess = Signal("classifier", "sexual_solicitation", 0.65)
    verdict = Policy().decide([distress, guess], context)
    assert verdict.action is Action.TIP and verdict.labels == ("self_harm",)
    confirmed = Signal("rules", "sexual_solicitation", 0.9, rule="sexual_solicitation.fr:1")
    assert Policy().decide([distress, guess, confirmed], context).action is Action.BLOCK
    assert Policy.from_dict({"help_first": False}).decide([distress, guess], context).action is Action.BLOCK
