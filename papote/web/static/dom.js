// Building DOM nodes without ever parsing HTML: user content only goes through text nodes.

/**
 * h("li", {class: "x", text: "hello", onclick: fn, "aria-label": "…"}, child, …)
 * `text` and string children become text nodes; attributes are set one by one.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function byId(id) {
  return document.getElementById(id);
}

export function show(el, visible = true) {
  el.hidden = !visible;
}

/**
 * Replace a list's children, keeping keyboard focus on the element with the same data-key:
 * lists are re-rendered often (unread counts) and focus must not jump away.
 */
export function replaceChildrenKeepingFocus(container, children) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.key : null;
  container.replaceChildren(...children);
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

/** A stable colour class for a pseudonym's avatar (classes, since the CSP forbids inline styles). */
export function avatarClass(pseudo) {
  let hash = 0;
  for (const char of pseudo.toLowerCase()) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return `avatar avatar-${hash % 8}`;
}

export function avatar(pseudo) {
  const initial = [...pseudo][0] || "?";
  return h("span", { class: avatarClass(pseudo), "aria-hidden": "true", text: initial.toUpperCase() });
}

/** A random client message id (hex): getRandomValues works on plain http too, unlike randomUUID. */
export function clientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function isWide() {
  return window.matchMedia("(min-width: 720px)").matches;
}
