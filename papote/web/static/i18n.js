// Interface strings, French first. The choice of language is kept in localStorage.
// Server refusals carry their own {fr, en} texts: see serverText().

const STORAGE_KEY = "papote.lang";

const STRINGS = {
  fr: {
    "skip.composer": "Aller à la zone de message",
    "connection.reconnecting": "Reconnexion…",
    "account.keep": "Garder mon pseudo",
    "account.logout": "Quitter",
    "account.title": "Garder mon pseudo",
    "account.lead": "Avec un e-mail et un mot de passe, votre pseudo vous est réservé et vous pouvez créer des salons privés.",
    "account.password.hint": "Au moins 10 caractères.",
    "account.submit": "Garder mon pseudo",
    "account.done": "C'est fait : le pseudo {pseudo} est à vous.",
    "entry.title": "Discutez en quelques secondes.",
    "entry.lead": "Un pseudo, votre date de naissance, et c'est parti. Pas d'inscription obligatoire.",
    "entry.promise.ages": "Mineurs et adultes sont séparés par le serveur : salons réservés, et aucun message privé entre eux.",
    "entry.promise.requests": "Un premier message privé est une demande : vous acceptez ou refusez.",
    "entry.promise.block": "Bloquer quelqu'un se fait en un clic.",
    "entry.form.title": "Entrer sur Papote",
    "entry.pseudo": "Pseudo",
    "entry.pseudo.hint": "3 à 20 caractères : lettres, chiffres, - et _.",
    "entry.birth": "Date de naissance",
    "entry.birth.hint": "Jamais affichée : elle sert seulement à vous placer avec les personnes de votre âge.",
    "entry.gender": "Genre (facultatif)",
    "entry.departement": "Département (facultatif)",
    "entry.departement.hint": "Par exemple 75, 2A ou 974.",
    "entry.accept": "J'ai lu la charte et je l'accepte.",
    "entry.submit": "Entrer",
    "entry.have.account": "Vous avez gardé votre pseudo ?",
    "entry.login.link": "Se connecter",
    "entry.missing.pseudo": "Choisissez un pseudo.",
    "entry.missing.birth": "Indiquez votre date de naissance.",
    "entry.missing.rules": "Cochez la case pour accepter la charte.",
    "entry.expired": "Votre session a expiré. Entrez à nouveau.",
    "gender.none": "Ne pas dire",
    "gender.femme": "Femme",
    "gender.homme": "Homme",
    "gender.autre": "Autre",
    "rules.title": "La charte, en bref",
    "rules.respect": "Respect : pas d'insultes, de harcèlement ni de propos haineux.",
    "rules.sexual": "Pas de contenu sexuel, et jamais avec un·e mineur·e.",
    "rules.contact": "Ne donnez pas vos coordonnées (téléphone, snap, adresse, école).",
    "rules.ages": "Les 13-17 ans et les adultes ne peuvent pas se parler en privé.",
    "rules.help": "Un souci ? Bloquez en un clic. Pour les jeunes, le 3018 est gratuit et anonyme.",
    "login.title": "Se connecter",
    "login.submit": "Se connecter",
    "login.back": "Entrer avec un nouveau pseudo",
    "login.missing": "Indiquez votre e-mail et votre mot de passe.",
    "field.email": "Adresse e-mail",
    "field.password": "Mot de passe",
    "nav.side": "Salons et messages privés",
    "nav.tabs": "Vues",
    "tab.rooms": "Salons",
    "tab.private": "Privés",
    "tab.chat": "Discussion",
    "tab.members": "Membres",
    "rooms.title": "Salons",
    "unread.label": "non lus",
    "rooms.private": "Salon privé",
    "audience.minors": "13-17",
    "audience.adults": "18+",
    "audience.all": "Tous",
    "audience.minors.long": "Réservé aux 13-17 ans",
    "audience.adults.long": "Réservé aux 18 ans et plus",
    "audience.all.long": "Ouvert à tous les âges",
    "refused.minors": "Réservé aux 13-17 ans",
    "refused.adults": "Réservé aux adultes",
    "band.minor": "13-17",
    "band.adult": "18+",
    "band.minor.long": "13-17 ans",
    "band.adult.long": "18 ans et plus",
    "private.title": "Messages privés",
    "private.requests": "Demandes de conversation",
    "private.empty": "Pas encore de conversation privée. Ouvrez-en une depuis la liste des membres d'un salon.",
    "private.write.label": "Écrire à un pseudo",
    "private.write.submit": "Écrire",
    "private.request.asks": "veut discuter avec vous",
    "private.request.from": "Demande de {pseudo}",
    "private.accept": "Accepter",
    "private.decline": "Refuser",
    "private.waiting": "En attente de réponse",
    "private.declined": "Demande refusée",
    "private.closed": "Conversation fermée",
    "private.new": "Nouvelle conversation",
    "private.with": "Conversation avec {pseudo}",
    "private.intro.new": "Votre premier message sera une demande : {pseudo} pourra l'accepter ou la refuser.",
    "private.intro.waiting": "Votre demande attend la réponse de {pseudo}.",
    "private.intro.declined": "{pseudo} a refusé votre demande de conversation.",
    "private.intro.blocked": "Vous avez bloqué {pseudo}. Vous ne verrez plus ses messages.",
    "private.intro.closed": "Cette conversation est fermée.",
    "private.intro.request": "{pseudo} aimerait discuter avec vous. Vous pouvez accepter, refuser, ou bloquer sans vous justifier.",
    "private.toast.request": "{pseudo} veut discuter avec vous.",
    "private.toast.accepted": "{pseudo} a accepté votre demande.",
    "private.toast.declined": "{pseudo} a refusé votre demande.",
    "private.toast.invitation": "{pseudo} vous invite dans le salon privé « {room} ».",
    "private.open": "Ouvrir",
    "invitation.join": "Rejoindre",
    "invitation.from": "Invitation de {pseudo}",
    "chat.none": "Choisissez un salon",
    "chat.empty": "Choisissez un salon dans la liste pour commencer à papoter.",
    "chat.room.empty": "Aucun message pour l'instant. Lancez la conversation !",
    "chat.older": "Messages précédents",
    "room.leave": "Quitter le salon",
    "room.create.toggle": "Créer un salon privé",
    "room.create.locked": "Les salons privés sont réservés aux pseudos gardés.",
    "room.create.name": "Nom du salon",
    "room.create.audience": "Public",
    "room.create.submit": "Créer",
    "room.invite": "Inviter",
    "room.invite.label": "Inviter un pseudo dans ce salon privé",
    "room.invite.submit": "Inviter",
    "room.invite.sent": "Invitation envoyée à {pseudo}.",
    "room.joined": "{pseudo} a rejoint le salon",
    "room.left": "{pseudo} a quitté le salon",
    "members.title": "Membres",
    "members.show": "Membres",
    "members.empty": "Rejoignez un salon pour voir qui est là.",
    "member.you": "(vous)",
    "member.write": "Écrire",
    "member.write.label": "Écrire à {pseudo} en privé",
    "member.block.label": "Bloquer {pseudo}",
    "member.unblock.label": "Débloquer {pseudo}",
    "member.moderator": "Modération",
    "action.block": "Bloquer",
    "action.unblock": "Débloquer",
    "action.close": "Fermer",
    "action.cancel": "Annuler",
    "action.undo": "Annuler",
    "action.dismiss": "Fermer",
    "block.done": "{pseudo} est bloqué·e : vous ne verrez plus ses messages.",
    "block.undone": "{pseudo} est débloqué·e.",
    "composer.label": "Votre message",
    "composer.placeholder": "Écrire un message…",
    "composer.private.placeholder": "Écrire à {pseudo}…",
    "composer.send": "Envoyer",
    "composer.hint": "Entrée pour envoyer, Maj+Entrée pour aller à la ligne, /me pour une action.",
    "composer.count": "{n} / {max}",
    "message.pending": "Envoi…",
    "message.failed": "Non envoyé",
    "error.network": "Impossible de joindre Papote. Vérifiez votre connexion et réessayez.",
    "error.disconnected": "Connexion perdue. Réessayez dans un instant.",
    "error.generic": "Une erreur est survenue. Réessayez.",
    // Refusals the server may send without a text of its own (the code alone).
    "code.message_blocked": "Message non envoyé : il ne respecte pas la charte de Papote.",
    "code.muted": "Vous ne pouvez plus envoyer de messages pendant quelques minutes, après un message contraire à la charte.",
    "code.private_restricted": "Vos messages privés sont limités le temps qu'un modérateur vérifie votre compte.",
    "code.conversation_frozen":
      "Cette conversation est suspendue et transmise à la modération. Si quelqu'un vous met mal à l'aise, parlez-en : le 3018 est gratuit, anonyme et confidentiel.",
    "code.account_suspended":
      "Votre compte est suspendu le temps qu'un modérateur examine un message. Vous recevrez la décision et ses motifs.",
    "retry.after": "Réessayez dans {s} s.",
    "composer.kept": "Votre texte est resté dans la zone de saisie : modifiez-le ou effacez-le.",
    "composer.frozen": "Conversation suspendue : plus aucun message ne peut être envoyé.",
    "composer.age": "Adultes et mineurs ne peuvent pas se parler en privé.",
    "message.held": "En attente de modération — visible par vous seulement",
    "message.masked": "Message masqué — afficher",
    "message.masked.label": "Message de {pseudo} masqué : afficher",
    "message.masked.why": "Ce message peut heurter. Il reste masqué tant que vous ne choisissez pas de le lire.",
    "message.blurred.own": "Masqué pour les autres : chacun choisit de l'afficher.",
    "message.masked.announce": "message masqué",
    "tip.label": "Conseil de sécurité",
    "private.frozen": "Conversation suspendue",
    "private.intro.frozen": "Cette conversation est suspendue et transmise à la modération.",
    "private.toast.frozen": "Votre conversation avec {pseudo} est suspendue et transmise à la modération.",
    "member.write.age": "Adultes et mineurs ne peuvent pas se parler en privé",
    "suspended.title": "Compte suspendu",
    "suspended.leave": "Quitter",
  },
  en: {
    "skip.composer": "Skip to the message box",
    "connection.reconnecting": "Reconnecting…",
    "account.keep": "Keep my pseudonym",
    "account.logout": "Leave",
    "account.title": "Keep my pseudonym",
    "account.lead": "With an e-mail and a password, your pseudonym is kept for you and you can create private rooms.",
    "account.password.hint": "At least 10 characters.",
    "account.submit": "Keep my pseudonym",
    "account.done": "Done: the pseudonym {pseudo} is yours.",
    "entry.title": "Start chatting in seconds.",
    "entry.lead": "A pseudonym, your date of birth, and you are in. No sign-up required.",
    "entry.promise.ages": "Minors and adults are kept apart by the server: separate rooms, and no private messages between them.",
    "entry.promise.requests": "A first private message is a request: you accept or decline.",
    "entry.promise.block": "Blocking someone takes one click.",
    "entry.form.title": "Enter Papote",
    "entry.pseudo": "Pseudonym",
    "entry.pseudo.hint": "3 to 20 characters: letters, digits, - and _.",
    "entry.birth": "Date of birth",
    "entry.birth.hint": "Never shown: it only places you with people of your age.",
    "entry.gender": "Gender (optional)",
    "entry.departement": "Département (optional)",
    "entry.departement.hint": "For example 75, 2A or 974.",
    "entry.accept": "I have read and accept the house rules.",
    "entry.submit": "Enter",
    "entry.have.account": "Kept your pseudonym?",
    "entry.login.link": "Log in",
    "entry.missing.pseudo": "Choose a pseudonym.",
    "entry.missing.birth": "Enter your date of birth.",
    "entry.missing.rules": "Tick the box to accept the house rules.",
    "entry.expired": "Your session has expired. Please enter again.",
    "gender.none": "Rather not say",
    "gender.femme": "Woman",
    "gender.homme": "Man",
    "gender.autre": "Other",
    "rules.title": "The house rules, in short",
    "rules.respect": "Respect: no insults, harassment or hate speech.",
    "rules.sexual": "No sexual content, and never with a minor.",
    "rules.contact": "Do not share contact details (phone, snap, address, school).",
    "rules.ages": "13-17 year-olds and adults cannot talk in private.",
    "rules.help": "A problem? Block in one click. For young people, 3018 is free and anonymous.",
    "login.title": "Log in",
    "login.submit": "Log in",
    "login.back": "Enter with a new pseudonym",
    "login.missing": "Enter your e-mail and password.",
    "field.email": "E-mail address",
    "field.password": "Password",
    "nav.side": "Rooms and private messages",
    "nav.tabs": "Views",
    "tab.rooms": "Rooms",
    "tab.private": "Private",
    "tab.chat": "Chat",
    "tab.members": "Members",
    "rooms.title": "Rooms",
    "unread.label": "unread",
    "rooms.private": "Private room",
    "audience.minors": "13-17",
    "audience.adults": "18+",
    "audience.all": "All ages",
    "audience.minors.long": "For 13-17 year-olds only",
    "audience.adults.long": "For people aged 18 and over",
    "audience.all.long": "Open to all ages",
    "refused.minors": "For 13-17 year-olds only",
    "refused.adults": "For adults only",
    "band.minor": "13-17",
    "band.adult": "18+",
    "band.minor.long": "13-17 years old",
    "band.adult.long": "18 or older",
    "private.title": "Private messages",
    "private.requests": "Conversation requests",
    "private.empty": "No private conversation yet. Start one from a room's member list.",
    "private.write.label": "Write to a pseudonym",
    "private.write.submit": "Write",
    "private.request.asks": "wants to talk with you",
    "private.request.from": "Request from {pseudo}",
    "private.accept": "Accept",
    "private.decline": "Decline",
    "private.waiting": "Waiting for an answer",
    "private.declined": "Request declined",
    "private.closed": "Conversation closed",
    "private.new": "New conversation",
    "private.with": "Conversation with {pseudo}",
    "private.intro.new": "Your first message will be a request: {pseudo} can accept or decline it.",
    "private.intro.waiting": "Your request is waiting for {pseudo}'s answer.",
    "private.intro.declined": "{pseudo} declined your conversation request.",
    "private.intro.blocked": "You blocked {pseudo}. You will not see their messages any more.",
    "private.intro.closed": "This conversation is closed.",
    "private.intro.request": "{pseudo} would like to talk with you. You may accept, decline, or block, no reason needed.",
    "private.toast.request": "{pseudo} wants to talk with you.",
    "private.toast.accepted": "{pseudo} accepted your request.",
    "private.toast.declined": "{pseudo} declined your request.",
    "private.toast.invitation": "{pseudo} invites you to the private room “{room}”.",
    "private.open": "Open",
    "invitation.join": "Join",
    "invitation.from": "Invitation from {pseudo}",
    "chat.none": "Choose a room",
    "chat.empty": "Choose a room in the list to start chatting.",
    "chat.room.empty": "No messages yet. Get the conversation going!",
    "chat.older": "Earlier messages",
    "room.leave": "Leave the room",
    "room.create.toggle": "Create a private room",
    "room.create.locked": "Private rooms are for kept pseudonyms.",
    "room.create.name": "Room name",
    "room.create.audience": "Audience",
    "room.create.submit": "Create",
    "room.invite": "Invite",
    "room.invite.label": "Invite a pseudonym to this private room",
    "room.invite.submit": "Invite",
    "room.invite.sent": "Invitation sent to {pseudo}.",
    "room.joined": "{pseudo} joined the room",
    "room.left": "{pseudo} left the room",
    "members.title": "Members",
    "members.show": "Members",
    "members.empty": "Join a room to see who is here.",
    "member.you": "(you)",
    "member.write": "Write",
    "member.write.label": "Write to {pseudo} in private",
    "member.block.label": "Block {pseudo}",
    "member.unblock.label": "Unblock {pseudo}",
    "member.moderator": "Moderation",
    "action.block": "Block",
    "action.unblock": "Unblock",
    "action.close": "Close",
    "action.cancel": "Cancel",
    "action.undo": "Undo",
    "action.dismiss": "Dismiss",
    "block.done": "{pseudo} is blocked: you will not see their messages any more.",
    "block.undone": "{pseudo} is unblocked.",
    "composer.label": "Your message",
    "composer.placeholder": "Write a message…",
    "composer.private.placeholder": "Write to {pseudo}…",
    "composer.send": "Send",
    "composer.hint": "Enter to send, Shift+Enter for a new line, /me for an action.",
    "composer.count": "{n} / {max}",
    "message.pending": "Sending…",
    "message.failed": "Not sent",
    "error.network": "Papote cannot be reached. Check your connection and try again.",
    "error.disconnected": "Connection lost. Try again in a moment.",
    "error.generic": "Something went wrong. Please try again.",
    "code.message_blocked": "Message not sent: it breaks Papote's house rules.",
    "code.muted": "You cannot send messages for a few minutes, after a message that broke the house rules.",
    "code.private_restricted": "Your private messages are limited while a moderator checks your account.",
    "code.conversation_frozen":
      "This conversation is paused and sent to the moderators. If someone makes you uneasy, talk about it: in France, 3018 is free, anonymous and confidential.",
    "code.account_suspended":
      "Your account is suspended while a moderator reviews a message. You will receive the decision and its reasons.",
    "retry.after": "Try again in {s} s.",
    "composer.kept": "Your text is still in the message box: edit it or delete it.",
    "composer.frozen": "Conversation paused: no more messages can be sent.",
    "composer.age": "Adults and minors cannot talk in private.",
    "message.held": "Awaiting moderation — visible only to you",
    "message.masked": "Hidden message — show",
    "message.masked.label": "Hidden message from {pseudo}: show",
    "message.masked.why": "This message may be upsetting. It stays hidden until you choose to read it.",
    "message.blurred.own": "Hidden for others: each person chooses to show it.",
    "message.masked.announce": "hidden message",
    "tip.label": "Safety tip",
    "private.frozen": "Conversation paused",
    "private.intro.frozen": "This conversation is paused and sent to the moderators.",
    "private.toast.frozen": "Your conversation with {pseudo} is paused and sent to the moderators.",
    "member.write.age": "Adults and minors cannot talk in private",
    "suspended.title": "Account suspended",
    "suspended.leave": "Leave",
  },
};

