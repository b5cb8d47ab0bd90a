"""Refusals with a stable code and a human message, French first.

Codes are a public contract (docs/protocol.md): clients switch on `code`,
people read `fr` or `en`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from papote.images.errors import IMAGE_MESSAGES

MESSAGES: dict[str, tuple[str, str]] = {
    "bad_request": ("Requête invalide.", "Invalid request."),
    "unknown_command": ("Commande inconnue.", "Unknown command."),
    "not_authenticated": ("Vous n'êtes pas connecté·e. Entrez d'abord sur Papote.", "You are not signed in."),
    "rules_not_accepted": (
        "Il faut accepter la charte de Papote pour entrer.",
        "You must accept the house rules to enter.",
    ),
    "too_young": (
        "Papote est réservé aux personnes de 13 ans et plus. Reviens quand tu auras 13 ans ! "
        "Si tu as besoin de parler à quelqu'un, le 3018 est gratuit et anonyme.",
        "Papote is for people aged 13 and over. Come back when you are 13! "
        "If you need to talk to someone, 3018 is free and anonymous (France).",
    ),
    "invalid_birth_date": ("Date de naissance invalide.", "Invalid date of birth."),
    "invalid_gender": ("Genre invalide.", "Invalid gender."),
    "invalid_departement": ("Département invalide.", "Invalid département."),
    "pseudo_length": (
        "Le pseudo doit faire entre 3 et 20 caractères.",
        "The pseudonym must be 3 to 20 characters long.",
    ),
    "pseudo_characters": (
        "Le pseudo ne peut contenir que des lettres, des chiffres, - et _.",
        "The pseudonym may only contain letters, digits, - and _.",
    ),
    "pseudo_reserved": ("Ce pseudo est réservé.", "This pseudonym is reserved."),
    "pseudo_taken": (
        "Ce pseudo (ou un pseudo qui lui ressemble trop) est déjà utilisé.",
        "This pseudonym (or one that looks too much like it) is already in use.",
    ),
    "pseudo_offensive": (
        "Ce pseudo n'est pas accepté sur Papote.",
        "This pseudonym is not allowed on Papote.",
    ),
    "pseudo_sexual": ("Ce pseudo n'est pas accepté sur Papote.", "This pseudonym is not allowed on Papote."),
    "pseudo_contact": (
        "Un pseudo ne peut pas contenir de coordonnées (snap, téléphone, e-mail…).",
        "A pseudonym may not contain contact details (snap, phone, e-mail…).",
    ),
    "email_invalid": ("Adresse e-mail invalide.", "Invalid e-mail address."),
    "email_taken": (
        "Un compte existe déjà avec cette adresse.",
        "An account already exists with this address.",
    ),
    "password_weak": (
        "Le mot de passe doit faire au moins 10 caractères.",
        "The password must be at least 10 characters long.",
    ),
    "login_failed": ("E-mail ou mot de passe incorrect.", "Wrong e-mail or password."),
    "already_registered": ("Ce pseudo a déjà un compte.", "This pseudonym already has an account."),
    "registration_required": (
        "Il faut un compte (e-mail et mot de passe) pour faire cela.",
        "You need an account (e-mail and password) to do this.",
    ),
    "room_not_found": ("Ce salon n'existe pas.", "This room does not exist."),
    "room_exists": ("Un salon porte déjà ce nom.", "A room with this name already exists."),
    "room_name_invalid": (
        "Le nom du salon doit faire entre 3 et 40 caractères.",
        "The room name must be 3 to 40 characters long.",
    ),
    "audience_minors_only": (
        "Ce salon est réservé aux 13-17 ans.",
        "This room is for people aged 13 to 17 only.",
    ),
    "audience_adults_only": (
        "Ce salon est réservé aux adultes (18 ans et plus).",
        "This room is for adults (18 and over) only.",
    ),
    "audience_invalid": ("Public du salon invalide.", "Invalid room audience."),
    "not_invited": ("Ce salon privé est sur invitation.", "This private room is invitation-only."),
    "not_room_member": ("Rejoignez d'abord ce salon.", "Join this room first."),
    "not_room_owner": (
        "Seul·e la personne qui a créé ce salon peut inviter.",
        "Only the room owner may invite.",
    ),
    "invitation_not_found": (
        "Aucune invitation en attente pour ce salon.",
        "No pending invitation for this room.",
    ),
    "message_empty": ("Le message est vide.", "The message is empty."),
    "message_too_long": (
        "Le message est trop long (1000 caractères au maximum).",
        "The message is too long (1,000 characters at most).",
    ),
    "message_id_invalid": (
        "Identifiant de message invalide (1 à 64 caractères : lettres, chiffres, - et _).",
        "Invalid message id (1 to 64 characters: letters, digits, - and _).",
    ),
    "person_not_found": ("Personne n'est connecté·e avec ce pseudo.", "Nobody with this pseudonym is here."),
    "private_self": ("Vous ne pouvez pas vous écrire à vous-même.", "You cannot write to yourself."),
    "private_age_mismatch": (
        "Sur Papote, les adultes et les mineurs ne peuvent pas se parler en privé.",
        "On Papote, adults and minors cannot talk in private.",
    ),
    "private_refused": (
        "Cette personne n'accepte pas vos messages privés.",
        "This person does not accept your private messages.",
    ),
    "private_request_pending": (
        "Votre demande de conversation attend encore une réponse.",
        "Your conversation request is still waiting for an answer.",
    ),
    "private_no_request": (
        "Aucune demande en attente de cette personne.",
        "No pending request from this person.",
    ),
    "not_in_conversation": ("Aucune conversation avec cette personne.", "No conversation with this person."),
    "rate_limited": (
        "Vous allez trop vite. Réessayez dans un instant.",
        "You are going too fast. Try again shortly.",
    ),
    "frame_too_large": ("Trame trop grande.", "Frame too large."),
    "device_suspended": (
        "Un compte suspendu a été utilisé depuis cet appareil : impossible d'entrer sous un autre pseudo "
        "pendant la suspension. La décision et la façon de la contester ont été envoyées à ce compte.",
        "A suspended account was used from this device: you cannot enter under another pseudonym while "
        "the suspension lasts. The decision and how to appeal it were sent to that account.",
    ),
    "image_not_found": (
        "Cette photo n'existe pas ou n'est pas visible pour vous.",
        "This photo does not exist or is not visible to you.",
    ),
    "image_blocked": (
        "Photo non envoyée : elle enfreint la charte de Papote.",
        "Photo not sent: it breaks Papote's house rules.",
    ),
    "image_check_failed": (
        "La photo n'a pas pu être vérifiée, elle n'est donc pas envoyée. Réessayez dans un instant.",
        "The photo could not be checked, so it was not sent. Please try again shortly.",
    ),
    "images_unavailable": (
        "L'envoi de photos n'est pas disponible sur ce serveur.",
        "Sending photos is not available on this server.",
    ),
    "internal_error": ("Erreur interne. Réessayez.", "Internal error. Please try again."),
}

MESSAGES |= IMAGE_MESSAGES  # the photo checks' refusals (papote/images/errors.py)

# Reports, the moderation queue, decisions and appeals (papote/moderation/).
MESSAGES |= {
    "forbidden": (
        "Vous n'avez pas le droit de faire cela.",
        "You are not allowed to do this.",
    ),
    "report_target_not_found": (
        "Ce que vous signalez n'existe pas ou n'est pas visible pour vous.",
        "What you report does not exist or is not visible to you.",
    ),
    "case_not_found": ("Ce dossier n'existe pas.", "This case does not exist."),
    "case_closed": ("Ce dossier est déjà clos.", "This case is already closed."),
    "decision_not_found": ("Cette décision n'existe pas.", "This decision does not exist."),
    "appeal_closed": (
        "Le délai de recours (six mois) est passé.",
        "The time to appeal (six months) is over.",
    ),
    "appeal_exists": (
        "Cette décision a déjà fait l'objet d'un recours.",
        "This decision has already been appealed.",
    ),
    "appeal_not_found": ("Ce recours n'existe pas.", "This appeal does not exist."),
    "appeal_decided": ("Ce recours a déjà été tranché.", "This appeal has already been decided."),
    "room_locked": (
        "Ce salon est verrouillé par la modération : seuls les modérateur·rice·s peuvent y écrire "
        "pour le moment.",
        "This room is locked by the moderators: only moderators may write for now.",
    ),
    "room_registered_only": (
        "Pour le moment, seuls les comptes inscrits peuvent écrire dans ce salon.",
        "For now, only registered accounts may write in this room.",
    ),
    "room_banned": (
        "Un·e modérateur·rice vous a exclu·e de ce salon pour un temps : vous ne pouvez pas y revenir "
        "avant la fin de l'exclusion. La décision et la façon de la contester vous ont été envoyées.",
        "A moderator banned you from this room for a while: you cannot come back before the ban ends. "
        "The decision and how to appeal it were sent to you.",
    ),
}


@dataclass
class PapoteRefusal(Exception):
    """A request the server refuses on purpose. Carries its public code and texts."""

    code: str
    fr: str = ""
    en: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        default_fr, default_en = MESSAGES.get(self.code, (self.code, self.code))
        self.fr = self.fr or default_fr
        self.en = self.en or default_en
        super().__init__(self.code)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": {"fr": self.fr, "en": self.en}}
        if self.details:
            body["details"] = self.details
        return body
