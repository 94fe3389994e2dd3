// Pieces the list pages share: the pager, the CSV export link, error lines, polling.
/* global setTimeout, URLSearchParams */
import { downloadCsv, getJson } from './api.js';
import { h, replace } from './dom.js';

/** A route's hash for `page` with its filters: `#/cis?type=server&page=2`. */
export function routeHash(route, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) q.set(k, String(v));
  const s = q.toString();
  return s ? `#/${route}?${s}` : `#/${route}`;
}

/** "Page 2 of 7 (331)" with previous/next links that keep the filters. */
export function pager(route, query, pagination) {
  const { page, limit, total } = pagination;
  const pages = Math.max(1, Math.ceil(total / limit));
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'pages' },
    page > 1
      ? h('a', { href: routeHash(route, { ...query, page: page - 1 }) }, '← previous')
      : null,
    h('span', null, ` page ${page} of ${pages} (${total}) `),
    page < pages
      ? h('a', { href: routeHash(route, { ...query, page: page + 1 }) }, 'next →')
      : null,
  );
}

/** An "Export CSV" link: fetches `path?format=csv` with the token and saves the file. */
export function csvLink(path, query, filename) {
  const status = h('span', { class: 'muted' });
  const link = h(
    'a',
    {
      href: '#',
      class: 'csv',
      'data-csv': filename,
      onclick: (ev) => {
        ev.preventDefault();
        replace(status);
        downloadCsv(path, query, filename).catch((err) => replace(status, ` ${err.message}`));
      },
    },
    'Export CSV',
  );
  return h('span', null, link, status);
}

/** A visible error line. */
export function errorLine(err) {
  return h('p', { class: 'error', role: 'alert' }, String(err?.message ?? err));
}

/** The page number from the route's query (1 when absent or odd). */
export function pageParam(params) {
  const n = Number(params.get('page') ?? '1');
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

export const POLL_MS = 2000;

/**
 * Runs `refresh` now and every POLL_MS while the page is the one shown (`ctx.alive()`); an
 * error is shown in `errorSlot` and the next round tries again.
 */
export async function poll(ctx, errorSlot, refresh) {
  while (ctx.alive()) {
    try {
      await refresh();
      replace(errorSlot);
    } catch (err) {
      if (!ctx.alive()) return;
      replace(errorSlot, errorLine(err));
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** A filter form whose submit goes to `route` with the fields' values (page 1). */
export function filterForm(ctx, route, fields) {
  const controls = fields.map((f) =>
    f.options
      ? h(
          'select',
          { name: f.name, 'aria-label': f.label },
          h('option', { value: '' }, `any ${f.label}`),
          f.options.map((o) => h('option', { value: o, selected: o === f.value }, o)),
        )
      : h('input', {
          name: f.name,
          value: f.value ?? '',
          placeholder: f.label,
          'aria-label': f.label,
        }),
  );
  return h(
    'form',
    {
      class: 'filters',
      onsubmit: (ev) => {
        ev.preventDefault();
        const q = {};
        controls.forEach((c) => (q[c.name] = c.value.trim()));
        ctx.navigate(routeHash(route, q));
      },
    },
    controls,
    h('button', { type: 'submit' }, 'Filter'),
  );
}

/**
 * A filtered, paged list page: reads the filters and the page from the route, fetches `path`,
 * and shows the title, the filter form, the CSV export (same filters), the rows drawn by
 * `render` (or `empty`) and the pager.
 * @example listPage(ctx, { route: 'scans', title: 'Scan logs', path: '/api/discovery/scans', filters: [{ name: 'agentId', label: 'agent id' }], empty: 'None.', render: (rows) => table(…) })
 */
export async function listPage(ctx, spec) {
  const query = {};
  for (const f of spec.filters) query[f.name] = ctx.params.get(f.name) ?? '';
  const list = await getJson(spec.path, { ...query, page: pageParam(ctx.params), limit: 50 });
  if (!ctx.alive()) return;
  replace(
    ctx.main,
    h('h1', null, spec.title),
    filterForm(
      ctx,
      spec.route,
      spec.filters.map((f) => ({ ...f, value: query[f.name] })),
    ),
    h('p', null, csvLink(spec.path, query, `${spec.route}.csv`)),
    list.data.length === 0 ? h('p', { class: 'muted' }, spec.empty) : spec.render(list.data),
    pager(spec.route, query, list.pagination),
  );
}
