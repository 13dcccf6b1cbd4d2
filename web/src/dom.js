// A small element builder: text always goes in as text nodes, never HTML.

/**
 * h('a', {href: '#', class: 'x', onclick: fn}, 'text', child, [more])
 * Attributes named on* become listeners; null/false attributes are skipped;
 * `true` sets an empty boolean attribute.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces an element's content. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A polite live message in an element with role=status. */
export function notice(kind, text) {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/**
 * Shows a message in `box` and brings it into view: on a phone, a refusal
 * shown above the fold looks like a button that did nothing.
 */
export function tell(box, kind, text) {
  mount(box, notice(kind, text));
  box.scrollIntoView?.({ block: 'nearest' });
  return box;
}

/**
 * Names every body cell after its column (data-label), so that on a phone,
 * where `table.cards` rows are shown as cards, each value keeps its name.
 */
export function labelCells(table) {
  const names = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
  for (const tr of table.querySelectorAll('tbody tr')) {
    [...tr.children].forEach((cell, i) => {
      if (names[i] && !cell.dataset.label) cell.dataset.label = names[i];
    });
  }
  return table;
}
