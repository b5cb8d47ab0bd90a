"""The trained text classifier: artifact, scores, ranking of manoeuvres over benign chat, plug-in."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from papote.safety import classifier as classifier_module
from papote.safety.base import LABELS, Content, Context, Detector, Signal
from papote.safety.classifier import (
    CLASSIFIER_LABELS,
    DEFAULT_ARTIFACT,
    FeatureSpec,
    TextClassifier,
    hashed_features,
    local_fold,
    model_input,
    prepare,
)
from papote.safety.detectors.classifier import ClassifierDetector

REPO = Path(__file__).resolve().parents[2]

# Written for these tests (fictional, not taken from any dataset, not in the seed training files):
# what a moderator must catch, and ordinary chat that must pass.
MANOEUVRES: dict[str, list[str]] = {
    "threat": [
        "je connais ton adresse, je vais venir te chercher ce soir",
        "fais attention à toi, je vais te retrouver à la sortie du collège",
        "si tu paies pas 100 euros je publie tes photos",
        "tu vas le regretter, je vais te casser la gueule",
    ],
    "sexual_solicitation": [
        "envoie-moi des photos de toi en culotte",
        "allume ta cam et enlève ton soutif",
        "ma belle t'as des nudes ? je paie bien",
        "tu veux qu'on couche ensemble ce soir ? je paie l'hôtel",
    ],
    "harassment": [
        "ferme ta gueule espèce de connard",
        "t'es qu'une grosse conne, personne t'aime",
        "nique ta mère fdp",
        "t'es un déchet, va crever",
    ],
    "hate": [
        "les arabes dehors, rentrez chez vous",
        "les juifs c'est tous des voleurs",
        "les noirs sont inférieurs",
        "les musulmans faut tous les virer",
    ],
}
BENIGN: list[str] = [
    "salut tout le monde, ça va ?",
    "bonne nuit les amis, à demain",
    "quelqu'un veut jouer à fortnite ?",
    "le film était trop bien, je conseille",
    "ma fille a 12 ans et elle entre en sixième",
    "appelle le 3114 si tu as des idées noires",
    "je suis gay et fier",
    "je suis musulmane et je fais le ramadan",
    "tu peux m'envoyer la photo du match ?",
    "j'ai rendez-vous chez le gynéco jeudi",
    "putain j'ai encore raté le bus",
    "mdr t'es trop drôle, je t'adore",
]


@pytest.fixture(scope="module")
def model() -> TextClassifier:
    return TextClassifier.load()


def test_artifact_is_small_and_loads(model: TextClassifier) -> None:
    assert DEFAULT_ARTIFACT.stat().st_size < 5 * 1024 * 1024
    assert model.labels == CLASSIFIER_LABELS
    assert set(model.labels) <= set(LABELS)


def test_thresholds_are_present_and_usable(model: TextClassifier) -> None:
    assert set(model.thresholds) == set(CLASSIFIER_LABELS)
    for threshold in model.thresholds.values():
        assert 0.0 < threshold < 1.0


def test_shipped_artifact_is_not_the_research_variant(model: TextClassifier) -> None:
    assert model.metadata["research_only"] is False
    assert not any("cyberagression" in source.lower() for source in model.metadata["trained_on"])


@pytest.mark.parametrize(
    "text",
    ["", " ", "😂😂😂", "a", "ｓａｌｕｔ", "s\u200bale", "x" * 5000, "مرحبا", "06 12 34 56 78", "!!!???"],
)
def test_scores_are_probabilities_for_any_input(model: TextClassifier, text: str) -> None:
    scores = model.scores(text)
    assert set(scores) == set(CLASSIFIER_LABELS)
    assert all(0.0 <= value <= 1.0 for value in scores.values())


@pytest.mark.parametrize("label", CLASSIFIER_LABELS)
def test_manoeuvres_outscore_benign_chat(model: TextClassifier, label: str) -> None:
    benign = [model.scores(text)[label] for text in BENIGN]
    manoeuvres = [model.scores(text)[label] for text in MANOEUVRES[label]]
    assert min(manoeuvres) > float(np.median(benign))
    assert float(np.mean(manoeuvres)) > max(benign)


@pytest.mark.parametrize("label", CLASSIFIER_LABELS)
def test_most_manoeuvres_pass_their_threshold(model: TextClassifier, label: str) -> None:
    flagged = [label in model.flagged(text) for text in MANOEUVRES[label]]
    assert sum(flagged) >= len(flagged) - 1


def test_benign_chat_is_rarely_flagged(model: TextClassifier) -> None:
    flagged = [text for text in BENIGN if model.flagged(text)]
    assert len(flagged) <= 1, flagged


def test_gaming_talk_is_not_a_threat(model: TextClassifier) -> None:
    gaming = model.scores("je vais te tuer au prochain round mdr")["threat"]
    real = model.scores("je vais te tuer, je sais où tu habites")["threat"]
    assert gaming < model.thresholds["threat"] <= real


def test_spelling_tricks_keep_the_score_close(model: TextClassifier) -> None:
    plain = model.scores("ferme ta gueule connard")["harassment"]
    assert model.scores("FERME TA GUEULE CONNAAAARD")["harassment"] >= plain - 0.15
    assert model.scores("ferme ta gueule c0nn4rd")["harassment"] >= plain - 0.15


def test_inference_is_deterministic(model: TextClassifier) -> None:
    text = "je sais où tu habites, fais gaffe"
    assert model.scores(text) == model.scores(text)
    fresh = classifier_module._load_cached.__wrapped__(str(DEFAULT_ARTIFACT))  # bypass the load cache
    assert fresh is not model
    assert fresh.scores(text) == model.scores(text)


def test_scores_do_not_depend_on_python_hash_seed() -> None:
    code = (
        "import json; from papote.safety.classifier import TextClassifier; "
        "print(json.dumps(TextClassifier.load().scores('t es qu une grosse merde')))"
    )
    outputs = set()
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert set(json.loads(outputs.pop())) == set(CLASSIFIER_LABELS)


def test_runtime_does_not_import_scikit_learn() -> None:
    code = (
        "import sys, papote.safety.classifier as c; c.TextClassifier.load().scores('x'); "
        "print('sklearn' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_features_are_stable_hashes() -> None:
    spec = FeatureSpec(bits=18)
    first = hashed_features(prepare(local_fold("Salut ça va")), spec)
    assert np.array_equal(first, hashed_features(prepare(local_fold("salut ca va")), spec))
    assert int(first.max()) < 1 << 18
    assert first.size == 4 * len(" salut ca va ")  # one hash per start position and n in 2..5


def test_local_fold_handles_accents_zero_width_and_leet() -> None:
    assert local_fold("Ｃ\u200bé l'ÉTÉ") == "ce l'ete"
    assert local_fold("s4le c0nnard au 06 12") == "sale connard au 06 12"


def test_detector_conforms_to_the_interface(model: TextClassifier) -> None:
    detector: Detector = ClassifierDetector(model)
    assert detector.name == "classifier"
    signals = detector.inspect(Content("je sais où tu habites, tu vas le regretter", Context(channel="dm")))
    assert signals
    for signal in signals:
        assert isinstance(signal, Signal)
        assert signal.detector == "classifier"
        assert signal.label in LABELS
        assert model.thresholds[signal.label] <= signal.score <= 1.0
    assert "threat" in {signal.label for signal in signals}


def test_detector_is_quiet_on_benign_and_empty_messages(model: TextClassifier) -> None:
    detector = ClassifierDetector(model)
    assert detector.inspect(Content("", Context(channel="room"))) == ()
    assert detector.inspect(Content("salut, on se fait un ciné ce soir ?", Context(channel="room"))) == ()


def test_seed_files_are_well_formed_and_disjoint_from_these_tests() -> None:
    from papote.safety.normalize import normalize

    seed_texts: set[str] = set()
    for path in sorted((REPO / "papote" / "safety" / "training").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            assert set(item["labels"]) <= set(CLASSIFIER_LABELS), path.name
            assert item["group"] and item["text"].strip()
            seed_texts.add(normalize(item["text"]).compact)
    assert len(seed_texts) > 1000
    test_texts = [text for texts in MANOEUVRES.values() for text in texts] + BENIGN
    assert not [text for text in test_texts if normalize(text).compact in seed_texts]


# --- the serving shortcuts compute exactly what the plain definitions do ----------------------------

TRICKY_TEXTS = [
    *BENIGN,
    *(text for texts in MANOEUVRES.values() for text in texts),
    "nuuuuul !!! trop nul ???",  # runs of three: the shrinking path
    "snake_case et   espaces\tmultiples\n",
    "l’école… c’est «fini» — enfin ! 😀😀😀",
    "ｆｕｌｌ ｗｉｄｔｈ",
    "un deux trois quatre cinq six sept huit neuf dix onze",
    "x" * 900,
    "",
]


def test_the_compiled_kernels_are_in_use(model: TextClassifier) -> None:
    # numba is a dependency: a silent fallback to numpy would cost a third of the pipeline's speed.
    assert model._kernels is not None
    assert model._word_chars is not None


def test_the_kernel_hashes_with_the_same_base() -> None:
    from papote.safety import classifier_kernel

    assert classifier_kernel.HASH_BASE == classifier_module.HASH_BASE


def test_reference_logits_are_float32_arithmetic_on_the_gathered_weights(model: TextClassifier) -> None:
    weights = model._weights
    for text in TRICKY_TEXTS:
        prepared = prepare(model._fold(text))
        index = hashed_features(prepared, model.spec)
        expected = np.add.reduce(np.ascontiguousarray(weights.take(index, axis=0).T), axis=1)
        expected /= np.float32(np.sqrt(max(1, index.size)))
        expected += model._bias
        assert model.reference_logits(prepared) == expected.tolist(), text


def random_texts(count: int, seed: int) -> list[str]:
    """Short and long texts with accents, emoji, digits and runs of repeated letters."""
    rng = random.Random(seed)
    alphabet = "aaabcdeeefghiijklmnoopqrsstuuvxyz    éèàçô0123456789!?'😀-_"
    texts = []
    for _ in range(count):
        size = rng.choice((1, 3, 8, 20, 40, 90, 200, 450, 900))
        text = "".join(rng.choice(alphabet) for _ in range(size))
        if rng.random() < 0.3:
            text += rng.choice("aeiou!") * rng.randint(3, 9)
        texts.append(text)
    return texts


def test_compiled_logits_equal_the_numpy_definition_bit_for_bit(model: TextClassifier) -> None:
    # Long texts give more than 128 n-grams per label: numpy's pairwise summation then splits in halves,
    # and the kernel must split the same way for the float32 sums to be identical.
    for text in TRICKY_TEXTS + random_texts(600, seed=3):
        assert model.logits(text) == model.reference_logits(prepare(model._fold(text))), text


def word_count_texts() -> list[str]:
    """Texts whose word count decides whether the model reads them: too few distinct words, floods of
    the same words, case, accents, digits, underscores, apostrophes, other scripts and emoji."""
    return [
        "",
        "ok",
        "ok ok ok ok",
        "salut salut toi",
        "Salut SALUT salut toi moi",
        "snake_case x_y z",
        "l'été c'est l'été",
        "12 ans 12 ans 12 ans 12 ans",
        "مرحبا بك صديقي",
        "😀 😀 😀 trop bien",
        "ǅungla ǄUNGLA ǆungla",
        "İstanbul istanbul İSTANBUL",
        "un deux un deux un deux un deux trois",
        "nique nique nique nique nique ta mère",
        "t'es nul t'es nul t'es nul t'es nul t'es nul",
        "mot " * 300,
        "x" * 900 + " y z",
        "lone \ud800 surrogate here",
        "\u3000full\u2028width\x1cseparators here",
    ]


def test_flagged_line_is_model_input_then_flagged(model: TextClassifier) -> None:
    # The one-call path must decide, for every line, exactly what the two plain steps decide.
    texts = TRICKY_TEXTS + word_count_texts() + random_texts(400, seed=5)
    texts += [f"{text} {text} {text}" for text in MANOEUVRES["harassment"] + MANOEUVRES["threat"]]
    flagged_somewhere = repeated_somewhere = False
    for text in texts:
        judged = model_input(text, 3)
        expected = {} if judged is None else model.flagged(judged)
        assert model.flagged_line(text, 3) == expected, text
        flagged_somewhere = flagged_somewhere or bool(expected)
        repeated_somewhere = repeated_somewhere or (judged is not None and judged != text)
    assert flagged_somewhere and repeated_somewhere


def test_flagged_line_takes_the_normalised_view_it_would_compute(model: TextClassifier) -> None:
    from papote.safety.normalize import normalize

    assert model.view_name is not None
    texts = TRICKY_TEXTS + [f"{text} !" for text in MANOEUVRES["threat"]]
    for text in texts:
        folded = getattr(normalize(text), model.view_name)
        assert model.flagged_line(text, 3, folded) == model.flagged_line(text, 3), text


def test_flagged_line_gives_each_thread_its_own_logits(model: TextClassifier) -> None:
    # The kernel releases the GIL and writes the logits into a per-thread buffer: threads classifying
    # different lines at once must each get their own line's labels.
    from concurrent.futures import ThreadPoolExecutor

    texts = [text for texts in MANOEUVRES.values() for text in texts] + BENIGN
    expected = [model.flagged_line(text, 3) for text in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(20):
            assert list(pool.map(lambda text: model.flagged_line(text, 3), texts)) == expected


def test_the_kernel_counts_words_as_re_does(model: TextClassifier) -> None:
    from papote.safety.classifier import encoded
    from papote.safety.classifier_kernel import word_counts

    assert model._word_chars is not None
    rng = random.Random(11)
    alphabet = "aAbé_ 'É-ß1²½\u0663x\u200b😀\u00a0ǅ.,"
    texts = word_count_texts() + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(300)
    ]
    for text in texts:
        words = re.findall(r"\w+", text.lower())
        lowered, width = encoded(text.lower())
        assert word_counts(lowered, width, model._word_chars) == (len(words), len(set(words))), text


def test_the_word_character_table_is_re_word_class() -> None:
    from papote.safety.classifier import word_char_bits

    table = np.unpackbits(word_char_bits(), bitorder="little")[: sys.maxunicode + 1].astype(bool)
    every = "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000)
    words = np.zeros(sys.maxunicode + 1, dtype=bool)
    codes = np.frombuffer(every.encode("utf-32-le"), dtype=np.uint32)
    matched = np.array([m.start() for m in re.finditer(r"\w", every)], dtype=np.int64)
    words[codes[matched]] = True
    assert np.array_equal(table, words)


def test_encoded_texts_keep_every_code_point() -> None:
    from papote.safety.classifier import encoded

    assert encoded("salut") == (b"salut", 1)
    data, width = encoded("é\ud800😀")
    assert width == 4
    assert np.frombuffer(data, dtype=np.uint32).tolist() == [0xE9, 0xD800, 0x1F600]


def test_flagged_is_scores_over_their_thresholds(model: TextClassifier) -> None:
    texts = TRICKY_TEXTS + [f"{text} {text}" for text in MANOEUVRES["harassment"]]
    flagged_somewhere = False
    for text in texts:
        scores = model.scores(text)
        expected = {label: score for label, score in scores.items() if score >= model.thresholds[label]}
        assert model.flagged(text) == expected, text
        flagged_somewhere = flagged_somewhere or bool(expected)
    assert flagged_somewhere  # the comparison covered flagged labels, not only quiet ones
