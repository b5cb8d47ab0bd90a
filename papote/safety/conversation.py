"""Risk of a whole private conversation, scored turn by turn: grooming, ambush, drug deal.

Single messages rarely tell a grooming: "t'as quel âge ?", "t'es mature pour ton âge",
"t'as snap ?" are each banal. The manoeuvres add up, so one `ConversationRisk` per
private conversation keeps a decaying level per step. Combinations of different steps
count more than repetitions of one, and an adult talking to a minor (by account or by
what they write about their age) counts most. It only ever sees the past.

Each message is read three ways: literal regexes, broad regexes over a canonical form (SMS words spelled
out), and cue families (`_CUES`): order-free sets of words and phrases of which one per group must occur,
so "ca regarde que nous deux" or "pas la peine de prevenir ta mere" count without a regex of their own.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from papote.safety.base import AgeBand
from papote.safety.detectors.age_claims import ADULT_AGE, age_claims, plain_fold

FLAG_THRESHOLD = 0.95  # raw level; reported scores are divided by it, so 1.0 means "flag"
DECAY_PER_TURN = 0.98  # a step's level halves in about 34 turns: grooming is slow
REPEAT_FACTOR = 0.3  # the n-th repetition of a step adds weight * REPEAT_FACTOR ** (n - 1)
COMBINATION_BONUS = 0.2  # each extra distinct step multiplies the sum by 1 + this
ACTIVE_LEVEL = 0.05
AGE_MISMATCH_WEIGHT = 0.6
AGE_GAP_WEIGHT = 0.35  # an adult says their age to a child who said 15 or less
YOUNG_CHILD_AGE = 15
AGE_GAP_YEARS = 5
# Something given in exchange for images or a meeting is worse than the two steps apart.
EXCHANGE_PAIRS = (("gift_money", "photo_request"), ("gift_money", "meeting"))
EXCHANGE_BONUS = 1.15

# How much a grooming step counts, by who says it to whom.
ADULT_TO_MINOR = 1.0
MINOR_TO_ADULT = 0.4
MINOR_TO_MINOR = 0.45
ADULTS_ONLY_CAP = 0.9  # grooming score ceiling while nobody in the conversation is (or says they are) a minor
ADULT_TO_ADULT = 0.2  # consensual adults flirt, move apps and meet: almost never grooming

GROOMING_STEPS = (
    "age_question", "age_mismatch", "flattery", "trust", "isolation", "supervision_check", "secrecy",
    "platform_move", "photo_request", "sexual_talk", "gift_money", "pressure", "age_dismissal", "meeting",
    "location_question",
)  # fmt: skip
AMBUSH_CONDITIONS = {
    "dating_pretext": 0.25, "come_alone": 0.35, "isolated_place": 0.35, "address": 0.2,
    "prove_orientation": 0.6, "bring_valuables": 0.35, "no_phone": 0.35, "refuses_public": 0.35,
    "late_night": 0.2,
}  # fmt: skip
AMBUSH_BASE = 0.4  # a meeting proposal; conditions worth 0.6 more make an ambush
DRUG_STEPS = ("drug_product", "drug_price", "drug_meetup")


@dataclass(frozen=True)
class ConversationAssessment:
    score: float  # 1.0 is the flag threshold
    flagged: bool
    labels: tuple[str, ...]  # among CONVERSATION_LABELS
    steps: tuple[str, ...]  # every manoeuvre seen so far, in the order first seen


@dataclass(frozen=True)
class Rule:
    """A manoeuvre: every pattern must match the message.

    `gate` holds words of which one must be in the message before any regex runs (regexes
    starting with a word boundary cost ~10 µs each here; a set lookup costs nothing);
    an empty gate means the patterns always run.
    """

    step: str
    weight: float
    gate: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]


def _rule(step: str, weight: float, gate: str, *patterns: str) -> Rule:
    return Rule(step, weight, frozenset(gate.split()), tuple(re.compile(pattern) for pattern in patterns))


# --- words people write, SMS spellings included ------------------------------------------------

_YOU_ARE = r"(?:t'?\s*es|tu\s+es|tes|t|t'?\s*est|vous\s+etes|u\s+r|you'?\s*re|ur)"
_YOU_HAVE = r"(?:t'?\s*as|tu\s+as|ta|tas|t'a|as[\s\-]+tu|t'?\s*aurais|tu\s+aurais)"
_PARENTS = r"(?:parents|darons|daronnes|rents|vieux|mere|pere|maman|papa|daronne|daron|mom|dad|parent)"
_PHOTO = r"(?:photos?|fotos?|tofs?|toffs?|pics?|pik|picture|selfies?|videos?|vids?)"
_PLATFORM = (
    r"(?:snap|snapchat|snp|insta|instagram|ig|telegram|telegramme|tlg|tg|whatsapp|whatsap|watsap|wtsp|wsp"
    r"|kik|wickr|discord|skype|facetime|signal|messenger|viber|threema|line|wechat|👻)"
)
_MEET = (
    r"(?:\bon\s+(?:se\s+|s'?\s*)?(?:voit|voi|verrait|pourrait\s+se\s+voir|rejoint|retrouve|capte|rencontre|croise)\b"
    r"|\bse\s+(?:voir|rencontrer|rejoindre|retrouver|capter)\b"
    r"|\b(?:viens|vien|venir|tu\s+viens)\s+(?:chez\s+moi|me\s+voir|me\s+rejoindre|dormir|a\s+la\s+maison)\b"
    r"|\bje\s+(?:viens|peux\s+venir|passe|peux\s+passer|vais\s+venir)\s+(?:te\s+(?:chercher|prendre|voir|rejoindre)"
    r"|chez\s+toi)\b|\bje\s+(?:te\s+)?(?:recupere|recup)\b|\b(?:rdv|rendez[\s\-]?vous|rencart|rencard)\b"
    r"|\ben\s+vrai\b|\birl\b|\bmeet\s+(?:up|me|irl)\b|\bje\s+t'?\s*(?:attends|attendrai)\b"
    r"|\bviens\s+(?:seule?|au|a\s+la|a\s+l'|a|devant|derriere|sous|dans|me\s+chercher|me\s+prendre|me\s+retrouver)\b"
    r"|\bje\s+(?:viens|passe|serai)\s+(?:a|au|devant)\s+(?:la\s+)?(?:sortie|entree|ton|ta)\b|\btu\s+bouges\b)"
)
_MEET_GATE = (
    "voit voi verrait voir rejoint retrouve capte rencontre croise rencontrer rejoindre retrouver capter"
    " viens vien venir passe passer recupere recup rdv rendez rencart rencard vrai irl meet attends attendrai"
    " serai bouges"
)
_PROPOSAL_CUES = (
    r"(?:\bton\b|\btn\b|" + _YOU_HAVE + r"|\bajoute|\badd\b|\brajoute|\bviens|\bvien\b|\bpasse|\bdonne"
    r"|\benvoie"
    r"|\bmon\b|\bon\s+(?:continue|se\s+parle|parle|passe|va)|\bplus\s+(?:discret|tranquille|tranquilles|simple)"
    r"|\bailleurs\b|\ben\s+prive\b|\bdm\b|\bc'?\s*est\s+quoi|\bc\s+(?:quoi|koi)|\bwhat'?s\s+your|\byour\b)"
)

_GROOMING_RULES: tuple[Rule, ...] = (
    # Age questions.
    _rule(
        "age_question",
        0.2,
        "age asv asl old classe annee",
        r"\b(?:quel|kel|quelle|kelle)\s*age\b|\bton\s+age\b|\bage\s*\?|\b(?:asv|asl)\b"
        r"|\bhow\s+old\b|\bwhat'?s\s+your\s+age\b|\ben\s+quelle\s+classe\b|\bde\s+quelle\s+annee\b"
        r"|\bnee?\s+en\s+quelle\s+annee\b",
    ),
    _rule(
        "age_question",
        0.2,
        "college lycee primaire majeur majeure mineur mineure",
        r"\b" + _YOU_ARE + r"\s+(?:au|a\s+la|en)\s+(?:college|lycee|primaire|collège)\s*\?"
        r"|\b" + _YOU_ARE + r"\s+(?:majeure?|mineure?)\s*\?",
    ),
    # Flattery, above all "mature for your age".
    _rule(
        "flattery",
        0.25,
        "belle jolie mignonne canon magnifique sublime bonne craquante charmante sexy adorable parfaite "
        "ravissante pretty beautiful cute gorgeous princesse cherie puce beaute choupette",
        r"\b" + _YOU_ARE + r"\s+(?:(?:trop|tellement|vraiment|super|tres|si|grave|hyper)\s+)?"
        r"(?:belle|jolie|mignonne|canon|magnifique|sublime|bonne|craquante|charmante|sexy|adorable|parfaite"
        r"|ravissante|pretty|beautiful|cute|gorgeous)\b|\bma\s+(?:petite\s+)?(?:princesse|cherie|puce|beaute|choupette|belle)\b",
    ),
    _rule(
        "flattery",
        0.45,
        "mature vieille vieux agee grande older autres filles gamines jeunes special speciale",
        r"\bmature\s+pour\s+ton\s+age\b|\bplus\s+mature\s+que\b|\bmature\s+for\s+your\s+age\b"
        r"|\b(?:tu\s+fais|t'?\s*fais|tu\s+parais|t'?\s*as\s+l'?\s*air|tu\s+as\s+l'?\s*air)\s+"
        r"(?:(?:bien|vraiment|trop|tellement|beaucoup)\s+)?(?:plus\s+)?"
        r"(?:vieille|vieux|agee|mature|grande|older)\b|\bpas\s+comme\s+les\s+(?:autres|filles|gamines|jeunes)\b"
        r"|\b" + _YOU_ARE + r"\s+(?:tres\s+|trop\s+|si\s+)?(?:speciale?|mature)\b",
    ),
    # Trust and "I understand you".
    _rule(
        "trust",
        0.25,
        "confiance trust",
        r"\b(?:tu\s+(?:peux\s+)?me\s+fais?\s+confiance|fais[\s\-]+moi\s+confiance"
        r"|tu\s+peux\s+me\s+faire\s+confiance|" + _YOU_HAVE + r"\s+confiance\s+en\s+moi|trust\s+me)\b",
    ),
    # Isolation: alone, parents away, "nobody understands you like me".
    _rule(
        "isolation",
        0.35,
        "seul seule alone",
        r"\b" + _YOU_ARE + r"\s+(?:toute?\s+)?seule?\b(?=\s*(?:\?|chez|a\s+la\s+maison|ce\s+soir"
        r"|la\b|dans|$|ou\b(?!\s+(?:tu|avec|pas|accompagne))))|\bare\s+you\s+(?:home\s+)?alone\b",
    ),
    _rule(
        "supervision_check",
        0.35,
        "parents darons daronnes rents vieux mere pere maman papa daronne daron mom dad parent",
        r"\b(?:tes|ta|ton|tn|your)\s+" + _PARENTS + r"\b.{0,25}\b(?:la|rentres?|rentrent|rentre"
        r"|rentrees?|partis?|quand|parties?|absente?s?|au\s+travail|regardent|surveillent|lisent|checkent|fouillent|controlent"
        r"|dorment|home|around)\b",
    ),
    _rule(
        "isolation",
        0.45,
        "comprend comprennent dorment partent chambre porte",
        r"\bpersonne\s+(?:ne\s+)?(?:te\s+)?comprend\b.{0,20}\bcomme\s+moi\b"
        r"|\b(?:tes\s+parents|ils|elles)\s+(?:ne\s+)?(?:te\s+)?comprennent\s+(?:pas|rien)\b"
        r"|\bquand\s+(?:tes\s+parents|ta\s+mere|ton\s+pere)\s+(?:dorment|sont\s+pas\s+la|partent)\b"
        r"|\b" + _YOU_ARE + r"\s+dans\s+ta\s+chambre\b|\bferme\s+(?:ta|la)\s+porte\b",
    ),
    # Secrecy.
    _rule(
        "secrecy",
        0.6,
        "secret entre garde gardes gardez",
        r"\bnotre\s+(?:petit\s+)?secret\b|\b(?:ca\s+reste|que|juste|reste)\s+entre\s+nous\b"
        r"|\bour\s+(?:little\s+)?secret\b|\bgarde[sz]?\s+(?:le|ca)\s+pour\s+toi\b",
    ),
    _rule(
        "secrecy",
        0.6,
        "dis dit di raconte racontes parle parles montre montres tell",
        r"\b(?:dis|dit|di|raconte|racontes|parle|parles|montre|montres)\b(?:[\s\-]+(?:le|la|les|lui"
        r"|leur|en|ca|surtout|bien|ni))*[\s\-]+(?:rien|pas|jamais)\b.{0,14}\b(?:a|aux?|avec)\s+(?:personne|tes|ta|ton"
        r"|tn)\b|\b(?:dis|dit|raconte|parle)\b(?:[\s\-]+(?:le|la|les|lui|leur|en|ca|surtout))*[\s\-]+(?:a|avec)"
        r"\s+personne\b|\bdon'?t\s+tell\s+(?:anyone|your)\b",
    ),
    _rule(
        "secrecy",
        0.6,
        "sache sachent sachient savoir",
        r"\b(?:faut\s+pas|faudrait\s+pas|il\s+ne\s+faut\s+pas)\s+que\s+(?:tes|ta|ton|personne)\b"
        r".{0,25}\bsach|\bpersonne\s+(?:ne\s+)?doit\s+(?:le\s+|nous\s+)?savoir\b"
        r"|\bque\s+(?:tes\s+parents|personne)\s+(?:ne\s+)?(?:le\s+)?sache",
    ),
    _rule(
        "secrecy",
        0.5,
        "efface effaces supprime supprimes suppr delete",
        r"\b(?:efface|effaces|supprime|supprimes|suppr|delete)\b(?!\s+pas\b).{0,15}\b(?:messages?|msgs?|conv"
        r"|conversation|discussion|historique|nos\s+echanges)\b",
    ),
    # Moving to another app or to a phone.
    _rule(
        "platform_move",
        0.3,
        "snap snapchat snp insta instagram ig telegram telegramme tlg tg whatsapp whatsap watsap wtsp wsp "
        "kik wickr discord skype facetime signal messenger viber threema line wechat 👻",
        r"\b" + _PLATFORM + r"(?:\b|(?=\s|$))", _PROPOSAL_CUES,
    ),
    _rule(
        "platform_move",
        0.35,
        "num numero tel telephone phone number 06 07 portable ailleurs prive app",
        r"\b(?:ton|tn|your)\s+(?:num|numero|tel|telephone|phone|number|06|07|portable)\b"
        r"|\b(?:on\s+(?:continue|se\s+parle|parle)|viens)\s+(?:ailleurs"
        r"|en\s+prive|sur\s+une\s+autre\s+app)\b",
    ),
    _rule(
        "platform_move",
        0.35,
        "",
        r"0[67](?:[\s.\-]?\d{2}){4}\b",
    ),
    # Photos, webcam.
    _rule(
        "photo_request",
        0.35,
        "photo photos foto fotos tof tofs toff toffs pic pics pik picture selfie selfies video videos vid "
        "vids montre montres montrez montrer cam camera webcam facecam send",
        r"\b" + _PHOTO + r"\s+(?:de\s+toi|of\s+you|de\s+ton\s+(?:corps|visage|ventre)"
        r"|de\s+tes\s+(?:pieds|jambes))\b|\bmontre[sz]?[\s\-]*(?:moi|toi)\b"
        r"|\b(?:allume|active|mets|met)\s+(?:ta\s+)?(?:cam|camera|webcam|facecam)\b"
        r"|\bsend\s+(?:me\s+)?(?:a\s+)?(?:pic|pics|photo|selfie)\b",
    ),
    _rule(
        "photo_request",
        1.0,
        "photo photos foto fotos tof tofs toff toffs pic pics pik picture selfie selfies video videos vid "
        "vids nude nudes",
        r"\bnudes?\b|\b" + _PHOTO + r"\b.{0,25}\b(?:nue?s?|sexy|coquine?s?|hot"
        r"|en\s+(?:maillot|sous[\s\-]?vetements?|culotte|string|soutif|soutien[\s\-]?gorge|petite\s+tenue|calecon"
        r"|boxer)|sans\s+(?:rien|habits|vetements|haut|t[\s\-]?shirt|culotte))\b",
    ),
    # Sexual talk to a (possibly) young person.
    _rule(
        "sexual_talk",
        0.7,
        "vierge virgin amour couche rapport rapports culotte sous soutif string coquin coquine excite "
        "excitee sexe sexy corps seins fesses formes lit horny regles poitrine masturbe masturbes "
        "masturber masturbation branle branles branler",
        r"\b" + _YOU_ARE + r"\s+(?:encore\s+)?vierge\b|\bare\s+you\s+(?:a\s+)?virgin\b"
        r"|\b(?:deja|jamais)\s+(?:fait\s+l'?\s*amour|couche|eu\s+(?:de\s+)?rapports?)\b"
        r"|\b(?:tu\s+portes|t'?\s*portes|quelle)\s+(?:quoi\s+)?(?:comme\s+)?(?:culotte|sous[\s\-]?vetements?"
        r"|soutif|string)\b|\bcoquine?\b|\bexcitee?\b|\bsexe\b|\bsexy\b|\bton\s+corps\b"
        r"|\b(?:tes|t)\s+(?:seins|fesses|formes)\b|\bdans\s+(?:mon|ton)\s+lit\b|\bhorny\b"
        r"|\b" + _YOU_HAVE + r"\s+(?:deja\s+)?(?:tes|des)\s+regles\b"
        r"|\b" + _YOU_HAVE + r"\s+(?:de\s+la\s+)?poitrine\b"
        r"|\bmasturb|\bbranle",
    ),
    _rule(
        "sexual_talk",
        0.35,
        "deja calin calins",
        r"\b" + _YOU_HAVE + r"\s+deja\s+(?:embrasse|eu\s+(?:un|une)\s+(?:copain|copine|mec"
        r"|keum|relation))\b|\b(?:petit\s+)?calins?\b",
    ),
    # Gifts and money.
    _rule(
        "gift_money",
        0.45,
        "virement paysafe paysafecard neosurf pcs recharge robux v vbucks bucks carte gift giftcard code "
        "cadeau argent € euro euros balles",
        r"\bvirement\b|\bpaysafe(?:card)?\b|\bneosurf\b|\bpcs\b|\brecharge\b|\brobux\b"
        r"|\bv[\s\-]?bucks\b|\bcarte\s+cadeau\b|\bgift\s*card\b|\bcode\s+(?:psn|xbox|steam|google\s+play|itunes"
        r"|amazon)\b|\bcadeau\s+si\b|\bargent\s+de\s+poche\b|\b\d+\s*(?:€|euros?|balles)\s+si\b",
    ),
    _rule(
        "gift_money",
        0.45,
        "offre offrirai paie paye payerai donne donnerai achete acheterai envoie envoies",
        r"\bje\s+(?:te\s+|t'?\s*)(?:offre|offrirai|paie|paye|payerai|donne|donnerai|achete"
        r"|acheterai|envoie|envoies)\b.{0,25}(?:\b(?:euros?|balles|argent|thunes|cadeau|robux|skins?|forfait"
        r"|telephone|iphone|sac|habits|vetements|maquillage|parfum|recharge|\d+)\b|€)",
    ),
    _rule(
        "gift_money",
        0.45,
        "offre paie paye donne achete envoie",
        r"\bsi\s+tu\b.{0,40}\bje\s+(?:te\s+|t'?\s*)(?:donne|paie|paye|offre|envoie|achete)\b",
    ),
    # Meeting and location.
    _rule(
        "meeting",
        0.4,
        _MEET_GATE,
        _MEET,
    ),
    _rule(
        "location_question",
        0.15,
        "habites vis ou ville live from",
        r"\b(?:t'?\s*habites|tu\s+habites|tu\s+vis|t'?\s*vis|tu\s+es\s+d'?\s*ou"
        r"|t'?\s*es\s+d'?\s*ou|tes\s+d'?\s*ou|t'?\s*es\s+ou|tes\s+ou|t\s+ou|t'?\s*es\s+de\s+quelle\s+ville"
        r"|where\s+do\s+you\s+live|where\s+are\s+you\s+from)\b",
    ),
    _rule(
        "location_question",
        0.3,
        "adresse address postal quartier college lycee ecole school",
        r"\b(?:ton|tn|your)\s+(?:adresse|address|code\s+postal|quartier|college"
        r"|lycee|ecole|school)\b|\b(?:quel|kel)\s+(?:college|lycee|ecole)\b",
    ),
    # Second readings of the steps above, as people actually phrase them.
    _rule(
        "age_question",
        0.2,
        "college lycee 4e 5e 6e 3e 4eme 5eme 3eme 6eme seconde premiere",
        r"\b(?:college|lycee)\s+ou\s+(?:au\s+)?(?:college|lycee)\b"
        r"|\b" + _YOU_ARE + r"\s+en\s+(?:6e|5e|4e|3e|6eme|5eme|4eme|3eme|seconde|premiere)\b.{0,8}\?",
    ),
    _rule(
        "flattery",
        0.3,
        "dois doit",
        r"\btu\s+dois\s+etre\s+(?:(?:tres|trop|super|vraiment)\s+)?(?:belle|jolie|mignonne|sportive|mature"
        r"|grande|canon|sexy)\b",
    ),
    _rule(
        "secrecy",
        0.6,
        "entre savoir truc tomber decouvrir",
        r"\b(?:garde|gardes|gardons|garder|reste|restera|restent)\b.{0,30}\bentre\s+nous\b"
        r"|\bpersonne\s+(?:n'?\s*)?a\s+besoin\s+de\s+(?:le\s+)?savoir\b"
        r"|\bnotre\s+(?:petit\s+)?truc\s+a\s+nous\b|\bc'?\s*est\s+notre\s+(?:petit\s+)?truc\b"
    ),
    _rule(
        "supervision_check",
        0.35,
        "tomber decouvrir lire",
        r"\b(?:ta|ton|tes)\s+" + _PARENTS + r"\b.{0,25}\b(?:tomber\s+dessus|decouvrir|lire\s+(?:ca|nos))\b",
    ),
    _rule(
        "secrecy",
        0.5,
        "parle parles",
        r"\b(?:t'?\s*|n'?\s*)en\s+parles?\s+(?:pas|a\s+personne)\b",
    ),
    _rule(
        "isolation",
        0.45,
        "comprennent comprend",
        r"\b(?:tes\s+(?:potes|parents|amis|copines|copains|darons)|ils|elles|personne)\b.{0,15}"
        r"\bcomprenn?ent?\s+pas\b.{0,15}\bcomme\s+moi\b",
    ),
    _rule(
        "trust",
        0.2,
        "toi juge",
        r"\bje\s+suis\s+(?:toujours\s+)?la\s+pour\s+toi\b|\bje\s+te\s+juge\s+pas\b",
    ),
    _rule(
        "photo_request",
        0.35,
        "visio facetime video cam",
        r"\b(?:visio|facetime|appel\s+video|en\s+cam|avec\s+(?:ta\s+)?cam)\b",
    ),
    _rule(
        "gift_money",
        0.45,
        "photo photos seance job",
        r"\b\d+\s*(?:€|e|euros?)\s+(?:la|par)\s+(?:seance|photo|heure)\b"
        r"|\b(?:job|boulot)\b.{0,40}\bphotos?\b",
    ),
    _rule(
        "age_dismissal",
        0.5,
        "age chiffre nombre",
        r"\bc'?\s*est\s+rien\s+l'?\s*age\b|\bl'?\s*age\s+(?:c'?\s*est|c)\s+(?:rien|qu'?\s*un\s+(?:chiffre|nombre))\b"
        r"|\bl'?\s*age\s+(?:on\s+s'?\s*en\s+fout|compte\s+pas|importe\s+peu)\b|\bage\s+is\s+just\s+a\s+number\b",
    ),
    _rule(
        "isolation",
        0.6,
        "chambre porte",
        r"\bdans\s+ta\s+chambre\b.{0,30}\bporte\b|\bferme\s+(?:ta|la)\s+porte\b",
    ),
    _rule("isolation", 0.35, "chambre", r"\bdans\s+ta\s+chambre\b"),
    _rule(
        "photo_request",
        0.35,
        "photo photos pic pics tof tofs",
        r"\b(?:tu\s+m'?\s*envoies|envoie[sz]?(?:[\s\-]*moi)?|tu\s+me\s+montres|il\s+me\s+faut)\s+"
        r"(?:la|ta|une|des|tes|quelques)\s+(?:photos?|pics?|tofs?)\b"
        r"(?!\s+(?:de|du|des)\s+(?:ton|ta|tes|la|le|les|l'|ce|cette|ces|mon|ma|mes)\b)",
    ),
    _rule(
        "sexual_talk",
        0.6,
        "sous culotte string maillot corps apprendre",
        r"\ben\s+(?:sous[\s\-]?vetements?|culotte|string|maillot\s+de\s+bain|petite\s+tenue)\b"
        r"|\b(?:sur|de)\s+(?:ton|son)\s+corps\b|\bje\s+(?:peux|vais)\s+t'?\s*apprendre\s+(?:des|plein\s+de)\s+"
        r"(?:trucs|choses)\b",
    ),
    _rule(
        "photo_request",
        1.0,
        "maillot sous culotte string",
        r"\benvoie\b.{0,20}\ben\s+(?:maillot|sous[\s\-]?vetements?|culotte|string)\b",
    ),
    _rule(
        "gift_money",
        0.45,
        "offrir payer acheter achete offre paye paie",
        r"\bje\s+(?:peux\s+|vais\s+)?(?:te|t')\s*(?:offrir|payer|acheter)\b"
        r"|\bje\s+te\s+(?:les?|la)\s+(?:achete|offre|paye|paie)\b"
        r"|\bje\s+te\s+(?:paye|paie|offre)\s+(?:le|la|les|un|une|ton|ta|tes)\b",
    ),
    _rule(
        "pressure",
        0.45,
        "decois decu decue fais fait amis proches aimais sinon",
        r"\btu\s+me\s+(?:decois|decoit)\b|\bapres\s+tout\s+ce\s+que\s+je\s+(?:fais|fait|ai\s+fait)\s+pour\s+toi\b"
        r"|\bje\s+croyais\s+qu'?\s*on\s+etait\s+(?:amis|proches|potes)\b|\bsi\s+tu\s+m'?\s*aimais\b"
        r"|\bsinon\s+je\s+(?:montre|envoie|publie|dis|balance)\b",
    ),
    _rule(
        "location_question",
        0.3,
        "heure sortie",
        r"\ba\s+quelle\s+heure\b.{0,25}\b(?:college|lycee|ecole|cours)\b|\bsortie\s+du\s+(?:college|lycee)\b",
    ),
)  # fmt: skip

_AMBUSH_RULES: tuple[Rule, ...] = (
    _rule(
        "dating_pretext",
        0.25,
        "gay gai bi pd homo passif actif curieux discret plan cherche hbm mec",
        r"\b" + _YOU_ARE + r"\s+(?:vraiment\s+)?(?:gay|gai|bi|pd|homo|passif|actif"
        r"|hetero\s+curieux|curieux|discret)\b|\bplan\s+(?:cul|q|ql|d'un\s+soir|chaud|discret)\b"
        r"|\bje\s+cherche\s+(?:un|une|du)\s+(?:mec|homme|gars|keum|femme|fille|meuf|plan|rencontre|plaisir|sexe"
        r"|date)\b|\bhbm\b|\bmec\s+(?:discret|pour\s+plan)\b",
    ),
    _rule(
        "come_alone",
        0.35,
        "seul alone personne potes pote amis ami",
        r"(?<!je\s)\b(?:viens|vien|venez|sois|soit|faut\s+que\s+tu\s+viennes|tu\s+dois\s+venir"
        r"|tu\s+viendras|ramene\s+personne)\s+(?:tout\s+)?seul\b(?!\s*ou\b)|\b(?:personne|pas\s+de\s+potes?"
        r"|pas\s+d'?\s*(?:amis?|potes?))\s+avec\s+toi\b|\bdis\s+(?:a\s+)?personne\s+(?:ou|que)\s+tu\s+(?:vas|viens)\b"
        r"|\bviens?\s+sans\s+(?:tes\s+)?(?:potes|amis|personne)\b|\bcome\s+alone\b",
    ),
    _rule(
        "isolated_place",
        0.35,
        "parking sous terrain chantier friche entrepot hangar usine bois foret pont escalier escaliers "
        "hall cave caves poubelle parc impasse ruelle voie derriere cite quartier",
        r"\b(?:parking|sous[\s\-]?sol|terrain\s+vague|chantier|friche|entrepot|hangar"
        r"|usine|dans\s+les\s+bois|dans\s+la\s+foret|sous\s+le\s+pont|cage\s+d'?\s*escaliers?"
        r"|hall\s+(?:du|de|d'|\d)|la\s+cave|les\s+caves|local\s+poubelle|au\s+fond\s+du\s+parc|impasse|ruelle"
        r"|voie\s+ferree|derriere\s+(?:le|la|les|l')\s*(?:gare|gymnase|stade|batiment|bat|immeuble|lycee|college"
        r"|centre|magasin|supermarche|eglise|parc|cite)|dans\s+la\s+cite|au\s+quartier)\b",
    ),
    _rule(
        "address",
        0.2,
        "rue avenue av bd boulevard allee impasse chemin place route quai",
        r"\b\d{1,3}\s*(?:bis\s+|ter\s+)?(?:rue|avenue|av|bd|boulevard|allee|impasse|chemin|place"
        r"|route|quai)\b",
    ),
    _rule(
        "prove_orientation",
        0.6,
        "prouve prouves prouver montre confirme vrai prove",
        r"\b(?:prouve|prouves|prouver|montre|confirme)\b.{0,15}\b(?:que\s+)?" + _YOU_ARE
        + r"\s+(?:vraiment\s+)?(?:un\s+|une\s+)?(?:vraie?\s+)?(?:gay|pd|homo|bi|trans|passif|tapette)\b"
        r"|\b" + _YOU_ARE + r"\s+(?:un\s+)?vrai\s+(?:pd|gay|homo)\b|\bprove\s+(?:you'?\s*re|ur)\s+gay\b",
    ),
    _rule(
        "bring_valuables",
        0.35,
        "ramene ramenes prends prend apporte avec",
        r"\b(?:ramene|ramenes|prends|prend|apporte|viens\s+avec)\s+(?:du|de\s+l'|ton|ta"
        r"|tes|des)\s*(?:liquide|cash|argent|thunes|tune|oseille|billets|carte\s+bleue|cb|telephone|tel|iphone"
        r"|montre|cles?)\b",
    ),
    _rule(
        "meeting",
        0.4,
        _MEET_GATE,
        _MEET,
    ),
    _rule(
        "dating_pretext",
        0.25,
        "gosse mignon dispo discret bouges pd gay",
        r"\bbeau\s+gosse\b|\bt'?\s*as\s+l'?\s*air\s+mignon\b|\bje\s+suis\s+dispo\b|\bdiscret\b|\btu\s+bouges\b"
        r"|\b" + _YOU_ARE + r"\s+bien\s+(?:pd|gay)\b",
    ),
    _rule(
        "come_alone",
        0.35,
        "seul seule personne",
        r"(?<!je\s)\bviens\b.{0,40}\bseule?\b|,\s*seule?\s*,|\btu\s+vis\s+seule?\b|\bpersonne\s+(?:ne\s+)?nous\s+derangera\b"
        r"|\bdis\s+a\s+personne\s+ou\s+tu\s+vas\b",
    ),
    _rule(
        "isolated_place",
        0.35,
        "bois foret tranquille halage lumiere lac industrielle",
        r"\b(?:au|le|du)\s+bois\b|\ben\s+foret\b|\bcoin\s+tranquille\b|\bchemin\s+de\s+halage\b"
        r"|\bpas\s+de\s+lumiere\b|\bau\s+(?:bord\s+du\s+)?lac\b|\bzone\s+industrielle\b",
    ),
    _rule("address", 0.2, "adresse", r"\bdonne[\s\-]*(?:moi\s+)?(?:l'?\s*|ton\s+|ta\s+)adresse\b"),
    _rule(
        "no_phone",
        0.35,
        "tel telephone portable",
        r"\blaisse\s+ton\s+(?:tel|telephone|portable)\b|\bpas\s+de\s+(?:tel|telephone|portable)\b"
        r"|\bsans\s+(?:ton\s+)?(?:tel|telephone|portable)\b",
    ),
    _rule(
        "refuses_public",
        0.35,
        "bar cafe monde rien peur",
        r"\bpas\s+de\s+(?:bar|cafe|resto)\b|\btrop\s+de\s+monde\b|\b(?:la[\s\-]?bas|ici)\s+ou\s+rien\b"
        r"|\bt'?\s*as\s+peur\s+ou\s+quoi\b",
    ),
    _rule("late_night", 0.2, "minuit #digit", r"\bminuit\b|\b(?:2[2-3]|[0-4])\s*h\s*\d{0,2}\b"),
)  # fmt: skip

_DRUG_RULES: tuple[Rule, ...] = (
    _rule(
        "drug_product",
        0.45,
        "beuh weed shit hash haschich haschisch cannabis resine pollen frappe filtre amnesia sativa "
        "indica coke cocaine mdma md ecsta ecstasy xtc keta ketamine 3mmc 4mmc lsd buvard buvards "
        "champi champis crack heroine hero speed meth ghb tusi lean codeine bedo weedo pilule pilules 🍃 ❄ "
        "💊 🍄 🌿 🍫",
        r"\b(?:beuh|weed|shit|hash|haschi(?:s)?ch|cannabis|resine|pollen|frappe|filtre"
        r"|amnesia|sativa|indica|coke|cocaine|mdma|md|ecsta|ecstasy|xtc|keta|ketamine|3mmc|3-mmc|4mmc|lsd"
        r"|buvards?|champis?|crack|heroine|hero|speed|meth|ghb|tusi|lean|codeine|bedo|weedo|pilules?)\b"
        r"|🍃|❄|💊|🍄|🌿|🍫",
    ),
    _rule(
        "drug_price",
        0.45,
        "#digit € menu carte prix tarif tarifs g gramme barrette pochon plaquette",
        r"\b\d+\s*(?:€|e|eur|euros?|balles|boules|bal)(?:\b|(?=\s|$))|€\s*\d+"
        r"|\b\d+(?:[.,]\d+)?\s*(?:g|gr|grammes?|kg|barrettes?|pochons?|plaquettes?|pills?|cachets?|buvards?)\b"
        r"|\b(?:le|la|un|une)\s+(?:g|gramme|barrette|pochon|plaquette)\b|\b(?:menu|carte)\b.{0,20}\b(?:dispo"
        r"|snap|tg|telegram|complet|du\s+jour)\b|\bprix\b|\btarifs?\b",
    ),
    _rule(
        "drug_meetup",
        0.35,
        _MEET_GATE,
        _MEET,
    ),
    _rule(
        "drug_meetup",
        0.35,
        "livraison livre livrer livreur descends bas sortie four point terrain hall deplace deplacement "
        "drive",
        r"\b(?:livraison|livre|livrer|livreur|je\s+descends|en\s+bas\s+de\s+(?:chez|la|ton)"
        r"|sortie\s+(?:du\s+)?metro|au\s+(?:four|point|terrain|hall)|je\s+me\s+deplace|deplacement|drive)\b",
    ),
    _rule(
        "drug_product",
        0.45,
        "jaune verte taz frappe coke",
        r"\b(?:jaune|verte)\b.{0,20}\b(?:pochon|g|gramme|barrette|le|la|\d+)\b|\btaz\b|\bc\s*o\s*k\s*e\b",
    ),
    _rule(
        "drug_price",
        0.45,
        "combien #digit",
        r"\bcombien\b|\b\d+\s+(?:les|pour)\s+(?:\d+|toi)\b|\b(?:a|pour)\s+\d{1,3}\b(?!\s*(?:h|ans?|min|km|m)\b)",
    ),
    _rule(
        "drug_product",
        0.45,
        "pochon pochons barrette barrettes plaquette plaquettes boulette g gramme",
        r"\b(?:pochons?|barrettes?|plaquettes?|boulettes?)\b|\b\d+\s*(?:€|e|euros?|balles)?\s*le\s+(?:g|gramme)\b",
    ),
    _rule(
        "drug_meetup",
        0.35,
        "livres scooter poste enveloppe envoi angle devant parc square parking sortie adresse #digit",
        r"\b(?:tu\s+livres|scooter|par\s+la\s+poste|enveloppe|frais\s+d'?\s*envoi|angle\s+de|devant\s+(?:le|la|l')"
        r"|au\s+(?:parc|square)|parking|sortie\s+\d|donne[\s\-]*moi\s+une\s+adresse|a\s+\d{1,2}\s*h\d{0,2})\b",
    ),
)  # fmt: skip

# --- broader readings, matched above all in the canonical form (see `canonical`) ---------------
# The canonical form spells SMS words out ("kel" -> "quel", "tof" -> "photo", "jte" -> "je te"),
# splits elisions ("t'as" -> "t as") and joins the classes below, so one pattern covers many spellings.

_YOU_ARE2 = r"(?:t\s+es|tu\s+es|tes|t\s+est|t|vous\s+etes|you\s+re|u\s+r|ur|are\s+you|r\s+u|u\s+are)"
_YOU_HAVE2 = r"(?:t\s+as|tu\s+as|ta|tas|t\s+a|as\s+tu|t\s+aurais|tu\s+aurais|got|do\s+you\s+have|u\s+have)"
_INTENS = (
    r"(?:(?:trop|tellement|vraiment|super|tres|si|grave|hyper|vachement|carrement|aussi|so|really|too)\s+)*"
)
_PRETTY = (
    r"(?:belle|jolie|mignonne|canon|magnifique|sublime|bonne|craquante|charmante|sexy|adorable|parfaite"
    r"|ravissante|pretty|beautiful|cute|gorgeous|hot|choupette|bombe|fraiche|belle\s+gosse)"
)
_SCHOOL = (
    r"(?:college|lycee|primaire|ecole|cm1|cm2|6e|5e|4e|3e|6eme|5eme|4eme|3eme|seconde|premiere|terminale"
    r"|sixieme|cinquieme|quatrieme|troisieme|school|middle\s+school|high\s+school)"
)
_APP = (
    r"(?:snap|insta|tiktok|telegram|whatsapp|discord|kik|skype|facetime|signal|messenger|wickr|viber|ig|tg|wsp"
    r"|wtsp|dc|telegramme|threema|session)"
)
_APP_GATE = (
    "snap insta tiktok telegram whatsapp discord kik skype facetime signal messenger wickr viber "
    "ig tg wsp wtsp dc"
)
_PIC = r"(?:photo|photos|video|videos|selfie|selfies|pic|pics|nude|nudes)"
_PIC_GATE = "photo photos video videos selfie selfies pic pics"
_GIFT = (
    r"(?:robux|vbucks|v\s+bucks|gemmes|gems|skins?|paysafecard|paysafe|neosurf|recharge|forfait|cadeaux?|argent"
    r"|sous|thunes|euros?|balles|\d+\s*(?:e|euros?|balles)|carte\s+cadeau|airpods|iphone|telephone|palette"
    r"|maquillage|parfum|sac|mcdo|pass\s+de\s+combat|abonnement|credits?)"
)
_GIFT_GATE = (
    "robux vbucks bucks gemmes gems skin skins paysafecard paysafe neosurf recharge forfait cadeau cadeaux "
    "argent sous thunes euro euros balles carte airpods iphone telephone palette maquillage parfum sac mcdo "
    "pass abonnement credit credits #digit"
)
_GIVE = (
    r"(?:je\s+(?:te|t)\s+(?:paye|paie|offre|donne|file|envoie|achete|fais|passe|payerai|offrirai|donnerai)"
    r"|je\s+(?:peux|vais|pourrais)\s+(?:te|t)\s+(?:en\s+)?(?:payer|offrir|donner|filer|envoyer|acheter|passer|faire)"
    r"|je\s+(?:te|t)\s+(?:en|les|la|le)\s+(?:paye|paie|offre|donne|file|envoie|achete|passe))"
)

_GROOMING_BROAD: tuple[Rule, ...] = (
    # Age and school-year questions, however spelled.
    _rule(
        "age_question",
        0.2,
        "age asv asl old classe niveau etudes annee /",
        r"\b(?:quel|quelle)\s+age\b|\bton\s+age\b|\bage\s*\?|\b(?:asv|asl)\b|\ba\s*/\s*s\s*/\s*[vl]\b|\bhow\s+old\b"
        r"|\b(?:quelle|en\s+quelle)\s+(?:classe|annee)\b|\bquel\s+niveau\b|\bcomme\s+etudes\b",
    ),
    _rule(
        "age_question",
        0.2,
        "college lycee primaire ecole cm1 cm2 6e 5e 4e 3e 6eme 5eme 4eme 3eme seconde premiere terminale "
        "sixieme cinquieme quatrieme troisieme school majeur majeure mineur mineure",
        r"\b" + _YOU_ARE2 + r"\s+(?:encore\s+|toujours\s+)?(?:au|a\s+la|a\s+l|en|in)\s+" + _SCHOOL + r"\b"
        r"|\b" + _YOU_ARE2 + r"\s+(?:majeure?|mineure?)\b",
    ),
    _rule("age_question", 0.2, "#digit", r"\b" + _YOU_HAVE2 + r"\s+(?:quoi\s+)?\d{1,2}\s*(?:ans?)?\s*\?"),
    _rule("age_question", 0.1, "qui", r"^\s*(?:t|tu\s+es|t\s+es)\s+qui\b"),
    # Flattery: looks, "mature for your age", "not like the others".
    _rule(
        "flattery",
        0.25,
        "belle jolie mignonne canon magnifique sublime bonne craquante charmante sexy adorable parfaite "
        "ravissante pretty beautiful cute gorgeous hot choupette bombe fraiche cutie trouve",
        r"\b" + _YOU_ARE2 + r"\s+" + _INTENS + _PRETTY + r"\b"
        r"|\bje\s+(?:te\s+|t\s+)trouve\s+" + _INTENS + _PRETTY + r"\b"
        r"|^\s*(?:hey|salut|coucou|cc|bonjour|slt|yo)?\s*(?:ma\s+)?(?:belle|jolie|mignonne|cutie|beaute|princesse"
        r"|puce|cherie|choupette)\b",
    ),
    _rule(
        "flattery",
        0.45,
        "mature pour age ans",
        r"\b" + _INTENS + _PRETTY
        + r"\s+(?:pour|a)\s+(?:ton\s+age|\d{1,2}\s*ans?|une\s+(?:fille|meuf)\s+de)\b"
        r"|\bmature\b|\bpour\s+ton\s+age\b",
    ),
    _rule(
        "flattery",
        0.45,
        "autres differente different dirait older vieille vieux agee grande age",
        r"\bpas\s+comme\s+(?:les\s+)?autres\b|\bdifferente?\s+des\s+autres\b|\bon\s+dirait\s+(?:que\s+)?"
        + _YOU_HAVE2 + r"\s+\d{2}\b|\b(?:look|looks)\s+older\b"
        r"|\b(?:tu\s+fais|t\s+fais|tu\s+parais|" + _YOU_HAVE2 + r"\s+l\s+air)\s+"
        r"(?:(?:bien|vraiment|trop|tellement|beaucoup)\s+)?plus\s+(?:vieille|vieux|agee|grande"
        r"|mature|que\s+ton\s+age)\b|\btu\s+fais\s+pas\s+ton\s+age\b",
    ),
    # Trust.
    _rule(
        "trust",
        0.2,
        "inconnu confiance dire parler ami mal",
        r"\bje\s+suis\s+pas\s+(?:un\s+)?inconnu|\btu\s+peux\s+(?:tout\s+me\s+dire|me\s+parler\s+de\s+tout"
        r"|me\s+faire\s+confiance)|\bje\s+(?:te\s+)?(?:veux|ferai)\s+(?:que\s+du\s+bien|rien\s+de\s+mal)\b"
        r"|\brien\s+de\s+mal\b",
    ),
    # Isolation: alone, nobody around, "just you and me".
    _rule(
        "isolation",
        0.35,
        "seul seule seuls seules dors tranquille tranquilles moi derangera deux",
        r"\b" + _YOU_ARE2 + r"\s+(?:toute?\s+)?seule?s?\b(?!\s+(?:ou|avec|a\s+venir))"
        r"|\bquand\s+" + _YOU_ARE2 + r"\s+(?:toute?\s+)?seule?\b|\btu\s+dors\s+ou\b"
        r"|\bon\s+(?:est|sera|serait)\s+(?:plus\s+)?tranquilles?\b|\bjuste\s+toi\s+et\s+moi\b"
        r"|\brien\s+que\s+(?:nous\s+deux|toi\s+et\s+moi)\b|\bpersonne\s+(?:ne\s+)?nous\s+derangera\b"
        r"|\bla\s+bas\s+(?:c\s+est|on\s+est)\s+(?:plus\s+)?tranquilles?\b",
    ),
    _rule(
        "isolation",
        0.45,
        "seul seule",
        r"(?<!je\s)\b(?:viens|vien|venir|sors|sortir)\s+(?:toute?\s+)?seule?\b",
    ),
    _rule(
        "secrecy",
        0.5,
        "surveillent lisent lit modos moderateurs modere moderation",
        r"\b(?:ici|sur\s+ce\s+site|ce\s+site|les\s+modos|les\s+moderateurs)\b.{0,20}\b(?:surveillent|lisent|lit"
        r"|moderent|modere|modos|moderateurs|moderation)\b|\b(?:ils|on\s+nous)\s+surveill",
    ),
    _rule(
        "isolation",
        0.35,
        "gamins gamines bebes comprendraient comprennent comprendront",
        r"\btes\s+(?:potes|amis|copines|copains)\s+(?:c\s+est|sont)\s+(?:des\s+)?(?:gamins|gamines|bebes)\b"
        r"|\b(?:les\s+gens|ils|tes\s+parents|personne)\s+(?:ne\s+)?(?:comprendraient|comprennent|comprendront)"
        r"\s+(?:pas|rien|jamais)\b",
    ),
    # Who watches the child's phone, when the parents are away, or escaping moderation.
    _rule(
        "supervision_check",
        0.35,
        "parents darons mere pere maman papa freres soeurs frere soeur famille reviennent rentrent dorment "
        "surveillent lisent modos moderateurs tel telephone portable",
        r"\b(?:tes|ta|ton|vos|your)\s+" + _PARENTS
        + r"\b.{0,25}\b(?:reviennent|rentrent|rentre|reviens|revient|dorment|sont\s+la|est\s+la"
        r"|sont\s+pas\s+la|partent|bossent|travaillent|regardent|lisent|checkent"
        r"|fouillent|surveillent|controlent|voient)\b"
        r"|\b(?:tes|ta|ton)\s+(?:freres?|soeurs?|famille)\b.{0,25}\b(?:lire|lisent|voir|voient|regardent"
        r"|checkent|fouillent)\b|\b(?:lire|regarde|regardent|checke|checkent|fouillent)\s+ton\s+(?:tel"
        r"|telephone|portable)\b|\b(?:ils|les\s+modos|les\s+moderateurs)\s+(?:surveillent|lisent|regardent)\b",
    ),
    # Secrecy and lying to the parents.
    _rule(
        "secrecy",
        0.5,
        "dis dit di raconte parle dire montre",
        r"(?:^|[,.!?;]|\bet|\bmais|\bsurtout|\bok)\s*(?:ne\s+)?(?:le\s+|lui\s+|leur\s+|en\s+)?(?:dis|dit|di|raconte"
        r"|parle)\b(?:\s+(?:le|la|les|lui|leur|en|ca|surtout|bien))*\s+(?:rien|pas|jamais)\b"
        r"|\bfaut\s+pas\s+(?:le\s+)?(?:dire|en\s+parler|le\s+raconter)\b",
    ),
    _rule(
        "secrecy",
        0.6,
        "personne sache saura sauront verra saura voir savoir doit doivent voient",
        r"\bpersonne\s+(?:ne\s+)?(?:doit|dois|va|saura|sauras|verra|verras|sait|saura\s+rien)\b"
        r"|\b(?:faut|doivent|doit|faudrait)\s+pas\s+(?:qu\s+(?:ils|elles|il|elle|on)\s+|que\s+\w+\s+)?"
        r"(?:voir|savoir|sache|sachent|voient|lire|lisent|tomber)\b",
    ),
    _rule("secrecy", 0.5, "entre", r"\bentre\s+nous\b"),
    _rule("secrecy", 0.3, "chut", r"\bchut+\b"),
    _rule(
        "secrecy",
        0.5,
        "efface supprime",
        r"\b(?:efface|supprime)\b(?:\s+(?:bien|tout|les|la|nos|ces|mes|apres|stp))*\s*(?:messages|conversation"
        r"|photos?|apres|historique|tout)\b",
    ),
    _rule(
        "secrecy",
        0.6,
        "dis dit di diras leur",
        r"\b(?:(?:dis|dit|di)\s+(?:leur|a\s+tes\s+parents|a\s+ta\s+mere|a\s+ton\s+pere)|tu\s+leur\s+(?:dis|diras))"
        r"\s+que\s+tu\s+(?:vas|dors|es|seras|restes)\s+(?:chez|a|au|en)\b",
    ),
    # Moving to another app, account or phone.
    _rule(
        "platform_move",
        0.3,
        _APP_GATE + " compte autre",
        r"\b" + _YOU_HAVE2 + r"\s+(?:un\s+|une\s+)?" + _APP + r"\b"
        r"|\b" + _YOU_HAVE2 + r"\s+(?:un\s+)?autre\s+(?:compte|reseau)\b",
    ),
    _rule(
        "platform_move",
        0.35,
        "ailleurs prive mp dm bas ajoute ajouter add pseudo numero num tel",
        r"\bon\s+(?:se\s+)?(?:parle|continue|discute|ecrit|voit)\s+(?:ailleurs|en\s+prive|en\s+mp|la\s+bas)\b"
        r"|\b(?:viens|vien|passe)\s+(?:en\s+)?(?:prive|mp|dm)\b|\b(?:mp|dm)\s+moi\b|\bje\s+(?:te\s+|t\s+)ajoute\b"
        r"|\bajoute\s+moi\b|\b(?:c\s+est\s+quoi|donne|donnes|file|envoie)\s+(?:moi\s+)?ton\s+(?:pseudo|numero"
        r"|num|tel|snap|insta|whatsapp|tiktok|discord|telegram)\b|\bon\s+continue\s+la\s+bas\b",
    ),
    _rule(
        "platform_move",
        0.3,
        _APP_GATE,
        r"\b(?:sur|on|en|add\s+me\s+on|mp\s+moi\s+sur)\s+" + _APP + r"\b",
        r"\b(?:parle|parler|continue|discute|ajoute|add|passe|viens|vien|mp|ecris|rejoins|contacte|dispo|on\s+se"
        r"|plus\s+(?:prive|discret|tranquille)|je\s+t)\b",
    ),
    # Photos and camera, whatever the word for it.
    _rule(
        "photo_request",
        0.35,
        _PIC_GATE + " envoie send",
        r"\b(?:envoie|send|tu\s+m\s+envoie|tu\s+peux\s+m\s+envoyer|tu\s+me\s+montres|je\s+peux\s+voir"
        r"|montre\s+moi)\b(?:\s+(?:moi|me|une|un|des|1|quelques|ta|tes|la|les|d\s+autres|vite|stp|encore|pas))*\s+"
        + _PIC
        + r"\b(?!\s+(?:de|du|des)\s+(?:ton|ta|tes|la|le|les|l|ce|cette|ces|du|des|mon|ma|mes)\b)",
    ),
    _rule(
        "photo_request",
        0.35,
        "voir montre cam autres",
        r"\bfais\s+(?:moi\s+)?voir\b|\bmontre\s+toi\b|\b(?:allume|active|mets|met|ouvre)\s+(?:ta\s+|la\s+)?cam\b"
        r"|\b(?:avec|en)\s+(?:la\s+|ta\s+)?cam\b|\b(?:t\s+en\s+as|" + _YOU_HAVE2 + r")\s+d\s+autres\b"
        r"|\bmontre\s+moi\s+(?:ta|ton|tes)\s+(?:tete|visage|chambre|corps|tenue)\b|\bcam\s*\?",
    ),
    _rule(
        "photo_request",
        0.6,
        "pyjama tenue silhouette torse",
        r"\ben\s+(?:pyjama|tenue\s+de\s+sport|legging|brassiere|nuisette)\b|\bta\s+silhouette\b|\btorse\s+nu\b"
        r"|\bphoto\s+de\s+ta\s+tenue\b",
    ),
    # Sexual or intimate questions to a young person.
    _rule(
        "sexual_talk",
        1.0,
        "vierge virgin",
        r"\b" + _YOU_ARE2 + r"\s+(?:encore\s+|toujours\s+)?(?:vierge|virgin)\b",
    ),
    _rule(
        "sexual_talk",
        0.35,
        "copain copine mec keum vetement vetements dormir mets portes",
        r"\b" + _YOU_HAVE2
        + r"\s+(?:deja\s+)?(?:eu\s+)?(?:un|une)\s+(?:copain|copine|mec|keum|petit\s+copain)\b"
        r"|\btu\s+(?:mets|portes)\s+quoi\s+(?:comme\s+(?:vetements?|habits)|pour\s+dormir)\b",
    ),
    # Gifts and money, including "in exchange".
    _rule("gift_money", 0.45, _GIFT_GATE, r"\b" + _GIVE + r"\b.{0,25}\b" + _GIFT + r"\b"),
    _rule(
        "gift_money",
        0.45,
        "en",
        r"\bje\s+(?:peux|vais|pourrais)\s+t\s+en\s+(?:offrir|donner|filer|payer|acheter|envoyer)\b",
    ),
    _rule(
        "gift_money",
        0.35,
        "veux cadeau gagner",
        r"\b(?:tu\s+veux|t\s+veux|tu\s+veu|ca\s+te\s+dit)\s+(?:des|un|une|gagner)\s+(?:robux|vbucks|gemmes|cadeau"
        r"|skins?|sous|argent|recharge|thunes)\b|\bj\s+ai\s+un\s+cadeau\s+pour\s+toi\b",
    ),
    _rule("gift_money", 0.45, "echange", r"\ben\s+echange\b"),
    _rule(
        "gift_money", 0.35, "cadeau 🎁", r"\bavec\s+(?:un|des)\s+cadeaux?\b|🎁.{0,40}\b(?:si|pour\s+toi)\b"
    ),
    # Pressure, guilt and blackmail.
    _rule(
        "pressure",
        0.45,
        "timide prude demande sinon dis tout offert donne",
        r"\bfais\s+pas\s+(?:ta|ton|la|le)\s+(?:timide|prude|gamine?|bebe)\b|\bce\s+que\s+je\s+(?:te\s+)?demande\b"
        r"|\bje\s+(?:dis|dirai|montre|envoie|balance)\s+tout\b|\bapres\s+tout\s+ce\s+que\s+je\s+(?:t\s+ai|te)\b",
    ),
    _rule(
        "pressure",
        0.7,
        "sinon dis dirai montre montrerai envoie envoierai publie balance",
        r"\b(?:si\s+tu\b.{0,30}\bpas|sinon)\b.{0,20}\bje\s+(?:dis|dirai|montre|montrerai|envoie|publie|balance)"
        r"\b.{0,25}\b(?:tout|tes\s+parents|ta\s+mere|ton\s+pere|tes\s+potes|photos?|a\s+tout\s+le\s+monde)\b",
    ),
    # "Age is just a number".
    _rule(
        "age_dismissal",
        0.5,
        "age chiffre nombre grave",
        r"\bl\s+age\b.{0,20}\b(?:chiffre|nombre|compte\s+pas|importe|s\s+en\s+fout|rien)\b"
        r"|\bj\s+ai\s+\d{2}\s+ans?\b.{0,20}\bpas\s+grave\b",
    ),
    # Meeting, being picked up, where the child lives or studies.
    _rule(
        "meeting",
        0.4,
        "chez voiture passe attends cherche chercher",
        r"\b(?:venir|viens)\s+chez\s+moi\b|\bje\s+(?:viens|passe|peux\s+venir)\s+te\s+(?:chercher|prendre)\b"
        r"|\bje\s+(?:t\s+)?attends\s+(?:devant|a\s+la\s+sortie)\b|\ben\s+voiture\b",
    ),
    _rule(
        "location_question",
        0.3,
        "coin ville ecole college lycee sors sortie",
        r"\b" + _YOU_ARE2 + r"\s+de\s+quel(?:le)?\s+(?:coin|ville|quartier)\b|\bdans\s+quelle\s+ville\b"
        r"|\b(?:tu\s+vas|t\s+vas|" + _YOU_ARE2
        + r")\s+(?:ou|dans\s+quel(?:le)?)\s+(?:a\s+l\s*)?(?:ecole|college|lycee)\b"
        r"|\btu\s+sors\s+a\s+quelle\s+heure\b|\b" + _YOU_ARE2 + r"\s+dans\s+quel\s+(?:college|lycee"
        r"|ecole|bahut)\b",
    ),
)  # fmt: skip

_AMBUSH_BROAD: tuple[Rule, ...] = (
    _rule(
        "dating_pretext",
        0.25,
        "plan plais dispo discret discrete",
        r"\bplan\s+(?:ce\s+soir|cette\s+nuit|discret|rapide)\b|\btu\s+me\s+plais\b"
        r"|\b" + _YOU_ARE2 + r"\s+dispo\s+(?:ce\s+soir|cette\s+nuit)\b|\bplus\s+discret\b|\bdiscrete?\b",
    ),
    _rule(
        "meeting",
        0.4,
        "meet soir nuit rejoint viens",
        r"\bmeet\b|\b(?:ce\s+soir|cette\s+nuit|demain\s+soir)\b|\bviens\s+(?:au|a|dans|derriere|devant|chez)\b",
    ),
    _rule(
        "isolated_place",
        0.35,
        "voies voie ferrees chemin zone souterrain escalier square sous stade terrain",
        r"\bvoies?\s+ferrees?\b|\b(?:bout\s+du|le|du)\s+chemin\b|\bzone\s+(?:commerciale|industrielle|artisanale)\b"
        r"|\bsouterrain\b|\bescalier\s+[a-z0-9]\b|\bau\s+square\b|\bsous\s+sol\b|\bterrain\s+derriere\b",
    ),
    _rule("late_night", 0.2, "nuit mat matin", r"\bcette\s+nuit\b|\bdu\s+mat(?:in)?\b"),
    _rule(
        "prove_orientation",
        0.6,
        "prouve prouves montres montre genre vrai",
        r"\b(?:prouve|prouves|montres|montre)\s+(?:le|moi|que|le\s+moi)\b.{0,30}"
        r"|\b" + _YOU_ARE2 + r"\s+vraiment\s+(?:pd|gay|homo|bi)\s+ou\b",
        r"\b(?:pd|gay|homo|bi|gai|tapette|prouve|prouves)\b",
    ),
    _rule(
        "come_alone",
        0.35,
        "seul seule alone",
        r"(?<!je\s)\b(?:viens|come)\s+(?:tout\s+)?(?:seul|seule|alone)\b",
    ),
    _rule(
        "no_phone", 0.35, "tel telephone portable", r"\bsans\s+(?:ton\s+|ta\s+)?(?:tel|telephone|portable)\b"
    ),
)  # fmt: skip

_DRUG_BROAD: tuple[Rule, ...] = (
    _rule(
        "drug_product",
        0.45,
        "verte neige blanche jaune frappe 3m teuch teuchi teush pilon kush cali matos taz pill pills exta "
        "beuh weed shit coke keta md",
        r"\bde\s+la\s+(?:verte|neige|blanche|jaune|frappe|3m|bonne\s+(?:beuh|weed|frappe))\b"
        r"|\bdu\s+(?:teuch|teuchi|teush|shit|bedo|matos|pilon|kush|cali|hash)\b|\b(?:teuch|teuchi|teush"
        r"|pilon|kush)\b|\b(?:taz|pill|pills|exta)\b|\b(?:beuh|weed|shit|coke|keta|md)\s+dispo\b",
    ),
    _rule(
        "drug_price",
        0.45,
        "#digit combien prix",
        r"\b\d+\s+(?:la|le|les)\s+(?:\d+|g|barrette|pochon|pill|plaquette|gramme)\b|\bcombien\s+(?:la|le|l)\b"
        r"|\ble\s+prix\b",
    ),
    _rule(
        "drug_meetup",
        0.35,
        "livre livres livraison scoot descends passes passe viens contacte telegram snap",
        r"\bje\s+(?:livre|descends)\b|\btu\s+(?:livres|passes|viens)\b|\ben\s+scoot(?:er)?\b|\bpoint\s+de\s+rdv\b"
        r"|\b(?:contacte|ecris)\s+moi\s+sur\b|\bje\s+passe\b|\blivraison\b",
    ),
)  # fmt: skip


# --- the canonical form: SMS spellings and synonyms written out -------------------------------

# One token -> its usual spelling (or the word of its class, e.g. every word for a photo is "photo").
_CANON_WORDS: dict[str, str] = {
    # question words, adverbs, function words
    "kel": "quel", "kelle": "quelle", "kell": "quelle", "koi": "quoi", "kwa": "quoi", "ki": "qui",
    "ke": "que", "k": "que", "pk": "pourquoi", "pq": "pourquoi", "pourkoi": "pourquoi", "pcq": "parce que",
    "prcq": "parce que", "paske": "parce que", "psk": "parce que", "pr": "pour", "ds": "dans", "tro": "trop",
    "trp": "trop", "vrmt": "vraiment", "vraimen": "vraiment", "bcp": "beaucoup", "tjr": "toujours",
    "tjrs": "toujours", "tjs": "toujours", "mtn": "maintenant", "qq": "quelques", "qqs": "quelques",
    "qlq": "quelques", "slt": "salut", "cc": "coucou", "bjr": "bonjour", "svp": "stp",
    "srx": "serieux", "ct": "c etait", "cest": "c est", "ya": "il y a",
    "an": "ans", "a1": "ans", "jsp": "je sais pas", "chui": "je suis", "chuis": "je suis", "jsuis": "je suis",
    "jsui": "je suis", "jte": "je te", "jt": "je t", "jpeux": "je peux", "jpasse": "je passe",
    "jveux": "je veux", "jvais": "je vais", "jvai": "je vais", "jviens": "je viens", "jdois": "je dois",
    "jpense": "je pense", "tkt": "t inquiete", "inkiete": "inquiete",
    "fai": "fais", "veu": "veux", "lecole": "l ecole",
    "clg": "college", "bat": "batiment", "bahut": "college",
    # compliments
    "bel": "belle", "bele": "belle", "bell": "belle", "mignone": "mignonne", "minone": "mignonne",
    "jolis": "jolie", "bone": "bonne", "bg": "beau gosse", "cuty": "cute",
    # apps
    "snp": "snap", "snapchat": "snap", "sc": "snap", "👻": "snap", "instagram": "insta",
    "tik": "tiktok", "tlg": "telegram", "telegramme": "telegram", "whatsap": "whatsapp",
    "watsap": "whatsapp", "watsapp": "whatsapp", "wa": "whatsapp",
    "whats": "whatsapp", "wats": "whatsapp", "wtsp": "whatsapp","discorde": "discord",
    # photos and camera
    "tof": "photo", "toff": "photo", "tofs": "photos", "toffs": "photos", "foto": "photo", "fotos": "photos",
    "pik": "pic", "picture": "pic", "pictures": "pics", "pict": "pic", "vid": "video", "vids": "videos",
    "camera": "cam", "webcam": "cam", "facecam": "cam", "visio": "cam", "facetim": "facetime",
    "envoi": "envoie", "envois": "envoie", "envoye": "envoie", "envoies": "envoie", "envoit": "envoie",
    "nvoi": "envoie", "nvoie": "envoie", "montr": "montre",
    # messages and deleting
    "msg": "messages", "msgs": "messages", "mess": "messages", "message": "messages", "conv": "conversation",
    "convo": "conversation", "conversations": "conversation", "discu": "conversation",
    "discussion": "conversation", "echanges": "messages", "sms": "messages",
    "effaces": "efface", "effacer": "efface", "suppr": "supprime", "supprimes": "supprime",
    "supprimer": "supprime", "delete": "supprime",
    # family and phone
    "darons": "parents", "daronnes": "parents", "rents": "parents", "reum": "mere", "reup": "pere",
    "daronne": "mere", "daron": "pere", "num": "numero", "number": "numero",
    "telephone": "tel", "portable": "tel", "phone": "tel", "tele": "tel",
    # gifts
    "vbuck": "vbucks", "vbux": "vbucks", "robuxs": "robux", "psc": "paysafecard", "paysafcard": "paysafecard",
    "giftcard": "carte cadeau", "kdo": "cadeau", "kdos": "cadeaux",
    # meeting
    "rencard": "rdv", "rencart": "rdv",
}  # fmt: skip
# Elisions and hyphens split words; punctuation stands apart, so "tof?" reads as "photo ?".
_CANON_SPACING = str.maketrans(
    {"'": " ", "’": " ", "`": " ", "-": " ", "?": " ? ", "!": " ! ", ",": " , ", ".": " . ", ";": " ; ",
     ":": " : ", "(": " ( ", ")": " ) ", "/": " / "}
)  # fmt: skip


def canonical(folded: str) -> str:
    """A folded message with elisions split and SMS words spelled out, for the broad rules."""
    words = _CANON_WORDS
    return " ".join([words.get(word, word) for word in folded.translate(_CANON_SPACING).split()])


# News, prevention or police talk about drugs is not a deal.
_DRUG_NEWS = re.compile(
    r"\b(?:police|gendarmes?|gendarmerie|saisie?s?|saisi|reportage|article|documentaire|journal|prevention"
    r"|addiction|overdose|dangereu(?:x|se)|arretee?s?|interpellee?s?|proces|tribunal|condamnee?s?|douane"
    r"|legalis\w*|depenalis\w*|medecin|ordonnance|pharmacie|info\s+service|sevrage)\b"
)
_BARE_AGE_REPLY = re.compile(r"^\s*(\d{1,2})\s*(?:ans?|a)?\s*(?:(?:et|&)\s+(?:toi|vous|tu|t|u)\b.*|[^\w]*)$")
# An "asv" answer: "lea 13 paris", "14 f marseille", "15 ans pk" (never about someone else's child).
_ASV_REPLY = re.compile(
    r"^\s*(?:[a-z]+\s*,?\s+)?(\d{1,2})\s*(?:ans?|a|[fhmg]|yo)?\b(?!.*\b(?:il|elle|mon|ma|mes|son|sa|fils|fille)\b)"
    r"(?:[\s,./]+[a-z\-]+){0,3}[\s!?.]*$"
)
# The minor calls the adult "maman", "papa", "tata"...: family, not a stranger.
_FAMILY_ADDRESS = re.compile(
    r"\b(?:ok|oui|merci|d'?\s*accord|bisous|non|daccord|bonne\s+nuit|salut|coucou)\s+(?:maman|papa|tata|tonton"
    r"|mamie|papi|papy|mamy|parrain|marraine|mman|pap)\b"
)
# Brushing off the age the child just gave: "c'est pas grave", "et alors".
_AGE_BRUSH_OFF = re.compile(
    r"^\s*(?:(?:ah|oh|bah|mais|ok)\s*,?\s*)?(?:c'?\s*est\s+pas\s+grave|pas\s+grave|et\s+alors|osef|on\s+s'?\s*en"
    r"\s+fout|ca\s+change\s+rien|je\s+m'?\s*en\s+fous|l'?\s*age\s+compte\s+pas|tkt|t'?\s*inquiete)\b"
)
_ASKS_BACK = re.compile(r"^\s*\d{1,2}\s*(?:ans?)?\s*,?\s*(?:et|&)\s+(?:toi|vous|tu|t|u)\b")
FAMILY_FACTOR = 0.3  # once the child calls the adult "maman" or "tonton", grooming steps count this much
_REPEATED_LETTERS = re.compile(r"([a-z])\1{2,}")
_SPACED_LETTERS = re.compile(r"\b(?:[a-z0-9][\s.\-_*]){2,}[a-z0-9]\b")
_LETTERS_WITH_DIGITS = re.compile(r"\b(?=[a-z0-9@$]*[a-z])(?=[a-z0-9@$]*[0-9@$])[a-z0-9@$]+\b")
_LEET = str.maketrans("0134578@$", "oieastbas")


# --- normalisation: the shared normaliser when it exists, else a local fallback ---------------


@functools.cache
def _shared_normalize() -> Callable[[str], object] | None:
    try:
        module = importlib.import_module("papote.safety.normalize")
    except Exception:  # absent or broken: the local fallback keeps conversations scored
        return None
    function = getattr(module, "normalize", None)
    return function if callable(function) else None


def _local_evasion_fold(plain: str) -> str:
    """Undo "s n a p" and "s3cr3t" without touching real numbers such as "14 ans"."""
    joined = _SPACED_LETTERS.sub(lambda m: re.sub(r"[\s.\-_*]", "", m.group(0)), plain)
    return _LETTERS_WITH_DIGITS.sub(lambda m: m.group(0).translate(_LEET), joined)


def message_forms(text: str) -> tuple[str, ...]:
    """The forms a message is matched in: plain (digits kept), evasion-folded, and canonical (last).

    The canonical form is the de-leeted but not compacted text ("t'3s d'0u" -> "t es d ou") with SMS
    words spelled out; it is always the last form, the only one the broad rules read.
    """
    return _message_forms(text, plain_fold(text))


def _message_forms(text: str, folded_text: str) -> tuple[str, ...]:
    plain = _REPEATED_LETTERS.sub(r"\1", folded_text)
    repeated = plain != folded_text  # no run of three letters in the plain form: none in the others
    shared = _shared_normalize()
    other: str | None = None
    unleeted: str | None = None
    if shared is not None:
        # "compact" also undoes "s.n.a.p" and "s n a p"; the plain form still sees "ajoute-moi".
        normalized = shared(text)
        compact = getattr(normalized, "compact", None) or getattr(normalized, "folded", None)
        folded = getattr(normalized, "folded", None)
        other = compact if isinstance(compact, str) else None
        unleeted = folded if isinstance(folded, str) else None
    if other is None:
        other = unleeted = _local_evasion_fold(plain)
    elif repeated:
        other = _REPEATED_LETTERS.sub(r"\1", other)
    if unleeted is None or unleeted == folded_text:
        base = plain
    else:
        base = _REPEATED_LETTERS.sub(r"\1", unleeted) if repeated else unleeted
    forms = (plain,) if other == plain else (plain, other)
    return (*forms, canonical(base))


_TOKEN = re.compile(r"\w+|[^\w\s]")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class _Form:
    text: str
    tokens: frozenset[str]


def _form(text: str) -> _Form:
    tokens = set(_TOKEN.findall(text))
    if _DIGIT.search(text) is not None:
        tokens.add("#digit")
    return _Form(text, frozenset(tokens))


GROOMING, AMBUSH, DRUGS = 0, 1, 2  # the three families of steps, as indexes into `_hits` results


@dataclass(frozen=True)
class _RuleIndex:
    """Rules reachable from the words of a message, so a message costs O(its words)."""

    gates: frozenset[str]  # every gate word, intersected with a message's words at C speed
    by_token: dict[str, tuple[int, ...]]
    ungated: tuple[int, ...]
    rules: tuple[tuple[int, Rule], ...]  # (family, rule)


def _index(*families: tuple[int, tuple[Rule, ...]]) -> _RuleIndex:
    rules = tuple((family, rule) for family, members in families for rule in members)
    by_token: dict[str, list[int]] = {}
    for position, (_, rule) in enumerate(rules):
        for token in rule.gate:
            by_token.setdefault(token, []).append(position)
    ungated = tuple(position for position, (_, rule) in enumerate(rules) if not rule.gate)
    found = {token: tuple(positions) for token, positions in by_token.items()}
    return _RuleIndex(frozenset(found), found, ungated, rules)


def _match(index: _RuleIndex, form: _Form, found: tuple[dict[str, float], ...]) -> None:
    candidates = set(index.ungated)
    for token in index.gates & form.tokens:
        candidates.update(index.by_token[token])
    for position in candidates:
        family, rule = index.rules[position]
        hits = found[family]
        if rule.weight > hits.get(rule.step, 0.0) and all(p.search(form.text) for p in rule.patterns):
            hits[rule.step] = rule.weight


def _hits(forms: tuple[_Form, ...], canon: _Form) -> tuple[dict[str, float], ...]:
    """Per family, step -> the heaviest weight among the rules that match this message."""
    found: tuple[dict[str, float], ...] = ({}, {}, {})
    for form in forms:
        _match(_LITERAL, form, found)
    _match(_WIDE, canon, found)
    _match_cues(canon, found)
    return found


# The original rules read the plain and evasion-folded forms; the broad rules read the canonical form.
_LITERAL = _index((GROOMING, _GROOMING_RULES), (AMBUSH, _AMBUSH_RULES), (DRUGS, _DRUG_RULES))
_WIDE = _index((GROOMING, _GROOMING_BROAD), (AMBUSH, _AMBUSH_BROAD), (DRUGS, _DRUG_BROAD))

# --- cue families: order-free co-occurrence of words, for phrasings no regex above foresaw -------
# A cue fires when the canonical message holds one alternative of every group (in any order) and no
# veto. Alternatives are canonical words or phrases ("entre nous"); "#digit" and "#money" stand for
# any number and any amount of money. They catch "ca regarde que nous deux", "pas la peine de prevenir
# ta mere", "tu me fasses un petit selfie" without a regex per sentence; the age-pair factor and the
# combination of several steps still decide whether a conversation flags.


@dataclass(frozen=True)
class Cue:
    family: int
    step: str
    weight: float
    groups: tuple[frozenset[str], ...]  # each group: alternatives (words or phrases), one must occur
    veto: frozenset[str]


def _alternatives(text: str) -> frozenset[str]:
    return frozenset(" ".join(alt.split()) for alt in text.split("|") if alt.strip())


def _cue(family: int, step: str, weight: float, *groups: str, veto: str = "") -> Cue:
    return Cue(family, step, weight, tuple(_alternatives(group) for group in groups), _alternatives(veto))


_PARENT_WORDS = "parents|mere|pere|maman|papa|famille|frere|soeur|ils|elle"
_NO = "pas|jamais|rien|personne|inutile|pas la peine|pas besoin"
_PHOTO_THINGS = (
    "feuille|exercice|exo|redaction|devoir|devoirs|copie|coupe|velo|annonce|facture|chat|chien|menu|paysage"
    "|cours|tableau|plat|gateau|voiture|maillot de foot|match|concert|soiree|vacances|classe|sortie|recette"
)

_CUES: tuple[Cue, ...] = (
    # Grooming steps.
    _cue(
        GROOMING,
        "flattery",
        0.45,
        (
            "mature|posee|grande fille|en avance|parles comme|pour ton age|plus vieille|pas comme les autres"
            "|pas comme les filles|fais pas ton age|fais plus|grande pour|pas comme les meufs"
        ),
    ),
    _cue(
        GROOMING,
        "flattery",
        0.25,
        (
            "jolie|belle|mignonne|mignon|canon|chou|craquante|magnifique|sublime|bombe|princesse|poupee"
            "|ma puce|beaute|charmante|cute|pretty"
        ),
        "tu|t|toi|te|ta|ton|tes|es|ma|pour|comme",
        veto="trop belle !|belle journee|belle soiree",
    ),
    _cue(
        GROOMING,
        "isolation",
        0.35,
        (
            "seule|toute seule|nous deux|toi et moi|juste nous|coin calme|coin tranquille|personne autour"
            "|sans personne|rien que nous|on a le temps|on sera tranquilles"
        ),
    ),
    _cue(
        GROOMING,
        "isolation",
        0.45,
        "ta chambre",
        "ferme|va|vas|reste|enferme|quand t es|quand tu es|le soir",
    ),
    _cue(
        GROOMING,
        "isolation",
        0.35,
        (
            "te comprends|te comprend|t ecoutent pas|t ecoute pas|te comprennent pas|comprendraient pas"
            "|comprennent pas|comprennent rien|comme moi|pas eux"
        ),
    ),
    _cue(
        GROOMING,
        "trust",
        0.25,
        (
            "confiance|confier|je suis la pour toi|je suis gentil|je suis cool|rien de mal|je te ferai rien"
            "|pas mechant|demande moi ce que tu veux|tu peux tout me dire"
        ),
    ),
    _cue(
        GROOMING,
        "supervision_check",
        0.35,
        _PARENT_WORDS,
        (
            "regarde|regardent|lit|lisent|fouille|fouillent|checke|checkent|surveille|surveillent|controle"
            "|controlent|partent|part|rentrent|reviennent|absents|en vacances|au travail|au boulot|dorment"
            "|couchent|savent|sait|pas la|sortent"
        ),
        "tes|ta|ton|tu|quand|?|surtout",
    ),
    _cue(
        GROOMING,
        "secrecy",
        0.6,
        (
            "secret|entre nous|entre toi et moi|que nous deux|qu entre nous|personne doit|personne ne doit"
            "|personne nous lit|personne lit|personne ne lit|personne saura|personne le saura"
            "|rien que pour moi|pour moi seulement|juste pour moi|garde pour moi|a personne d autre"
            "|au courant"
        ),
        veto="pas de secret|pas un secret|secret de fabrication|secret defense",
    ),
    _cue(
        GROOMING,
        "secrecy",
        0.6,
        "tu dis que|tu diras|dis leur|dis lui|tu leur dis|tu lui dis|diras que",
        "copine|copain|chez|c est|tu vas|tu etais|tu dors",
    ),
    _cue(
        GROOMING,
        "secrecy",
        0.5,
        "prevenir|previens|dire|dis|dit|raconter|raconte|parler|parles|parle|montrer|montre|en parles",
        _NO,
        "mere|pere|parents|maman|papa|famille|personne|copines|potes|amis|profs|prof",
    ),
    _cue(
        GROOMING,
        "secrecy",
        0.5,
        "efface|supprime",
        "messages|conversation|ici|tout|apres|photos|historique",
        veto="efface pas|supprime pas",
    ),
    _cue(
        GROOMING,
        "platform_move",
        0.35,
        (
            "snap|insta|tiktok|telegram|whatsapp|discord|kik|signal|numero|06|07|tel|@|autre moyen|autre app"
            "|autre appli|autre truc|autre part|ailleurs|en prive|par messages"
        ),
        (
            "ton|tu as|t as|donne|donnes|ajoute|add|ecris|ecrire|parler|discuter|continue|passe|passer|viens"
            "|c est quoi|quel est|pourrait|pourrais|plus simple|plus tranquille|plus discret|ca bug"
        ),
    ),
    _cue(
        GROOMING,
        "photo_request",
        0.35,
        "photo|photos|selfie|selfies|video|videos|cam|live|lives|facetime",
        (
            "envoie|envoyer|fais|fasses|faire|montre|montres|voir|allumee|allume|send|veux|donne"
            "|rien que pour moi|pour moi|d autres|mieux"
        ),
        veto=_PHOTO_THINGS,
    ),
    _cue(
        GROOMING,
        "photo_request",
        0.6,
        "photo|photos|selfie|video|videos|cam|live",
        (
            "perso|intime|plus perso|juste pour moi|que pour moi|en pied|justaucorps|maillot|pyjama|legging"
            "|brassiere|sous vetements|culotte|nuisette|petite tenue|sans rien|moins habillee"
        ),
    ),
    _cue(
        GROOMING,
        "sexual_talk",
        0.5,
        (
            "tenue confortable|habillee|en culotte|sous vetements|justaucorps|maillot de bain|dors en quoi"
            "|dort en quoi|portes quoi|tu portes|en pyjama|ton corps|tes formes"
        ),
    ),
    _cue(
        GROOMING,
        "sexual_talk",
        0.7,
        "deja fait des choses|fait des trucs|des choses avec un|des choses ensemble",
    ),
    _cue(
        GROOMING,
        "sexual_talk",
        0.45,
        (
            "amoureux|amoureuse|en couple|sortir avec|sorte ensemble|sortir ensemble|petit copain"
            "|petite copine|embrasse|calin|expliquer des choses|apprendre des choses|t apprendre|deja fait"
            "|vierge|experience"
        ),
        "tu|t|ton|ta|te|a ton age|on",
    ),
    _cue(
        GROOMING,
        "gift_money",
        0.45,
        (
            "robux|vbucks|gemmes|skin|skins|pass de combat|airpods|iphone|recharge|paysafecard|cadeau|cadeaux"
            "|argent|sous|thunes|#money|ce que tu veux"
        ),
        (
            "je te|je t|t offrir|te payer|je paye|je paie|te passe|offrirai|donnerai|en retour|en echange"
            "|si tu|si t es|la photo|par photo|remunere|paye bien|payer|je peux te"
        ),
        veto="anniversaire|anniv|cantine|ta mere|ton pere",
    ),
    _cue(
        GROOMING,
        "gift_money",
        0.45,
        "en retour|en echange|remunere|paye bien|je paye bien",
    ),
    _cue(
        GROOMING,
        "meeting",
        0.4,
        (
            "se voir|on se voit|se capte|se retrouver|retrouve moi|rejoins moi|passer te prendre|te prendre"
            "|te chercher|je te ramene|je te depose|attends moi|attend moi|viens chez moi|en voiture|rdv"
            "|rendez vous|on se rejoint|je viens te|viens me|se rencontrer|venir me voir"
        ),
    ),
    _cue(
        GROOMING,
        "location_question",
        0.3,
        (
            "quel college|quel lycee|quelle ecole|tu habites|t habites|quelle ville|quel quartier"
            "|ou tu habites|tu vas a la|t es d ou|tu es d ou"
        ),
    ),
    _cue(
        GROOMING,
        "pressure",
        0.45,
        (
            "fais pas ta gamine|fais pas ta timide|fais pas le bebe|pas confiance en moi"
            "|me fais pas confiance|sois pas timide|ne sois pas timide|je croyais que|apres tout ce que"
            "|tu me dois"
        ),
    ),
    _cue(
        GROOMING,
        "age_dismissal",
        0.5,
        (
            "on s en fiche|on s en fout|s en fiche|osef|pas grave|compte pas|qu un chiffre|qu un nombre"
            "|ca change rien"
        ),
        "age|ans|#digit|courant passe|difference",
    ),
    # Ambush conditions.
    _cue(
        AMBUSH,
        "meeting",
        0.4,
        "rejoins moi|retrouve moi|rejoins|se capte|on se capte|on se voit|rdv|viens",
    ),
    _cue(
        AMBUSH,
        "refuses_public",
        0.35,
        (
            "pas dans un bar|pas de cafe|pas dans un cafe|pas au cafe|les gens regardent|trop de monde"
            "|pas en public|pas de bar|pas de resto"
        ),
    ),
    _cue(
        AMBUSH,
        "isolated_place",
        0.35,
        (
            "petit bois|le bois|bois|foret|zone d activite|zone industrielle|bout du parking|jamais personne"
            "|y a personne|personne le soir|coin calme|terrain vague|chantier|sous le pont|derriere la salle"
            "|derriere le|derriere la|arret de bus"
        ),
    ),
    _cue(
        AMBUSH,
        "late_night",
        0.2,
        "minuit|du mat|cette nuit|23h|22h|1h|2h|3h|tard le soir|le soir",
    ),
    _cue(
        AMBUSH,
        "come_alone",
        0.35,
        (
            "viens seul|viens seule|seul hein|seule hein|sois seul|viens sans|sans tes potes|sans tes amis"
            "|ramene personne|personne avec toi|tout seul hein|seul !|seul ?"
        ),
        veto="je viens seul|je viens seule|je serai seul|je serai seule",
    ),
    _cue(
        AMBUSH,
        "no_phone",
        0.35,
        "laisse ton tel|sans ton tel|sans tel|pas de tel|eteins ton tel",
    ),
    _cue(
        AMBUSH,
        "bring_valuables",
        0.35,
        "ramene|ramenes|prends|apporte|prend",
        "liquide|cash|cb|carte bleue|argent|thunes|billets",
    ),
    _cue(
        AMBUSH,
        "prove_orientation",
        0.6,
        (
            "vraiment gay|vraiment pd|vraiment attire|attire par les mecs|tu mytho|ou tu mytho|prouve le"
            "|prouve moi"
        ),
    ),
    _cue(
        AMBUSH,
        "dating_pretext",
        0.25,
        "beau gosse|entre mecs|discret|discrete|tu cherches quoi|plan|chaud pour",
    ),
    # Drug deals.
    _cue(
        DRUGS,
        "drug_product",
        0.45,
        (
            "de quoi fumer|de la bonne|le bout|cali|mousse|beuh|cachets|ecsta|plug|de la c|pochon|la frappe"
            "|taz|de quoi faire la fete"
        ),
    ),
    _cue(
        DRUGS,
        "drug_price",
        0.45,
        "#digit",
        "le bout|piece|le g|la barrette|le 5|la dose|le pochon|le gramme|les 2",
    ),
    _cue(
        DRUGS,
        "drug_price",
        0.45,
        "combien le|combien la|combien les|#money",
    ),
    _cue(
        DRUGS,
        "drug_meetup",
        0.35,
        "rdv|devant|je passe|je te depose|en bas de chez toi|au city|je livre|livre|il livre|je descends",
    ),
)

_MONEY = re.compile(r"\d+\s*(?:e|€|eur|euros?|balles)\b|€\s*\d")


@dataclass(frozen=True)
class _CueIndex:
    """Every phrase of every cue by its first word, and the cues each phrase can start."""

    words: frozenset[str]  # one-word phrases
    phrases: dict[str, dict[str, tuple[tuple[str, ...], ...]]]  # first word -> second word -> phrases
    starts: dict[str, tuple[int, ...]]  # phrase -> cues whose first group holds it


def _cue_index(cues: tuple[Cue, ...]) -> _CueIndex:
    words: set[str] = set()
    phrases: dict[str, dict[str, set[tuple[str, ...]]]] = {}
    starts: dict[str, list[int]] = {}
    for position, cue in enumerate(cues):
        for alternative in frozenset().union(*cue.groups, cue.veto):
            split = tuple(alternative.split())
            if len(split) == 1:
                words.add(alternative)
            else:
                phrases.setdefault(split[0], {}).setdefault(split[1], set()).add(split)
        for alternative in cue.groups[0]:
            starts.setdefault(alternative, []).append(position)
    return _CueIndex(
        frozenset(words),
        {
            first: {second: tuple(sorted(found)) for second, found in by_second.items()}
            for first, by_second in phrases.items()
        },
        {phrase: tuple(positions) for phrase, positions in starts.items()},
    )


_CUE_INDEX = _cue_index(_CUES)


def _phrases_in(canon: _Form) -> set[str]:
    """The cue phrases a canonical message contains, found word by word (no substring scans)."""
    words = canon.text.split()
    table = _CUE_INDEX.phrases
    found = set(_CUE_INDEX.words.intersection(words))
    for position in [i for i, word in enumerate(words) if word in table]:
        following = words[position + 1] if position + 1 < len(words) else ""
        for phrase in table[words[position]].get(following, ()):
            if tuple(words[position : position + len(phrase)]) == phrase:
                found.add(" ".join(phrase))
    if "#digit" in canon.tokens:
        found.add("#digit")
        if _MONEY.search(canon.text) is not None:
            found.add("#money")
    return found


def _match_cues(canon: _Form, found: tuple[dict[str, float], ...]) -> None:
    phrases = _phrases_in(canon)
    starts = _CUE_INDEX.starts
    candidates: set[int] = set()
    for phrase in phrases:
        candidates.update(starts.get(phrase, ()))
    for position in candidates:
        cue = _CUES[position]
        hits = found[cue.family]
        if (
            cue.weight > hits.get(cue.step, 0.0)
            and cue.veto.isdisjoint(phrases)
            and all(not group.isdisjoint(phrases) for group in cue.groups[1:])
        ):
            hits[cue.step] = cue.weight


# A sender's own age in words age_claims does not read: "moi 15", "j'en ai 26", "moi ..., 31 ans".
_OWN_AGE = re.compile(
    r"^\s*(?:et\s+)?moi\s*,?\s*(?:j\s+ai\s+|j\s+en\s+ai\s+)?(\d{1,2})\b(?!\s*(?:h|e|eme|euros?|balles|min|km|kg|%))"
    r"|\bj\s+en\s+ai\s+(\d{1,2})\b(?!\s*(?:h|e|eme|euros?|balles|min|km|kg|%))"
    r"|^\s*moi\b[^?]{0,60}?\b(\d{2})\s+ans\b"
)
_SOMEONE_ELSE = re.compile(r"\b(?:il|elle|ils|mon|ma|mes|son|sa|fils|fille|frere|soeur|cousin|cousine)\b")


def own_age(canon: str) -> int | None:
    """The sender's own age in a canonical message; None if it gives none or speaks of someone else."""
    found = _OWN_AGE.search(canon)
    if found is None or _SOMEONE_ELSE.search(canon) is not None:
        return None
    age = int(next(group for group in found.groups() if group is not None))
    return age if 8 <= age <= 99 else None


