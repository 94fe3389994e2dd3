// Discovery → Agents: the list (status, last seen, metrics, scans, connection quality) and an
// agent's page with the scan form and the schedules editor, both sent as operator commands.
/* global crypto */
import { command, getJson } from './api.js';
import { ago, badge, bytes, duration, h, replace, splitList, table, valueView } from './dom.js';
import { PROTOCOLS } from './model.js';
import { csvLink, errorLine, pageParam, pager, poll } from './widgets.js';

const num = (v) => typeof v === 'number' && Number.isFinite(v);

/** One line of the agent's last heartbeat metrics (docs/protocol.md `metrics`). */
export function metricsLine(m) {
  if (!m || typeof m !== 'object') return h('span', { class: 'muted' }, 'no heartbeat yet');
  const parts = [];
  if (num(m.cpuPercent)) parts.push(`CPU ${m.cpuPercent.toFixed(1)} %`);
  if (num(m.memory?.rssBytes)) parts.push(`RSS ${bytes(m.memory.rssBytes)}`);
  if (num(m.memory?.freeBytes) && num(m.memory?.totalBytes)) {
    parts.push(`mem ${bytes(m.memory.freeBytes)} free of ${bytes(m.memory.totalBytes)}`);
  }
  if (num(m.diskFreeBytes)) parts.push(`disk ${bytes(m.diskFreeBytes)} free`);
  if (typeof m.localIp === 'string') parts.push(m.localIp);
  if (num(m.outboxDepth)) parts.push(`outbox ${m.outboxDepth}`);
  if (num(m.deadLetters)) parts.push(`dead letters ${m.deadLetters}`);
  if (num(m.uptimeSeconds)) parts.push(`up ${duration(m.uptimeSeconds)}`);
  return h('span', { class: 'metrics' }, parts.join(' · ') || '—');
}

/** The connection quality grade with what it was graded on. */
export function qualityView(c) {
  if (!c) return h('span', { class: 'muted' }, '—');
  const detail = [];
  if (c.onTimeRatio !== null) {
    detail.push(`${Math.round(c.onTimeRatio * 100)} % of ${c.gaps} heartbeats on time`);
  }
  detail.push(`${c.reconnectsLastHour} reconnects in the last hour`);
  if (c.maxGapMs !== null) detail.push(`longest gap ${(c.maxGapMs / 1000).toFixed(1)} s`);
  return h(
    'span',
    { class: 'quality', title: detail.join('; ') },
    badge(c.grade, 'quality'),
    h('small', null, ` ${detail.join(' · ')}`),
  );
}

function scansCell(a) {
  const rate = a.metrics?.scans?.successRate;
  return [
    h('span', { class: 'scans-completed' }, String(a.scansCompleted)),
    num(rate) ? h('small', null, ` (${Math.round(rate * 100)} % ok)`) : null,
  ];
}

function statusCell(a) {
  return [
    badge(a.status),
    a.connected ? null : h('small', { class: 'muted' }, ' not connected'),
    a.error ? h('div', { class: 'error' }, `${a.error.code}: ${a.error.message}`) : null,
  ];
}

function agentRow(a, nowMs) {
  const about = [a.hostname, a.version && `v${a.version}`].filter(Boolean).join(' · ');
  return h(
    'tr',
    { 'data-agent-id': a.agentId },
    h(
      'td',
      null,
      h('a', { href: `#/agents/${encodeURIComponent(a.agentId)}` }, a.agentId),
      about ? h('div', null, h('small', null, about)) : null,
    ),
    h('td', { class: 'status' }, statusCell(a)),
    h('td', null, ago(a.lastSeenAt, nowMs)),
    h('td', null, metricsLine(a.metrics)),
    h('td', { class: 'num' }, scansCell(a)),
    h('td', null, qualityView(a.connection)),
  );
}

export async function agentsPage(ctx) {
  const page = pageParam(ctx.params);
  const listSlot = h('div');
  const errors = h('div');
  replace(
    ctx.main,
    h('h1', null, 'Discovery → Agents'),
    h(
      'p',
      { class: 'hint' },
      'Refreshed every 2 s. Open an agent to start a scan or edit its schedules. ',
      csvLink('/api/discovery/agents', {}, 'agents.csv'),
    ),
    errors,
    listSlot,
  );
  await poll(ctx, errors, async () => {
    const list = await getJson('/api/discovery/agents', { page, limit: 50 });
    const nowMs = Date.now();
    replace(
      listSlot,
      list.data.length === 0
        ? h('p', { class: 'muted' }, 'No agent has registered yet.')
        : table(
            'data agents',
            ['Agent', 'Status', 'Last seen', 'Metrics', 'Scans completed', 'Connection'],
            list.data.map((a) => agentRow(a, nowMs)),
          ),
      pager('agents', {}, list.pagination),
    );
  });
}

