"""Conversation risk: grooming, ambush and drug-deal conversations, and ordinary ones that must pass."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from papote.safety import conversation
from papote.safety.base import CONVERSATION_LABELS, AgeBand
from papote.safety.conversation import ConversationAssessment, ConversationRisk


@dataclass(frozen=True)
class Case:
    name: str
    participants: dict[str, AgeBand]
    turns: tuple[tuple[str, str], ...]
    label: str | None  # expected conversation label, None for conversations that must never flag
    flag_by: int = 0  # the 1-based turn by which a careful moderator would have flagged


ADULT_MINOR: dict[str, AgeBand] = {"a": "adult", "b": "minor"}
ADULTS: dict[str, AgeBand] = {"a": "adult", "b": "adult"}
MINORS: dict[str, AgeBand] = {"a": "minor", "b": "minor"}

RISKY = (
    Case(
        "grooming: trust, 'nobody understands you like me', erase the messages",
        ADULT_MINOR,
        (
            ("a", "tu me fais confiance ?"),
            ("a", "personne ne te comprend comme moi"),
            ("a", "efface nos messages après"),
        ),
        "grooming",
        flag_by=3,
    ),
    Case(
        "ambush: come alone with cash to an address",
        ADULTS,
        (
            ("a", "t'es bi ?"),
            ("b", "oui"),
            ("a", "viens seul, ramène du liquide"),
            ("a", "on se voit au 12 rue des Lilas"),
        ),
        "ambush",
        flag_by=4,
    ),
    Case(
        "grooming: age, 'mature for your age', snap, secret",
        ADULT_MINOR,
        (
            ("a", "salut"),
            ("b", "slt"),
            ("a", "t'as quel âge ?"),
            ("b", "14 et toi"),
            ("a", "t'es mature pour ton âge"),
            ("a", "t'as snap ?"),
            ("a", "c'est notre secret ok ? dis rien à tes parents"),
        ),
        "grooming",
        flag_by=6,
    ),
    Case(
        "grooming: alone at home, parents away, photo",
        ADULT_MINOR,
        (
            ("a", "coucou ma belle"),
            ("b", "cc"),
            ("a", "t'es toute seule chez toi ?"),
            ("b", "oui"),
            ("a", "tes parents rentrent quand ?"),
            ("a", "envoie une photo de toi"),
        ),
        "grooming",
        flag_by=5,
    ),
    Case(
        "grooming: gifts and money for photos",
        ADULT_MINOR,
        (
            ("a", "tu joues à quoi ?"),
            ("b", "fortnite"),
            ("a", "je te passe des v-bucks si tu veux"),
            ("a", "je peux te faire une recharge paysafecard aussi"),
            ("a", "cadeau si tu m'envoies une photo en maillot"),
        ),
        "grooming",
        flag_by=5,
    ),
    Case(
        "grooming: adult account claiming to be 14 (age contradiction), then isolation",
        ADULTS,
        (
            ("a", "salut moi c'est lea, j'ai 14 ans"),
            ("b", "t'es seule ce soir ?"),
            ("b", "ajoute moi sur snap, c'est plus discret"),
        ),
        "grooming",
        flag_by=2,
    ),
    Case(
        "grooming: the minor's bare answer to the age question, then sexual talk",
        {"a": "adult", "b": "adult"},
        (
            ("a", "tu as quel age"),
            ("b", "13"),
            ("a", "t'es encore vierge ?"),
            ("a", "on se voit samedi ?"),
        ),
        "grooming",
        flag_by=3,
    ),
    Case(
        "grooming: sexual photo request to a minor flags at once",
        ADULT_MINOR,
        (("a", "envoie moi des nudes"),),
        "grooming",
        flag_by=1,
    ),
    Case(
        "grooming with evasion: spaced letters, l33t, Cyrillic look-alikes",
        ADULT_MINOR,
        (
            ("a", "t'as kel âge"),
            ("a", "t'es pas comme les autres filles"),
            ("a", "ajoute moi sur s n a p"),
            ("a", "c n\u043etr\u0435 s3cr3t"),  # Cyrillic о and е, digits for letters
        ),
        "grooming",
        flag_by=3,
    ),
    Case(
        "ambush: dating pretext, meeting, come alone, isolated place",
        ADULTS,
        (
            ("a", "salut t'es gay ?"),
            ("b", "oui et toi"),
            ("a", "on se voit ce soir ?"),
            ("a", "viens seul au parking derrière la gare"),
        ),
        "ambush",
        flag_by=4,
    ),
    Case(
        "ambush: prove you are gay, then meet with cash",
        ADULTS,
        (
            ("a", "prouve que t'es vraiment gay"),
            ("a", "rdv ce soir en bas de la cité"),
        ),
        "ambush",
        flag_by=2,
    ),
    Case(
        "drug deal: product, price, meeting point",
        ADULTS,
        (
            ("a", "t'as de la beuh ?"),
            ("b", "oui 10€ le g"),
            ("a", "ok on se capte où ?"),
            ("b", "sortie du métro à 18h"),
        ),
        "drug_deal",
        flag_by=3,
    ),
    Case(
        "drug deal: menu on snap and delivery, with emoji",
        ADULTS,
        (
            ("b", "🍃 dispo, 20 balles le pochon"),
            ("b", "livraison possible sur lyon"),
        ),
        "drug_deal",
        flag_by=2,
    ),
)

ORDINARY = (
    Case(
        "prevention talk by an adult to a minor",
        ADULT_MINOR,
        (
            (
                "a",
                "si un adulte te demande de garder un secret ou une photo, parles-en à tes parents ou au 119",
            ),
            ("b", "ok merci"),
            ("a", "tu peux aussi appeler le 3018 pour le harcèlement"),
        ),
        None,
    ),
    Case(
        "parents talking about their children's ages and apps",
        ADULTS,
        (
            ("a", "mon fils a 14 ans, il veut snap, t'en penses quoi ?"),
            ("b", "moi j'ai dit non à ma fille jusqu'à 15 ans"),
            ("a", "ok on en reparle, on se voit samedi au foot ?"),
        ),
        None,
    ),
    Case(
        "teens about school, then snap and meeting at school",
        MINORS,
        (
            ("a", "t'as quel âge ?"),
            ("b", "15 et toi"),
            ("a", "pareil, t'es en quelle classe ?"),
            ("b", "seconde"),
            ("a", "t'as snap ?"),
            ("b", "oui c'est lea_fictive92"),
            ("a", "t'es trop belle sur ta photo de profil"),
            ("a", "on se voit au lycée demain ?"),
            ("b", "grave, devant la cantine"),
        ),
        None,
    ),
    Case(
        "friends planning an evening",
        ADULTS,
        (
            ("a", "on se voit ce soir ?"),
            ("b", "ok, chez moi vers 20h ? 12 rue des Lilas"),
            ("a", "je ramène les pizzas, 10€ chacun"),
            ("b", "parfait, t'as mon numéro si besoin"),
        ),
        None,
    ),
    Case(
        "consensual adults flirting, moving to insta and meeting",
        ADULTS,
        (
            ("a", "t'es trop belle"),
            ("b", "merci toi aussi t'es mignon"),
            ("a", "t'as quel âge ?"),
            ("b", "29 et toi"),
            ("a", "31. t'as insta ?"),
            ("a", "on se voit ce soir ? chez moi, 12 rue des Lilas"),
            ("b", "t'es coquin toi"),
            ("a", "envoie une photo sexy"),
        ),
        None,
    ),
    Case(
        "gay date between adults, at home",
        ADULTS,
        (
            ("a", "t'es gay ?"),
            ("b", "oui, je cherche un mec sympa"),
            ("a", "on se voit demain ? au café de la gare, c'est plus simple"),
        ),
        None,
    ),
    Case(
        "parent and teen helper: homework",
        ADULT_MINOR,
        (
            ("a", "bonjour, tu es en quelle classe ?"),
            ("b", "en 3e"),
            ("a", "pour le brevet, revois bien les fractions"),
            ("b", "merci !"),
        ),
        None,
    ),
    Case(
        "gamers trash talk and prevention talk about drugs",
        ADULTS,
        (
            ("a", "je vais te tuer au prochain round"),
            ("b", "t'as vu le reportage sur la coke ? 60€ le gramme d'après la police"),
            ("a", "ouais on se voit demain pour en parler au boulot"),
        ),
        None,
    ),
    Case(
        "teen support between friends",
        MINORS,
        (
            ("a", "ça va pas trop, mes parents se disputent"),
            ("b", "je suis là pour toi, tu peux me faire confiance"),
            ("a", "merci t'es la meilleure"),
            ("b", "on se voit demain à la récré ?"),
        ),
        None,
    ),
)


def run(case: Case) -> list[ConversationAssessment]:
    risk = ConversationRisk(case.participants)
    return [risk.observe(sender, text) for sender, text in case.turns]


def first_flag(assessments: list[ConversationAssessment]) -> int | None:
    return next((turn for turn, found in enumerate(assessments, 1) if found.flagged), None)


@pytest.mark.parametrize("case", RISKY, ids=lambda case: case.name)
def test_risky_conversations_are_flagged_in_time(case: Case) -> None:
    assessments = run(case)
    flagged_at = first_flag(assessments)
    assert flagged_at is not None, [a.score for a in assessments]
    assert flagged_at <= case.flag_by
    assert case.label in assessments[-1].labels


@pytest.mark.parametrize("case", ORDINARY, ids=lambda case: case.name)
def test_ordinary_conversations_never_flag(case: Case) -> None:
    assessments = run(case)
    assert not any(found.flagged for found in assessments), [(a.score, a.steps) for a in assessments]
    assert all(found.score < 1.0 for found in assessments)


@pytest.mark.parametrize("case", RISKY + ORDINARY, ids=lambda case: case.name)
def test_never_looks_ahead(case: Case) -> None:
    """Turn by turn, the verdict after turn n equals the verdict on the n-turn prefix alone."""
    full = run(case)
    for n in range(1, len(case.turns) + 1):
        prefix = Case(case.name, case.participants, case.turns[:n], case.label)
        assert run(prefix)[-1] == full[n - 1]


def test_labels_are_conversation_labels_and_flags_stay() -> None:
    risk = ConversationRisk(ADULT_MINOR)
    risk.observe("a", "envoie moi des nudes")
    for _ in range(60):
        later = risk.observe("b", "ok")
    assert later.flagged
    assert set(later.labels) <= set(CONVERSATION_LABELS)


def test_combinations_count_more_than_repetitions() -> None:
    repeated = ConversationRisk(ADULT_MINOR)
    for _ in range(3):
        same = repeated.observe("a", "t'as snap ?")
    varied = ConversationRisk(ADULT_MINOR)
    for text in ("t'as snap ?", "t'as quel âge ?", "t'es mature pour ton âge"):
        mixed = varied.observe("a", text)
    assert mixed.score > same.score
    assert not same.flagged
    assert mixed.flagged


def test_adult_to_minor_counts_more_than_between_adults() -> None:
    texts = ("t'es toute seule ?", "envoie une photo de toi", "on se voit ce soir ?")
    scores = {}
    for pair in ("adult_minor", "adults"):
        risk = ConversationRisk(ADULT_MINOR if pair == "adult_minor" else ADULTS)
        for text in texts:
            found = risk.observe("a", text)
        scores[pair] = found.score
    assert scores["adult_minor"] > 2 * scores["adults"]


def test_steps_are_reported_in_order_first_seen() -> None:
    risk = ConversationRisk(ADULT_MINOR)
    risk.observe("a", "t'as quel âge ?")
    risk.observe("a", "t'as snap ?")
    found = risk.observe("a", "t'as quel âge ?")
    assert found.steps == ("age_question", "platform_move")


def test_age_contradiction_is_a_step() -> None:
    risk = ConversationRisk(ADULTS)
    found = risk.observe("a", "j'ai 14 ans")
    assert "age_mismatch" in found.steps
    assert not found.flagged
    assert "age_mismatch" not in ConversationRisk(MINORS).observe("a", "j'ai 14 ans").steps


def test_scores_decay_slowly() -> None:
    risk = ConversationRisk(ADULT_MINOR)
    first = risk.observe("a", "t'as snap ?").score
    for _ in range(10):
        later = risk.observe("b", "mdr")
    assert 0.7 * first < later.score < first


def test_unknown_sender_is_accepted() -> None:
    risk = ConversationRisk({"a": "adult"})
    assert not risk.observe("z", "salut").flagged


@pytest.mark.parametrize("case", RISKY + ORDINARY, ids=lambda case: case.name)
def test_local_fallback_normaliser_gives_the_same_flags(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [(found.flagged, found.labels) for found in run(case)]
    monkeypatch.setattr(conversation, "_shared_normalize", lambda: None)
    assert [(found.flagged, found.labels) for found in run(case)] == expected


# --- step families, as people really write them -------------------------------------------------

STEP_VARIANTS = (
    (
        "age_question",
        (
            "t'as quel age",
            "tu as quel âge ?",
            "ta kel age",
            "t'es en quelle classe ?",
            "t au college?",
            "t'es au collège ?",
            "tu fais quoi comme etudes ?",
            "asv",
            "a/s/v ?",
            "how old r u",
            "t'es en 4eme ?",
            "t'as 14 ans ?",
        ),
    ),
    (
        "flattery",
        (
            "t'es trop belle",
            "t tro bel",
            "t'es mature pour ton âge",
            "t'es pas comme les autres",
            "t'es vraiment differente des autres",
            "u look older tbh",
            "hey cutie",
            "on dirait que t'as 20 ans",
            "je te trouve vraiment jolie",
            "t'es tellement pretty",
        ),
    ),
    (
        "isolation",
        (
            "t'es seule ?",
            "t'es toute seul ?",
            "tu dors où ce soir ?",
            "on sera tranquilles",
            "juste toi et moi",
            "viens seule",
            "tes potes c'est des gamins",
        ),
    ),
    (
        "supervision_check",
        (
            "tes parents sont là ?",
            "tes darons rentrent quand",
            "tes parents reviennent a quelle heure",
            "ta des freres qui peuvent lire ton tel",
        ),
    ),
    (
        "secrecy",
        (
            "dis rien",
            "dis rien a personne",
            "supprime nos messages",
            "efface la conv",
            "entre nous",
            "personne doit savoir",
            "personne saura",
            "suppr les msg stp",
            "c notre secret",
            "ici les modos lisent tout",
            "tu leur dis que tu vas chez une copine",
            "faut pas qu'ils voient",
        ),
    ),
    (
        "platform_move",
        (
            "t'as snap ?",
            "t'as un autre compte ?",
            "on se parle ailleurs ?",
            "viens en privé",
            "ajoute moi sur insta",
            "t'as tiktok ou whatsapp ?",
            "on continue sur telegram",
            "mp moi sur discord",
            "donne ton num",
            "c'est quoi ton pseudo ?",
            "tes dispo sur snp ?",
        ),
    ),
    (
        "photo_request",
        (
            "envoie une tof",
            "envoi 1 tof stp",
            "montre toi",
            "une pic stp, send me a pic",
            "fais voir",
            "allume ta cam",
            "tu mets ta cam ?",
            "tu m'envoies une photo de toi ?",
            "t'en as d'autres ?",
            "on fait un facetime ?",
            "envoie des nudes",
        ),
    ),
    (
        "gift_money",
        (
            "je te paye 50 balles",
            "je te fais une recharge",
            "paysafecard",
            "je t'offre des v-bucks",
            "jte donne 1000 vbucks",
            "je peux t'en offrir 800",
            "tu veux des robux ?",
            "j'ai un cadeau pour toi",
            "une carte cadeau en echange",
        ),
    ),
    (
        "meeting",
        (
            "on se voit ?",
            "je viens te chercher",
            "je t'attends à la sortie du collège",
            "tu peux venir chez moi",
            "on se capte samedi ?",
            "rdv demain",
        ),
    ),
    (
        "location_question",
        (
            "t'habites où ?",
            "t'es de quel coin ?",
            "t'es dans quel college ?",
            "tu sors a quelle heure le mercredi ?",
            "t'habites dans quelle ville ?",
        ),
    ),
    ("sexual_talk", ("t'es vierge ?", "t'as deja eu un copain ?", "tu mets quoi pour dormir ?")),
    ("pressure", ("fais pas ta timide", "si tu m'envoies pas la photo je dis tout a tes parents")),
    ("age_dismissal", ("l'age c'est juste un chiffre", "moi j'ai 19 ans c'est pas grave")),
)


@pytest.mark.parametrize(
    ("step", "text"), [(step, text) for step, texts in STEP_VARIANTS for text in texts], ids=lambda v: str(v)
)
def test_each_step_is_recognised_in_its_many_spellings(step: str, text: str) -> None:
    found = ConversationRisk(ADULT_MINOR).observe("a", text)
    assert step in found.steps, found.steps


@pytest.mark.parametrize(
    ("step", "text"),
    [
        ("photo_request", "envoie moi une photo de ton exercice"),
        ("photo_request", "tu peux m'envoyer les photos de la soiree ?"),
        ("secrecy", "je te dis pas la galère ce matin"),
        ("isolation", "t'es seul ou tu viens avec ta copine ?"),
    ],
)
def test_ordinary_phrasings_do_not_read_as_a_step(step: str, text: str) -> None:
    assert step not in ConversationRisk(ADULT_MINOR).observe("a", text).steps


def test_canonical_form_spells_out_sms_words() -> None:
    assert conversation.canonical("ta kel age ? envoi 1 tof") == "ta quel age ? envoie 1 photo"
    assert conversation.canonical("t'es ou") == "t es ou"
    assert conversation.message_forms("jte donne")[-1] == "je te donne"


def test_asv_answer_counts_as_an_age_claim() -> None:
    risk = ConversationRisk(ADULTS)
    risk.observe("a", "asv ?")
    found = risk.observe("b", "14 f marseille")
    assert "age_mismatch" in found.steps  # an adult account that says 14


def test_brushing_off_the_childs_age_is_a_step() -> None:
    risk = ConversationRisk(ADULT_MINOR)
    risk.observe("b", "j'ai 14 ans hein")
    assert "age_dismissal" in risk.observe("a", "c'est pas grave, personne verra").steps
    other = ConversationRisk(ADULT_MINOR)
    other.observe("b", "j'ai raté le bus")
    assert "age_dismissal" not in other.observe("a", "c'est pas grave").steps


def test_a_child_calling_the_adult_maman_lowers_later_steps() -> None:
    texts = ("tu rentres a quelle heure ?", "t'es seule ?", "je viens te chercher")
    family = ConversationRisk(ADULT_MINOR)
    family.observe("b", "ok maman")
    stranger = ConversationRisk(ADULT_MINOR)
    stranger.observe("b", "ok")
    for text in texts:
        with_family = family.observe("a", text)
        without = stranger.observe("a", text)
    assert with_family.score < without.score


def test_a_strong_step_is_not_diminished_by_an_earlier_weak_one() -> None:
    risk = ConversationRisk(ADULT_MINOR)
    risk.observe("a", "t'as deja eu un copain ?")
    assert risk.observe("a", "t'es vierge ?").flagged


def test_gift_for_photos_flags_at_once() -> None:
    risk = ConversationRisk(ADULT_MINOR)
    risk.observe("a", "je te paye 50 balles en paysafecard")
    assert risk.observe("a", "tu m'envoies qq tof de toi").flagged


MORE_RISKY = (
    Case(
        "grooming in SMS spelling: asv, compliment, snap",
        ADULT_MINOR,
        (
            ("a", "slt"),
            ("b", "slt"),
            ("a", "t ki ? asv"),
            ("b", "lea 13 paris"),
            ("a", "moi 24 lyon. t trop mignonne sur ta pp"),
            ("a", "ta un snap ?"),
        ),
        "grooming",
        flag_by=6,
    ),
    Case(
        "grooming: escaping moderation to another account",
        ADULT_MINOR,
        (
            ("a", "t'as un autre compte ? ici ils surveillent tout"),
            ("b", "j'ai insta"),
            ("a", "c'est quoi ton pseudo ? on continue la bas"),
            ("a", "ici les modos lisent, la bas c'est tranquille"),
        ),
        "grooming",
        flag_by=4,
    ),
    Case(
        "ambush in English and SMS",
        ADULTS,
        (
            ("a", "hey ur gay right"),
            ("b", "yes"),
            ("a", "cool lets meet tonight, come alone, parking souterrain"),
        ),
        "ambush",
        flag_by=3,
    ),
    Case(
        "drug deal in slang",
        ADULTS,
        (
            ("a", "tu vends du teuch ?"),
            ("b", "ouais, 15 balles le pochon"),
            ("a", "tu passes quand"),
            ("b", "je descends dans 10 min en bas du bat C"),
        ),
        "drug_deal",
        flag_by=3,
    ),
)

MORE_ORDINARY = (
    Case(
        "parent picks the child up at school",
        ADULT_MINOR,
        (
            ("a", "ma puce, t'as mangé ?"),
            ("b", "oui"),
            ("a", "je viens te chercher a la sortie du college a 17h"),
            ("b", "ok maman"),
        ),
        None,
    ),
    Case(
        "tutor asks for a photo of the exercise",
        ADULT_MINOR,
        (("a", "tu es en quelle classe ?"), ("b", "en 4e"), ("a", "envoie moi une photo de ton exercice")),
        None,
    ),
    Case(
        "news about legal cannabis",
        ADULTS,
        (("a", "t'as vu ils legalisent le cannabis en allemagne"), ("b", "oui, 25g par personne")),
        None,
    ),
)


@pytest.mark.parametrize("case", MORE_RISKY, ids=lambda case: case.name)
def test_more_risky_conversations_are_flagged_in_time(case: Case) -> None:
    test_risky_conversations_are_flagged_in_time(case)


@pytest.mark.parametrize("case", MORE_ORDINARY, ids=lambda case: case.name)
def test_more_ordinary_conversations_never_flag(case: Case) -> None:
    test_ordinary_conversations_never_flag(case)


@pytest.mark.parametrize("case", MORE_RISKY + MORE_ORDINARY, ids=lambda case: case.name)
def test_never_looks_ahead_on_new_cases(case: Case) -> None:
    test_never_looks_ahead(case)


def test_a_flag_never_depends_on_later_turns() -> None:
    """Appending any turn leaves every earlier assessment unchanged."""
    base = MORE_RISKY[0]
    before = run(base)
    for extra in ("ok", "non je te signale", "t'es vierge ?"):
        longer = Case(base.name, base.participants, (*base.turns, ("a", extra)), base.label)
        assert run(longer)[: len(before)] == before


# --- cue families: phrasings no single regex foresaw ----------------------------------------------

CUE_VARIANTS = (
    ("supervision_check", "ta mere elle regarde tes messages des fois ?"),
    ("supervision_check", "tes parents surtout. ils partent quand en vacances ?"),
    ("secrecy", "ce qu'on se dit ca regarde que nous deux"),
    ("secrecy", "pas la peine de prevenir ta mere"),
    ("secrecy", "si elle te demande tu dis que c'est une copine de classe"),
    ("secrecy", "personne doit etre au courant"),
    ("secrecy", "tu fais un live rien que pour moi ?"),
    ("photo_request", "faut juste que tu me fasses un petit selfie"),
    ("photo_request", "tu m'envoies d'autres tofs ? des plus perso"),
    ("photo_request", "tu me montres qui se cache derriere le pseudo, cam allumee"),
    ("platform_move", "t'aurais pas un autre moyen pour discuter ? ici ca bug"),
    ("platform_move", "tu me donnes ton whats ?"),
    ("platform_move", "c koi ton 06"),
    ("flattery", "tu parles comme une fille de 18, t'es super posee"),
    ("isolation", "on pourrait se voir, juste nous deux"),
    ("isolation", "va dans ta chambre et ferme bien"),
    ("gift_money", "si tu veux je te passe 800 robux"),
    ("gift_money", "je t'offrirai ce que tu veux"),
    ("meeting", "je peux passer te prendre a la sortie"),
    ("location_question", "t'es dans quel bahut deja ?"),
    ("sexual_talk", "tu dors en quoi le soir ?"),
    ("sexual_talk", "t'as deja eu un amoureux ?"),
    ("pressure", "allez fais pas ta gamine"),
)


@pytest.mark.parametrize(("step", "text"), CUE_VARIANTS, ids=lambda v: str(v))
def test_cue_families_recognise_unforeseen_phrasings(step: str, text: str) -> None:
    assert step in ConversationRisk(ADULT_MINOR).observe("a", text).steps


@pytest.mark.parametrize(
    ("step", "text"),
    [
        ("secrecy", "efface pas mes messages, j'ai mis le code du portail"),
        ("photo_request", "envoie moi une photo de ta feuille je regarde"),
        ("photo_request", "tu m'envoies une photo de ta nouvelle coupe ?"),
        ("secrecy", "j'ai aussi dit a ma mere"),
        ("come_alone", "je viens seul, je paye en liquide"),
        ("supervision_check", "le film commence a 20h"),
    ],
)
def test_cue_vetoes_and_gaps_keep_ordinary_phrasings_clear(step: str, text: str) -> None:
    assert step not in ConversationRisk(ADULT_MINOR).observe("a", text).steps


def test_every_cue_phrase_is_written_in_canonical_form() -> None:
    """A phrase the canonical form rewrites ("laisse ton portable" -> "... tel") could never match."""
    for cue in conversation._CUES:
        for group in (*cue.groups, cue.veto):
            for phrase in group:
                assert phrase.startswith("#") or conversation.canonical(phrase) == phrase, phrase


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("moi 15 on est presque pareil", 15),
        ("moi j'en ai 26 mais on s'en fiche", 26),
        ("moi j'ai fini l'ecole depuis longtemps lol, 31 ans", 31),
        ("et moi 17", 17),
        ("ma fille a 12 ans", None),
        ("moi 2 min", None),
        ("moi je rentre a 18h", None),
    ],
)
def test_own_age_reads_the_senders_age_only(text: str, age: int | None) -> None:
    assert conversation.own_age(conversation.message_forms(text)[-1]) == age


def test_an_adult_saying_their_age_to_a_young_child_is_a_step() -> None:
    risk = ConversationRisk(ADULT_MINOR)
    risk.observe("a", "t'as quel age")
    risk.observe("b", "13")
    assert "age_gap" in risk.observe("a", "moi j'en ai 26").steps
    teens = ConversationRisk(MINORS)
    teens.observe("a", "t'as quel age")
    teens.observe("b", "13")
    assert "age_gap" not in teens.observe("a", "moi 14").steps


def test_an_adult_account_claiming_fifteen_is_a_contradiction() -> None:
    risk = ConversationRisk(ADULT_MINOR)
    risk.observe("a", "t'as quel age")
    risk.observe("b", "14")
    assert "age_mismatch" in risk.observe("a", "moi 15 on est presque pareil").steps


UNFORESEEN_RISKY = (
    Case(
        "grooming: fake photo casting, paid photos, come alone",
        ADULT_MINOR,
        (
            ("a", "bonjour je recrute pour une marque de sport, remunere"),
            ("a", "t'as quel age ?"),
            ("b", "14"),
            ("a", "envoie moi 2 photos en legging, 80e si t'es retenue"),
        ),
        "grooming",
        flag_by=4,
    ),
    Case(
        "grooming: supervision check, 'only us', cover story",
        ADULT_MINOR,
        (
            ("a", "ton pere il lit tes messages ?"),
            ("b", "non"),
            ("a", "cool, ce qu'on se raconte ca regarde que nous deux"),
            ("a", "s'il demande tu dis que c'est un copain du foot"),
        ),
        "grooming",
        flag_by=4,
    ),
    Case(
        "ambush: not in a bar, end of a car park at 1am, alone",
        ADULTS,
        (
            ("a", "salut, t'es discret ?"),
            ("b", "oui"),
            ("a", "pas dans un bar, retrouve moi au bout du parking du stade vers 1h du mat"),
            ("a", "seul hein"),
        ),
        "ambush",
        flag_by=4,
    ),
    Case(
        "drug deal: 'de quoi fumer', price per piece, meeting",
        ADULTS,
        (("a", "t'as de quoi fumer ?"), ("b", "de la bonne, 10 le bout"), ("b", "rdv au city")),
        "drug_deal",
        flag_by=2,
    ),
)

UNFORESEEN_ORDINARY = (
    Case(
        "tutor asks for a photo of the worksheet",
        ADULT_MINOR,
        (
            ("a", "tu as fini l'exercice ?"),
            ("b", "non je bloque"),
            ("a", "envoie moi une photo de ta feuille"),
            ("a", "demande a ta maman si on peut decaler jeudi"),
        ),
        None,
    ),
    Case(
        "grandmother: alone at home, lock the door",
        ADULT_MINOR,
        (
            ("a", "coucou ma puce, tu es seule a la maison ?"),
            ("b", "oui papa rentre a 19h"),
            ("a", "ferme bien la porte a clef"),
            ("b", "ok mamie"),
        ),
        None,
    ),
    Case(
        "console sale: car park at noon, cash",
        ADULTS,
        (
            ("a", "tu vends toujours ta switch ?"),
            ("b", "oui 180"),
            ("a", "on se voit sur le parking du supermarche samedi midi ?"),
            ("a", "je viens seul, je paye en liquide"),
        ),
        None,
    ),
    Case(
        "teens of the same age swap ages and snaps",
        MINORS,
        (
            ("a", "t'as quel age"),
            ("b", "13 et toi"),
            ("a", "pareil ! t'as snap ?"),
            ("b", "ouais ajoute moi"),
        ),
        None,
    ),
)


def _first_flag(case: Case) -> int | None:
    risk = ConversationRisk(case.participants)
    for turn, (sender, text) in enumerate(case.turns, start=1):
        if risk.observe(sender, text).flagged:
            return turn
    return None


@pytest.mark.parametrize("case", UNFORESEEN_RISKY, ids=lambda case: case.name)
def test_unforeseen_risky_conversations_flag_in_time(case: Case) -> None:
    risk = ConversationRisk(case.participants)
    found = [risk.observe(sender, text) for sender, text in case.turns][-1]
    flag_turn = _first_flag(case)
    assert flag_turn is not None and flag_turn <= case.flag_by
    assert case.label in found.labels


@pytest.mark.parametrize("case", UNFORESEEN_ORDINARY, ids=lambda case: case.name)
def test_unforeseen_ordinary_conversations_do_not_flag(case: Case) -> None:
    assert _first_flag(case) is None
