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

/**
 * Makes `parent`'s children one element per item, in order, keeping the
 * element already shown for an item's key (data-key): `draw(item, el)`
 * updates `el` in place and returns it, or returns a new element. A kept
 * element keeps its focus, caret and typed text, so a list redrawn every
 * few seconds does not throw a keyboard user out of it; if the focused
 * element's row is replaced, focus goes to the same control in the new row.
 */
export function reconcile(parent, items, key, draw) {
  const active = document.activeElement;
  const holder = active && active !== parent && parent.contains(active) ? [...parent.children].find((c) => c.contains(active)) : null;
  const shown = new Map([...parent.children].map((c) => [c.dataset.key, c]));
  const next = items.map((item) => {
    const k = String(key(item));
    const el = draw(item, shown.get(k));
    el.dataset.key = k;
    return el;
  });
  const keep = new Set(next);
  for (const c of [...parent.children]) if (!keep.has(c)) c.remove();
  next.forEach((el, i) => {
    const at = parent.children[i] ?? null;
    if (at === el) return;
    // moveBefore (where there is one) moves a row without blurring it.
    if (el.parentNode === parent && parent.moveBefore) parent.moveBefore(el, at);
    else parent.insertBefore(el, at);
  });
  if (holder && document.activeElement !== active) refocus(next.find((el) => el.dataset.key === holder.dataset.key), active);
  return parent;
}

/** Focus back on `was`, or on its counterpart in `row` that replaced its row. */
function refocus(row, was) {
  if (was.isConnected) return was.focus({ preventScroll: true });
  if (!row) return;
  const same = was.dataset.action ? row.querySelector(`[data-action="${CSS.escape(was.dataset.action)}"]`)
    : row.querySelector(was.tagName.toLowerCase());
  const target = same || row.querySelector('a, button, input, select, textarea') || row;
  if (target === row && !row.hasAttribute('tabindex')) row.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: true });
}