/** Finds one agent in the list, a page of 500 at a time (bounded by the total). */
async function findAgent(agentId) {
  for (let page = 1; page <= 1000; page++) {
    const list = await getJson('/api/discovery/agents', { page, limit: 500 });
    const a = list.data.find((x) => x.agentId === agentId);
    if (a) return a;
    if (page * 500 >= list.pagination.total) return null;
  }
  return null;
}

function agentSummary(a) {
  const rows = [
    ['Status', statusCell(a)],
    ['Connection quality', qualityView(a.connection)],
    ['Connected since', a.connection?.connectedSince ?? '—'],
    ['Last seen', ago(a.lastSeenAt)],
    ['Last heartbeat', ago(a.lastHeartbeatAt)],
    ['Registered', a.registeredAt],
    ['Scans completed', scansCell(a)],
    ['Host name', a.hostname ?? '—'],
    ['Version', a.version ?? '—'],
    ['OS', valueView(a.os)],
    ['Capabilities', a.capabilities.join(', ') || '—'],
    ['Metrics', metricsLine(a.metrics)],
  ];
  return h(
    'dl',
    { class: 'kv summary' },
    rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}

/** Shows an agent's reply to a command: its result, or its error code and message. */
function replyLine(reply, ok) {
  if (reply.type === 'error') {
    const p = reply.payload ?? {};
    return h('span', { class: 'error', 'data-result': 'error' }, `${p.code}: ${p.message}`);
  }
  return h('span', { class: 'ok', 'data-result': 'ok' }, ok(reply.payload ?? {}));
}

function scanForm(agentId) {
  const result = h('output', { class: 'result' });
  const targets = h('textarea', {
    name: 'targets',
    rows: 2,
    required: true,
    placeholder: '192.0.2.0/24 198.51.100.10-198.51.100.40 host.example',
  });
  const excludes = h('input', { name: 'excludes', placeholder: '192.0.2.1' });
  const ports = h('input', { name: 'ports', placeholder: 'the agent default' });
  const boxes = PROTOCOLS.map((p) => h('input', { type: 'checkbox', name: 'protocol', value: p }));
  const none = h('input', { type: 'checkbox', name: 'none' });
  const submit = h('button', { type: 'submit' }, 'Start scan');
  const form = h(
    'form',
    {
      class: 'scan-form',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const payload = { targets: splitList(targets.value) };
        if (payload.targets.length === 0) {
          replace(result, errorLine('give at least one target'));
          return;
        }
        const ex = splitList(excludes.value);
        if (ex.length) payload.excludes = ex;
        const protocols = boxes.filter((b) => b.checked).map((b) => b.value);
        if (none.checked) payload.protocols = 'none';
        else if (protocols.length) payload.protocols = protocols;
        if (ports.value.trim()) payload.ports = ports.value.trim();
        submit.disabled = true;
        replace(result, 'sending…');
        try {
          const reply = await command(agentId, 'scan.start', payload);
          replace(
            result,
            replyLine(reply, (p) => `scan ${p.scanId} started`),
          );
        } catch (err) {
          replace(result, errorLine(err));
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('label', null, 'Targets (addresses, ranges, CIDRs, names)', targets),
    h('label', null, 'Excludes', excludes),
    h(
      'fieldset',
      null,
      h('legend', null, 'Protocols (none ticked: the agent chooses from the ports)'),
      boxes.map((b) => h('label', { class: 'inline' }, b, ` ${b.value}`)),
      h('label', { class: 'inline' }, none, ' discovery only'),
    ),
    h('label', null, 'Ports', ports),
    submit,
    ' ',
    result,
  );
  return h('section', null, h('h2', null, 'Start a scan'), form);
}

const newId = () =>
  typeof crypto?.randomUUID === 'function'
    ? crypto.randomUUID()
    : `s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** One editable schedule row; `read()` gives the Schedule back. */
function scheduleRow(s, onRemove) {
  const input = (name, value, placeholder) =>
    h('input', { name, value: value ?? '', placeholder, 'aria-label': name });
  const name = input('name', s.name, 'nightly');
  const cron = input('cron', s.cron, '0 2 * * *');
  const targets = input('targets', (s.targets ?? []).join(' '), '192.0.2.0/24');
  const excludes = input('excludes', (s.excludes ?? []).join(' '), '');
  const protocols = input(
    'protocols',
    s.protocols === 'none' ? 'none' : (s.protocols ?? []).join(' '),
    'ssh snmp (empty: auto)',
  );
  const ports = input('ports', s.ports, '');
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: s.enabled !== false });
  const row = h(
    'tr',
    { 'data-schedule-id': s.id },
    [name, cron, targets, excludes, protocols, ports, enabled].map((x) => h('td', null, x)),
    h(
      'td',
      null,
      h('button', { type: 'button', class: 'link', onclick: () => onRemove(row) }, 'remove'),
    ),
  );
  row.read = () => {
    const out = {
      id: s.id,
      name: name.value.trim(),
      cron: cron.value.trim(),
      targets: splitList(targets.value),
      enabled: enabled.checked,
    };
    const ex = splitList(excludes.value);
    if (ex.length) out.excludes = ex;
    const pr = splitList(protocols.value);
    if (pr.length === 1 && pr[0] === 'none') out.protocols = 'none';
    else if (pr.length) out.protocols = pr;
    if (ports.value.trim()) out.ports = ports.value.trim();
    return out;
  };
  return row;
}

function schedulesEditor(agentId) {
  const grid = table(
    'data',
    ['Name', 'Cron', 'Targets', 'Excludes', 'Protocols', 'Ports', 'Enabled', ''],
    [],
  );
  const body = grid.tBodies[0];
  const result = h('output', { class: 'result' });
  const remove = (row) => row.remove();
  const show = (schedules) =>
    replace(
      body,
      schedules.map((s) => scheduleRow(s, remove)),
    );
  const run = async (type, payload, ok) => {
    replace(result, 'asking the agent…');
    try {
      const reply = await command(agentId, type, payload);
      if (reply.type === 'result')
        show(Array.isArray(reply.payload?.schedules) ? reply.payload.schedules : []);
      replace(result, replyLine(reply, ok));
    } catch (err) {
      replace(result, errorLine(err));
    }
  };
  const load = () => run('schedules.get', {}, (p) => `${(p.schedules ?? []).length} schedules`);
  const save = () =>
    run(
      'schedules.put',
      { schedules: [...body.children].map((r) => r.read()) },
      (p) => `saved ${(p.schedules ?? []).length} schedules`,
    );
  const section = h(
    'section',
    { class: 'schedules' },
    h('h2', null, 'Schedules'),
    h(
      'p',
      { class: 'hint' },
      'Five-field cron in the agent’s time zone. Lists are separated by spaces or commas. Save replaces all of the agent’s schedules.',
    ),
    grid,
    h(
      'div',
      { class: 'buttons' },
      h(
        'button',
        {
          type: 'button',
          onclick: () => body.appendChild(scheduleRow({ id: newId(), enabled: true }, remove)),
        },
        'Add schedule',
      ),
      h('button', { type: 'button', class: 'save-schedules', onclick: save }, 'Save schedules'),
      h('button', { type: 'button', onclick: load }, 'Reload'),
      ' ',
      result,
    ),
  );
  return { section, load };
}

export async function agentPage(ctx, agentId) {
  const summary = h('div');
  const errors = h('div');
  const schedules = schedulesEditor(agentId);
  replace(
    ctx.main,
    h('p', null, h('a', { href: '#/agents' }, '← Agents')),
    h('h1', null, `Agent ${agentId}`),
    errors,
    summary,
    scanForm(agentId),
    schedules.section,
    h(
      'p',
      null,
      h('a', { href: `#/scans?agentId=${encodeURIComponent(agentId)}` }, 'Scan logs of this agent'),
    ),
  );
  let loaded = false;
  await poll(ctx, errors, async () => {
    const a = await findAgent(agentId);
    if (!a) {
      replace(summary, h('p', { class: 'muted' }, 'No agent with this id has registered.'));
      return;
    }
    replace(summary, agentSummary(a));
    if (!loaded && a.connected) {
      loaded = true;
      void schedules.load();
    }
  });
}