const listeners = new Set();
let lang = readStoredLang();

function readStoredLang() {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "fr";
  } catch {
    return "fr"; // storage can be disabled (private browsing, strict settings)
  }
}

export function currentLang() {
  return lang;
}

/** The string for `key` in the current language, with {name} placeholders filled in. */
export function t(key, vars = {}) {
  const template = STRINGS[lang][key] ?? STRINGS.fr[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

/** A refusal's human text from the server, in the current language. */
export function serverText(error) {
  const code = error && error.code;
  const texts = error && error.texts;
  const given = texts && typeof texts === "object" ? texts[lang] || texts.fr : "";
  // A refusal the server sent with its code as its only text: our own words for it.
  if (given && given !== code) return given;
  const own = code ? STRINGS[lang][`code.${code}`] || STRINGS.fr[`code.${code}`] : null;
  if (own) {
    const wait = error.details && Number(error.details.retry_after);
    return wait > 0 ? `${own} ${t("retry.after", { s: Math.ceil(wait) })}` : own;
  }
  if (code === "network") return t("error.network");
  if (code === "disconnected") return t("error.disconnected");
  return t("error.generic");
}

/** One of the server's {fr, en} texts (a tip, a notice), in the current language. */
export function localText(texts) {
  if (!texts || typeof texts !== "object") return "";
  return texts[lang] || texts.fr || "";
}

export function setLang(next) {
  lang = next === "en" ? "en" : "fr";
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not kept across visits, but the switch still works for this page
  }
  translateDocument();
  for (const listener of listeners) listener(lang);
}

export function onLangChange(listener) {
  listeners.add(listener);
}

/** Fill every element marked with data-i18n* attributes (static markup only: never user data). */
export function translateDocument(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  }
}