# --- the scorer -------------------------------------------------------------------------------


@dataclass
class _Step:
    level: float = 0.0
    count: int = 0


@dataclass
class _Track:
    """Decaying levels for one family of steps (grooming, ambush or drugs)."""

    steps: dict[str, _Step] = field(default_factory=dict)

    def decay(self) -> None:
        for step in self.steps.values():
            step.level *= DECAY_PER_TURN

    def add(self, name: str, weight: float) -> None:
        step = self.steps.setdefault(name, _Step())
        # Repetitions count less, but a strong hit is never worth less than its own weight.
        step.level = max(step.level + weight * REPEAT_FACTOR**step.count, weight)
        step.count += 1

    def level(self, name: str) -> float:
        step = self.steps.get(name)
        return step.level if step is not None else 0.0

    def active(self) -> list[str]:
        return [name for name, step in self.steps.items() if step.level >= ACTIVE_LEVEL]

    def combined(self) -> float:
        active = self.active()
        if not active:
            return 0.0
        total = sum(self.steps[name].level for name in active)
        return total * (1.0 + COMBINATION_BONUS * (len(active) - 1))


class ConversationRisk:
    """One per private conversation; feed it every message in order with `observe`."""

    def __init__(self, participants: dict[str, AgeBand]) -> None:
        self._bands: dict[str, AgeBand | None] = dict(participants)
        self._claims: dict[str, int] = {}
        self._grooming = _Track()
        self._ambush = _Track()
        self._drugs = _Track()
        self._steps_seen: dict[str, None] = {}  # ordered set
        self._labels: dict[str, None] = {}
        self._last_age_question_by: str | None = None
        self._last_minor_claim_by: str | None = None  # who just gave an age under 18, for "pas grave"
        self._family = False
        self._just_claimed_minor = False
        self._turns = 0

    def observe(self, sender: str, text: str) -> ConversationAssessment:
        self._turns += 1
        self._bands.setdefault(sender, None)
        for track in (self._grooming, self._ambush, self._drugs):
            track.decay()
        folded_text = plain_fold(text)
        *literal, canon = (_form(form) for form in _message_forms(text, folded_text))
        forms = tuple(literal)
        self._observe_age(sender, folded_text, forms[0].text, canon.text)
        grooming_hits, ambush_hits, drug_hits = _hits(forms, canon)
        if self._last_minor_claim_by not in (None, sender) and _AGE_BRUSH_OFF.match(forms[0].text):
            grooming_hits["age_dismissal"] = max(grooming_hits.get("age_dismissal", 0.0), 0.5)
        if "meeting" in grooming_hits and "adresse" not in canon.tokens:
            # "je t'attends a la sortie du college" is one manoeuvre, not two; "ton adresse, je passe" is two.
            grooming_hits.pop("location_question", None)
        asks_back = self._just_claimed_minor is not None and _ASKS_BACK.search(forms[0].text) is not None
        self._last_age_question_by = sender if "age_question" in grooming_hits or asks_back else None
        self._last_minor_claim_by = sender if self._just_claimed_minor else None
        if self._minorish(sender) and _FAMILY_ADDRESS.search(forms[0].text) is not None:
            self._family = True
        factor = self._sender_factor(sender) * (FAMILY_FACTOR if self._family else 1.0)
        for name, weight in grooming_hits.items():
            self._grooming.add(name, weight * factor)
            self._note(name)
        for name, weight in ambush_hits.items():
            self._ambush.add(name, weight)
            self._note(name)
        if drug_hits and _DRUG_NEWS.search(forms[0].text) is None:
            for name, weight in drug_hits.items():
                self._drugs.add(name, weight)
        if self._drugs.level("drug_product") >= ACTIVE_LEVEL:
            # Prices and meeting points are only drug steps once a product was named.
            for name in self._drugs.active():
                self._note(name)
        return self._assess()

    # Ages: claims in the text, bare answers to an age question, and contradictions.

    def _observe_age(self, sender: str, folded_text: str, plain: str, canon: str) -> None:
        self._just_claimed_minor = False
        claims = age_claims(folded_text)  # what `claimed_age(text)` does, without folding twice
        age = claims[0].age if claims else own_age(canon)
        if age is None and self._last_age_question_by not in (None, sender):
            bare = _BARE_AGE_REPLY.match(plain) or _ASV_REPLY.match(plain)
            age = int(bare.group(1)) if bare is not None and 8 <= int(bare.group(1)) <= 99 else None
        if age is None:
            return
        self._just_claimed_minor = age < ADULT_AGE
        self._claims[sender] = age
        band = self._bands.get(sender)
        contradicts = (band == "adult" and age < ADULT_AGE) or (band == "minor" and age >= ADULT_AGE)
        if contradicts and self._grooming.level("age_mismatch") < AGE_MISMATCH_WEIGHT / 2:
            self._grooming.add("age_mismatch", AGE_MISMATCH_WEIGHT)
            self._note("age_mismatch")
        if age >= ADULT_AGE and self._talks_to_young_child(sender, age) and "age_gap" not in self._steps_seen:
            # An adult telling a child of 15 or less their age ("moi j'en ai 26"): the gap is now said.
            self._grooming.add("age_gap", AGE_GAP_WEIGHT)
            self._note("age_gap")

    def _talks_to_young_child(self, sender: str, age: int) -> bool:
        for person in self._bands:
            if person == sender:
                continue
            claimed = self._claims.get(person)
            if claimed is not None and claimed <= YOUNG_CHILD_AGE and age - claimed >= AGE_GAP_YEARS:
                return True
            if claimed is None and self._bands.get(person) == "minor" and age >= ADULT_AGE + AGE_GAP_YEARS:
                return True
        return False

    def _minorish(self, person: str) -> bool:
        age = self._claims.get(person)
        return self._bands.get(person) == "minor" or (age is not None and age < ADULT_AGE)

    def _adultish(self, person: str) -> bool:
        age = self._claims.get(person)
        return self._bands.get(person) == "adult" or (age is not None and age >= ADULT_AGE)

    def _sender_factor(self, sender: str) -> float:
        others = [person for person in self._bands if person != sender]
        if self._adultish(sender) and any(self._minorish(other) for other in others):
            return ADULT_TO_MINOR
        if self._minorish(sender) and any(self._adultish(other) for other in others):
            return MINOR_TO_ADULT
        if self._minorish(sender) and others and all(self._minorish(other) for other in others):
            return MINOR_TO_MINOR
        return ADULT_TO_ADULT

    # Scores and labels.

    def _note(self, step: str) -> None:
        self._steps_seen.setdefault(step, None)

    def _grooming_score(self) -> float:
        score = self._grooming.combined()
        if not any(self._minorish(person) for person in self._bands):
            # Grooming targets a child: between adults who never said otherwise, flirting, apps, photos and
            # meetings add up to a date (per-message detectors still judge each message).
            return min(score, ADULTS_ONLY_CAP)
        if score and any(
            self._grooming.level(gift) >= ACTIVE_LEVEL and self._grooming.level(wanted) >= ACTIVE_LEVEL
            for gift, wanted in EXCHANGE_PAIRS
        ):
            score *= EXCHANGE_BONUS
        return score

    def _ambush_score(self) -> float:
        """A meeting proposal plus conditions; each counts fully until it has half faded."""
        if self._ambush.level("meeting") < AMBUSH_BASE / 2:
            return 0.0
        conditions = sum(
            weight for name, weight in AMBUSH_CONDITIONS.items() if self._ambush.level(name) >= weight / 2
        )
        return AMBUSH_BASE + conditions

    def _drug_score(self) -> float:
        levels = [self._drugs.level(name) for name in DRUG_STEPS]
        if self._drugs.level("drug_product") < ACTIVE_LEVEL:
            return min(0.9, sum(levels))  # never a deal without a product
        return self._drugs.combined()

    def _assess(self) -> ConversationAssessment:
        scores = {
            "grooming": self._grooming_score(),
            "ambush": self._ambush_score(),
            "drug_deal": self._drug_score(),
        }
        for label, score in scores.items():
            if score >= FLAG_THRESHOLD:
                self._labels.setdefault(label, None)  # a flag stays: the case is open
        return ConversationAssessment(
            score=round(max(scores.values()) / FLAG_THRESHOLD, 4),
            flagged=bool(self._labels),
            labels=tuple(self._labels),
            steps=tuple(self._steps_seen),
        )
