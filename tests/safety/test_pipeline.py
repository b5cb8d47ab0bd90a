"""The whole text pipeline: registry, detector assembly, hard negatives, manoeuvres in context."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from papote.safety.base import Action, Content, Context, Detector, Signal
from papote.safety.pipeline import TextPipeline
from papote.safety.registry import REGISTRY, DetectorFactory, DetectorOptions, Registry, lazy

ROOM_ALL = Context(channel="room", room_audience="all", sender_age_band="adult", sender_seconds_here=86_400)
ROOM_MINORS = Context(
    channel="room", room_audience="minors", sender_age_band="minor", sender_seconds_here=86_400
)
ADULT_TO_MINOR = Context(
    channel="dm", sender_age_band="adult", recipient_age_band="minor", sender_seconds_here=86_400
)
ADULTS_DM = Context(
    channel="dm",
    sender_age_band="adult",
    recipient_age_band="adult",
    sender_seconds_here=86_400,
    conversation_accepted=True,
)


@pytest.fixture(scope="module")
def core() -> TextPipeline:
    """Rules, contact and age claims: deterministic, no trained model."""
    return TextPipeline.default(names=("rules", "contact", "age_claims"))


@pytest.fixture(scope="module")
def full() -> TextPipeline:
    return TextPipeline.default()


def test_default_pipeline_has_every_available_detector(full: TextPipeline) -> None:
    assert {"rules", "contact"} <= set(full.names)
    assert len(set(full.names)) == len(full.names)
    assert set(full.names) <= set(REGISTRY.names())


def test_registry_names_are_unique() -> None:
    registry = Registry()
    registry.register("rules", lambda options: Named("rules"))
    with pytest.raises(ValueError, match="already registered"):
        registry.register("rules", lambda options: Named("rules"))


def test_registry_checks_the_detector_name() -> None:
    registry = Registry()
    registry.register("one", lambda options: Named("other"))
    with pytest.raises(ValueError, match="calls itself"):
        registry.create("one")


def test_a_detector_whose_module_is_missing_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    registry = Registry()
    registry.register("contact", from_registry("contact"))
    registry.register("later", lazy("papote.safety.detectors.not_written_yet", "Later"))
    with caplog.at_level(logging.WARNING):
        pipeline = TextPipeline.default(registry=registry)
    assert pipeline.names == ("contact",)
    assert "later" in caplog.text


def from_registry(name: str) -> DetectorFactory:
    def build(options: DetectorOptions) -> Detector:
        return REGISTRY.create(name, options)

    return build


def test_duplicate_detector_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        TextPipeline([Named("x"), Named("x")])


def test_a_crashing_detector_does_not_silence_the_others(caplog: pytest.LogCaptureFixture) -> None:
    pipeline = TextPipeline([Crashing(), Fixed(Signal("fixed", "threat", 0.9))])
    with caplog.at_level(logging.ERROR):
        verdict = pipeline.check("je sais où tu habites", ROOM_ALL)
    assert verdict.action == Action.BLOCK
    assert pipeline.failures == 1
    assert "je sais" not in caplog.text  # messages are never logged


@pytest.mark.parametrize(
    "text",
    [
        "je vais te tuer au prochain round",
        "gg, je t'ai tué en 1v1, revanche ?",
        "t'es mort de rire là",
        "les salles de shoot font débat à Paris",
        "il s'est fait arrêter pour trafic de drogue, trois ans ferme",
        "dire 'sale pd' c'est homophobe, faut arrêter",
        "il m'a traité de connard devant tout le monde, je l'ai signalé",
        "mon fils de 13 ans veut s'inscrire au club de foot",
        "ma fille a 12 ans et elle rentre en 5e",
        "en cas d'urgence appelle le 15, le 17, le 18 ou le 112",
        "si ça va pas, le 3114 répond jour et nuit",
        "le 3018 aide les jeunes harcelés en ligne",
        "j'ai rendez-vous chez le médecin pour mon ordonnance de tramadol",
        "l'auto-palpation aide à dépister le cancer du sein",
        "attention aux arnaques au faux conseiller bancaire, raccrochez",
        "salut tout le monde, quelqu'un a vu le match hier ?",
        "on se retrouve au café en centre ville, ma soeur est au courant",
    ],
)
def test_hard_negatives_pass(core: TextPipeline, text: str) -> None:
    verdict = core.check(text, ROOM_ALL)
    assert verdict.action in (Action.ALLOW, Action.TIP), (verdict.labels, verdict.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "je vais te tuer au prochain round",
        "en cas d'urgence appelle le 15, le 17, le 18 ou le 112",
        "mon fils de 13 ans veut s'inscrire au club de foot",
        "salut tout le monde, quelqu'un a vu le match hier ?",
    ],
)
def test_hard_negatives_pass_the_full_pipeline(full: TextPipeline, text: str) -> None:
    assert full.check(text, ROOM_ALL).action in (Action.ALLOW, Action.TIP)


@pytest.mark.parametrize(
    ("text", "context", "label", "action"),
    [
        ("ajoute moi sur snap lea_fictive92", ADULT_TO_MINOR, "contact_offplatform", Action.BLOCK),
        ("mon 06 c'est zéro six douze trente-quatre cinquante-six soixante-dix-huit", ROOM_ALL,
         "contact_offplatform", Action.BLOCK),
        ("ajoute moi sur snap lea_fictive92", ADULTS_DM, "contact_offplatform", Action.TIP),
        ("🍃❄️💊 dispo 10€ le g, livraison", ROOM_ALL, "drug_sale", Action.BLOCK),
        ("t'as quel âge ? tes parents sont là ? envoie une photo de toi", ADULT_TO_MINOR,
         "minor_sexual_risk", Action.BLOCK),
        ("échange de pics de jeunes, mp", ROOM_ALL, "csam_signal", Action.BLOCK),
        ("je vais balancer tes nudes à tous tes contacts", ADULTS_DM, "ncii", Action.BLOCK),
        ("clique ici pour doubler tes bitcoins : fictif-invest.xyz", ROOM_ALL, "scam_spam", Action.BLOCK),
        ("viens chez moi ce soir, viens seule", ADULT_TO_MINOR, "meetup_risk", Action.BLOCK),
        ("viens chez moi ce soir", ADULTS_DM, "meetup_risk", Action.TIP),
        ("je veux en finir", ROOM_MINORS, "self_harm", Action.TIP),
        ("je sais où tu habites", ROOM_ALL, "threat", Action.BLOCK),
        ("s a l o p e", ROOM_ALL, "harassment", Action.BLOCK),
        ("ѕnаpсhаt: lea_fictive92", ROOM_MINORS, "contact_offplatform", Action.BLOCK),
    ],
)  # fmt: skip
def test_manoeuvres_are_caught_in_context(
    core: TextPipeline, text: str, context: Context, label: str, action: Action
) -> None:
    verdict = core.check(text, context)
    assert label in verdict.labels
    assert verdict.action == action
    assert verdict.reasons


def test_evidence_is_in_the_original_text(core: TextPipeline) -> None:
    text = "Coucou ! Mon ѕnар c'est lea_fictive92 😊"
    verdict = core.check(text, ROOM_MINORS)
    spans = [s.evidence for s in verdict.signals if s.label == "contact_offplatform" and s.evidence]
    assert spans
    assert all(text[e.start : e.end] == e.excerpt for e in spans)
    assert any("lea_fictive92" in e.excerpt for e in spans)


def test_core_pipeline_is_fast(core: TextPipeline) -> None:
    texts = [f"salut {i}, tu fais quoi ce soir ? on joue à fortnite ?" for i in range(1000)]
    start = time.perf_counter()
    for text in texts:
        core.check(text, ROOM_ALL)
    assert (time.perf_counter() - start) / len(texts) < 2e-3


class Named:
    def __init__(self, name: str) -> None:
        self.name = name

    def inspect(self, content: Content) -> Sequence[Signal]:
        return ()


class Crashing:
    name = "crashing"

    def inspect(self, content: Content) -> Sequence[Signal]:
        raise RuntimeError("boom")


class Fixed:
    name = "fixed"

    def __init__(self, signal: Signal) -> None:
        self.signal = signal

    def inspect(self, content: Content) -> Sequence[Signal]:
        return (self.signal,)


def test_lexicon_directory_reaches_the_rules(tmp_path: Path) -> None:
    (tmp_path / "drug_sale.fr.txt").write_text("mot de code fictif\n", encoding="utf-8")
    pipeline = TextPipeline.default(tmp_path, names=("rules",))
    assert pipeline.check("il reste du mot de code fictif ?", ROOM_ALL).labels == ("drug_sale",)
    assert pipeline.check("je vends de la beuh", ROOM_ALL).labels == ()
