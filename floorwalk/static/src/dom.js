// A tiny DOM builder: the app draws its screens with it (no framework, no inline styles).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let fieldCount = 0;

/** A labelled field: the label's text is the control's accessible name. */
export function field(labelText, control, hint) {
  const id = control.id || `f${++fieldCount}`;
  control.id = id;
  const parts = [h("label", { for: id, text: labelText }), control];
  if (hint) parts.push(h("p", { class: "muted hint", text: hint }));
  return h("div", { class: "field" }, parts);
}

export function button(text, onclick, cls = "button") {
  return h("button", { type: "button", class: cls, onclick }, text);
}
