// Scan logs: one row per scan with its state, hosts, batches and, per protocol, the count of
// each of the seven statuses; CSV export of the same list.
import { ago, badge, h, table } from './dom.js';
import { PROTOCOL_STATUSES } from './model.js';
import { listPage } from './widgets.js';

/** Protocols × the seven statuses; a zero is shown as a dot so the counts stand out. */
export function statusMatrix(protocols) {
  const names = Object.keys(protocols ?? {});
  if (names.length === 0) return h('span', { class: 'muted' }, 'no protocol attempts');
  return h(
    'table',
    { class: 'matrix' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'protocol'),
        PROTOCOL_STATUSES.map((s) => h('th', { class: `st-${s}` }, s)),
      ),
    ),
    h(
      'tbody',
      null,
      names.map((p) =>
        h(
          'tr',
          { 'data-protocol': p },
          h('th', null, p),
          PROTOCOL_STATUSES.map((s) => {
            const n = Number(protocols[p]?.[s] ?? 0);
            return h('td', { class: n ? 'num' : 'num muted', 'data-status': s }, n ? n : '·');
          }),
        ),
      ),
    ),
  );
}

function progressLine(s) {
  const p = s.progress;
  if (s.state !== 'running' || !p || typeof p !== 'object') return null;
  const part = (k) => (typeof p[k] === 'number' ? `${k} ${p[k]}` : null);
  return h(
    'div',
    null,
    h(
      'small',
      null,
      ['swept', 'alive', 'collected', 'expected'].map(part).filter(Boolean).join(' · '),
    ),
  );
}

export function scansPage(ctx) {
  return listPage(ctx, {
    route: 'scans',
    title: 'Scan logs',
    path: '/api/discovery/scans',
    filters: [{ name: 'agentId', label: 'agent id' }],
    empty: 'No scan has been reported yet.',
    render: (rows) =>
      table(
        'data scans',
        ['Agent', 'Scan', 'State', 'Hosts', 'Batches', 'Started', 'Duration', 'Statuses'],
        rows.map((s) =>
          h(
            'tr',
            { 'data-scan-id': s.scanId },
            h('td', null, h('a', { href: `#/agents/${encodeURIComponent(s.agentId)}` }, s.agentId)),
            h('td', null, h('code', null, s.scanId)),
            h('td', null, badge(s.state), progressLine(s)),
            h('td', { class: 'num' }, s.hosts),
            h('td', { class: 'num' }, `${s.batchesReceived} / ${s.batchesExpected ?? '?'}`),
            h('td', null, s.startedAt ? ago(s.startedAt) : '—'),
            h(
              'td',
              { class: 'num' },
              s.durationMs === null ? '—' : `${(s.durationMs / 1000).toFixed(1)} s`,
            ),
            h('td', null, statusMatrix(s.protocols)),
          ),
        ),
      ),
  });
}
