// CIs (list with type filter and paging; one CI with its sections and relationships) and the
// relationships list.
import { getJson } from './api.js';
import { ago, badge, compact, h, objectTable, replace, table, valueView } from './dom.js';
import { CI_TYPES, RELATIONSHIP_TYPES } from './model.js';
import { listPage, routeHash } from './widgets.js';

/** Section names in reading order, with their titles; others follow in their own order. */
const SECTION_TITLES = {
  system: 'System',
  os: 'Operating system',
  hardware: 'Hardware',
  software: 'Installed software',
  connections: 'Network connections',
  services: 'Services',
  processes: 'Processes',
  users: 'Users',
  interfaces: 'Interfaces',
  network: 'Network',
  neighbors: 'Neighbors',
  virtualization: 'Virtualization',
};

const ciLink = (id, name) => h('a', { href: `#/ci/${encodeURIComponent(id)}` }, name || id);

function sectionStates(sections) {
  return Object.entries(sections ?? {}).map(([name, s]) =>
    h('span', { class: `chip state-${String(s?.state).replace(/[^a-z]/g, '')}` }, `${name}`),
  );
}

export function cisPage(ctx) {
  return listPage(ctx, {
    route: 'cis',
    title: 'Configuration items',
    path: '/api/cmdb/ci',
    filters: [
      { name: 'type', label: 'type', options: CI_TYPES },
      { name: 'q', label: 'name contains' },
    ],
    empty: 'No CI matches.',
    render: (rows) =>
      table(
        'data cis',
        ['Name', 'Type', 'Addresses', 'Sections', 'Last seen'],
        rows.map((c) =>
          h(
            'tr',
            { 'data-ci-id': c.id },
            h('td', null, ciLink(c.id, c.name)),
            h('td', null, c.type),
            h('td', null, (c.addresses ?? []).join(', ')),
            h('td', null, sectionStates(c.sections)),
            h('td', null, ago(c.lastSeenAt)),
          ),
        ),
      ),
  });
}

function relationshipsTable(rels, selfId) {
  return table(
    'data relationships',
    ['Source', 'Type', 'Target', 'Evidence', 'Agent', 'Last seen'],
    rels.map((r) =>
      h(
        'tr',
        null,
        h(
          'td',
          null,
          r.sourceCiId === selfId
            ? h('strong', null, r.sourceName ?? 'this CI')
            : ciLink(r.sourceCiId, r.sourceName),
        ),
        h('td', null, r.type),
        h('td', null, r.targetCiId ? ciLink(r.targetCiId, r.target) : r.target),
        h('td', null, h('code', null, compact(r.evidence, 300))),
        h('td', null, r.agentId),
        h('td', null, ago(r.lastSeenAt)),
      ),
    ),
  );
}

function ciSection(name, title, entry) {
  return h(
    'section',
    { class: 'ci-section', 'data-section': name },
    h(
      'h2',
      null,
      title,
      ' ',
      entry.state ? badge(entry.state, 'state') : null,
      entry.observedAt ? h('small', null, ` observed ${entry.observedAt}`) : null,
    ),
    entry.data === null || entry.data === undefined
      ? h('p', { class: 'muted' }, 'No data collected.')
      : valueView(entry.data),
  );
}

export async function ciPage(ctx, id) {
  const ci = await getJson(`/api/cmdb/ci/${encodeURIComponent(id)}`);
  if (!ctx.alive()) return;
  const sections = ci.sections ?? {};
  const names = [
    ...Object.keys(SECTION_TITLES).filter((n) => n in sections),
    ...Object.keys(sections).filter((n) => !(n in SECTION_TITLES)),
  ];
  replace(
    ctx.main,
    h('p', null, h('a', { href: '#/cis' }, '← CIs')),
    h('h1', { class: 'ci-name' }, ci.name),
    h('p', null, badge(ci.type, 'type'), ' ', h('small', null, ci.typeReason)),
    h(
      'section',
      { class: 'ci-section', 'data-section': 'identity' },
      h('h2', null, 'Identity'),
      valueView({
        ...ci.identity,
        addresses: ci.addresses,
        firstSeenAt: ci.firstSeenAt,
        lastSeenAt: ci.lastSeenAt,
      }),
    ),
    names.map((n) => ciSection(n, SECTION_TITLES[n] ?? n, sections[n] ?? {})),
    h(
      'section',
      { class: 'ci-section', 'data-section': 'relationships' },
      h('h2', null, `Relationships (${ci.relationshipsTotal ?? ci.relationships.length})`),
      ci.relationships.length
        ? relationshipsTable(ci.relationships, ci.id)
        : h('p', { class: 'muted' }, 'None.'),
      h(
        'p',
        null,
        h(
          'a',
          { href: routeHash('relationships', { ciId: ci.id }) },
          'All relationships of this CI',
        ),
      ),
    ),
    h(
      'section',
      { class: 'ci-section', 'data-section': 'discovery' },
      h('h2', null, 'Discovery'),
      valueView(ci.discovery),
    ),
    h(
      'section',
      { class: 'ci-section', 'data-section': 'sources' },
      h('h2', null, 'Sources'),
      objectTable(ci.sources ?? []),
    ),
  );
}

export function relationshipsPage(ctx) {
  return listPage(ctx, {
    route: 'relationships',
    title: 'Relationships',
    path: '/api/cmdb/relationships',
    filters: [
      { name: 'type', label: 'type', options: RELATIONSHIP_TYPES },
      { name: 'ciId', label: 'CI id (either end)' },
    ],
    empty: 'No relationship matches.',
    render: (rows) => relationshipsTable(rows, null),
  });
}
