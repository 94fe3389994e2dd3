// Safe DOM building for the UI. Every string becomes a text node or an attribute value set with
// setAttribute; nothing is ever parsed as HTML, so host records from untrusted devices cannot
// become markup. Event handlers must be functions and links must stay inside the app (#/…).
/* global document */

const FORBIDDEN_ATTRIBUTE = /^(on|src$|srcdoc$|action$|formaction$|style$|xlink:)/i;

/**
 * Creates an element: `h('td', {class: 'num'}, 'text', node, [more])`. `onclick`-style keys
 * take functions; `value`, `checked`, `disabled` and `hidden` are set as properties.
 * @example h('a', { href: '#/ci/' + encodeURIComponent(id) }, name)
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (/^on[a-z]+$/.test(key)) {
      if (typeof value !== 'function') throw new TypeError(`${key} must be a function`);
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value' || key === 'checked' || key === 'disabled' || key === 'hidden') {
      el[key] = value;
    } else if (key === 'href') {
      if (!String(value).startsWith('#')) throw new TypeError(`links stay in the app: ${value}`);
      el.setAttribute('href', String(value));
    } else if (FORBIDDEN_ATTRIBUTE.test(key)) {
      throw new TypeError(`attribute ${key} is not allowed`);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends children: nodes as they are, strings and numbers as text, arrays flattened. */
export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (typeof c === 'object' && 'nodeType' in c) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
  return el;
}

/** Replaces an element's content. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A status word as a badge whose class and data-status name it (`status-online`). */
export function badge(word, extraClass = '') {
  const w = String(word ?? 'unknown');
  const safe = w.replace(/[^a-z0-9_-]/gi, '');
  return h('span', { class: `badge status-${safe} ${extraClass}`.trim(), 'data-status': w }, w);
}

const isScalar = (v) => v === null || typeof v !== 'object';

function scalarText(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** A compact one-line rendering of any value (JSON for objects, bounded in length). */
export function compact(v, max = 200) {
  const s = isScalar(v) ? scalarText(v) : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A table with a header row of `headers` and `rows` (tr elements) as its body. */
export function table(cls, headers, rows) {
  return h(
    'table',
    { class: cls },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        headers.map((c) => h('th', null, c)),
      ),
    ),
    h('tbody', null, rows),
  );
}

/** Rows shown before a "show all" button, so a host with 5000 packages stays responsive. */
export const ROWS_SHOWN = 200;

/** A table of objects: one column per key seen (in first-seen order), cells kept compact. */
export function objectTable(rows, opts = {}) {
  const columns = [];
  for (const r of rows) {
    if (isScalar(r) || Array.isArray(r)) continue;
    for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  }
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'data' },
    h(
      'thead',
      null,
      h('tr', null, columns.length ? columns.map((c) => h('th', null, c)) : h('th')),
    ),
    body,
  );
  const fill = (n) => {
    replace(
      body,
      rows
        .slice(0, n)
        .map((r) =>
          h(
            'tr',
            null,
            isScalar(r) || Array.isArray(r)
              ? h('td', null, compact(r))
              : columns.map((c) => h('td', null, compact(r[c], opts.cellMax ?? 200))),
          ),
        ),
    );
  };
  fill(ROWS_SHOWN);
  if (rows.length <= ROWS_SHOWN) return table;
  const more = h(
    'button',
    {
      type: 'button',
      class: 'link',
      onclick: () => {
        fill(rows.length);
        more.remove();
      },
    },
    `Show all ${rows.length} rows`,
  );
  return h('div', null, table, more);
}

/** Any value as nodes: objects as key/value lists, arrays of objects as tables, bounded depth. */
export function valueView(v, depth = 0) {
  if (isScalar(v)) return h('span', { class: v === null ? 'muted' : '' }, scalarText(v));
  if (Array.isArray(v)) {
    if (v.length === 0) return h('span', { class: 'muted' }, 'none');
    if (v.every(isScalar)) return h('span', null, v.map(scalarText).join(', '));
    return objectTable(v);
  }
  if (depth >= 2) return h('code', null, compact(v, 2000));
  const entries = Object.entries(v);
  if (entries.length === 0) return h('span', { class: 'muted' }, 'none');
  return h(
    'dl',
    { class: 'kv' },
    entries.map(([k, x]) => [h('dt', null, k), h('dd', null, valueView(x, depth + 1))]),
  );
}

/** "12 s ago" for an ISO time, with the time itself as the title. */
export function ago(iso, nowMs = Date.now()) {
  if (!iso) return h('span', { class: 'muted' }, 'never');
  const s = Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000));
  const text =
    s < 90
      ? `${s} s ago`
      : s < 5400
        ? `${Math.round(s / 60)} min ago`
        : s < 172800
          ? `${Math.round(s / 3600)} h ago`
          : `${Math.round(s / 86400)} d ago`;
  return h('time', { datetime: iso, title: iso }, text);
}

/** Bytes in binary units. */
export function bytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Seconds as "3 d 4 h", "5 h 2 min", "40 s". */
export function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** Splits a list typed by the operator on commas, spaces and line breaks. */
export function splitList(text) {
  return String(text ?? '')
    .split(/[\s,]+/)
    .filter((x) => x.length > 0);
}
