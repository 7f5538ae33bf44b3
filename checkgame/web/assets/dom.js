// A tiny element builder. Text always goes in as text nodes, so names typed by other players can never
// become markup.

/** h("button", {class: "x", onclick: fn}, "text", child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name === "style") { // through the CSSOM: the Content-Security-Policy refuses style attributes
      for (const [property, setting] of Object.entries(value)) el.style.setProperty(property, String(setting));
    }
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replace the content of `root`, keeping keyboard focus on the element with the same data-focus key
 * (the table re-renders on every event; focus must not jump to the top of the page).
 */
export function render(root, ...children) {
  const active = document.activeElement;
  const key = active && root.contains(active) ? active.dataset.focus : undefined;
  root.replaceChildren();
  append(root, children);
  if (key) { // the same control, or (a played card is gone) another one of its kind
    const kind = CSS.escape(key.split("-")[0]);
    const again = root.querySelector(`[data-focus="${CSS.escape(key)}"]`) || root.querySelector(`[data-focus^="${kind}-"]`)
      || root.querySelector("[data-focus]");
    if (again) again.focus({ preventScroll: true });
  }
}
