"""Pseudonym checks: sexual or predatory names, slurs, contact handles; and the Scunthorpe problem."""

from __future__ import annotations

import pytest

from papote.safety import pseudonyms
from papote.safety.pseudonyms import CONTACT, OFFENSIVE, SEXUAL, check_pseudonym

SEXUAL_NAMES = [
    "JF_chaude",
    "jfchaude",
    "Mec_dispo",
    "cherche_ado",
    "CherchLyceennes",
    "aimelesados",
    "TonTonPourAdos",
    "papa_gateau",
    "daddy4teen",
    "Sugar_Daddy",
    "sexe_lyon",
    "S3xyLea",
    "s e x e",
    "ѕехе_lyon",  # Cyrillic look-alikes
    "ｓｅｘｅ",  # fullwidth
    "se\u200bxe",  # zero-width space
    "nude_lea",
    "Pédo_Lyon",
    "lolita_13",
    "coquine_13",
    "BiteDure",
    "pornstar",
]
OFFENSIVE_NAMES = ["Salope", "sal0pe", "PD_du_93", "N1gga", "Hitler_88", "FilsDePute", "enculé", "Tarlouze"]
CONTACT_NAMES = [
    "Snap_lea92",
    "lea_fictive92_snapchat",
    "sc:lea_fictive92",
    "ig_lea92",
    "insta.lea92",
    "@lea_fictive",
    "lea.fictive@hotmail.fr",
    "lea92@gmail.com",
    "0612345678",
    "06 12 34 56 78",
    "O6.12.34.56.78",
    "👻lea_fictive",
]
ORDINARY_NAMES = [
    "Lea_92",
    "Marseillais13",
    "Bastien_du_13",
    "Lyon69",
    "Kevin2008",
    "Sexton",
    "Essex_Boy",
    "Analyse",
    "Pornic44",
    "Torpedo",
    "Speedo",
    "Abaisse",
    "Negresco",
    "Montenegro_Fan",
    "SC_Bastia",
    "RatonLaveur",
    "Toujours_en_retard",
    "Nazim",
    "Dominique",
    "Monique_75",
    "Véronique",
    "CulDeSac_Fan",
    "HotWheels",
    "MobyDick",
    "IronFist",
    "Jeune_Papa",
    "Papa_de_Lea",
    "xXx_Dark_xXx",
    "Instant_T",
    "Igor",
    "Scarlett",
    "Computer_Geek",
    "Nu_Metal",
    "Cochon_Rose",
    "Was_here",
    "Discorde",
    "Pedro",
    "Photographe",
    "Shotgun",
    "Coquelicot",
    "Fan_de_Snapdragon",
    "Mongolie_trip",
]


@pytest.mark.parametrize("pseudo", SEXUAL_NAMES)
def test_sexual_and_predatory_names(pseudo: str) -> None:
    result = check_pseudonym(pseudo)
    assert (result.ok, result.code) == (False, SEXUAL)


@pytest.mark.parametrize("pseudo", OFFENSIVE_NAMES)
def test_offensive_names(pseudo: str) -> None:
    result = check_pseudonym(pseudo)
    assert (result.ok, result.code) == (False, OFFENSIVE)


@pytest.mark.parametrize("pseudo", CONTACT_NAMES)
def test_contact_handles(pseudo: str) -> None:
    result = check_pseudonym(pseudo)
    assert (result.ok, result.code) == (False, CONTACT)


@pytest.mark.parametrize("pseudo", ORDINARY_NAMES)
def test_ordinary_names_pass(pseudo: str) -> None:
    result = check_pseudonym(pseudo)
    assert (result.ok, result.code) == (True, None)


def test_refusals_explain_in_french_and_english() -> None:
    seen = set()
    for pseudo in ("JF_chaude", "Salope", "Snap_lea92"):
        result = check_pseudonym(pseudo)
        assert result.fr and result.en and result.fr != result.en
        seen.add(result.fr)
    assert len(seen) == 3
    assert check_pseudonym("Lea_92").fr == "Pseudo accepté."


@pytest.mark.parametrize("pseudo", ["ѕехе_lyon", "ｓｅｘｅ", "S3xyLea", "Sexton", "Véronique", "Snap_lea92"])
def test_local_fold_agrees_with_the_shared_skeleton(pseudo: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = check_pseudonym(pseudo)
    monkeypatch.setattr(pseudonyms, "_shared_skeleton", lambda: None)
    assert check_pseudonym(pseudo) == expected
