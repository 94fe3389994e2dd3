// Scan: start a scan (targets, exclusions, protocols), follow it live, read its results table and
// open a host's record; earlier scans stay selectable. Routes: #/scan[/SCAN_ID[/ADDRESS]].
import { PROTOCOLS } from '@nopesight/model';
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Loading } from '../app.js';
import { request } from '../api.js';
import { href, useBanner, useLive, useResource, useSubmit } from '../hooks.js';
import { dateTime, duration, percent, protocolLabel } from '../format.js';
import type { HostSummary, ScanDetail, ScanList, ScanProgress, ScanSummary } from '../types.js';
import { Badge } from '../ui/badge.js';
import { Card, Empty } from '../ui/empty.js';
import { TextField } from '../ui/field.js';
import { TableHead } from '../ui/table.js';
import { initialScope, scopeBody, ScopeFields, type Scope } from '../ui/scope-fields.js';
import { HostDetail } from './host-detail.js';

/** Rows rendered at once; more on request (a /16 can have thousands of live hosts). */
const PAGE = 500;

export function ScanTab({ route }: { route: string[] }) {
  const list = useResource<ScanList>('/scans?limit=50');
  const [progress, setProgress] = useState<{ scanId: string; progress: ScanProgress } | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const banner = useBanner();

  // Scans seen finishing. A short scan's scan.finished event can overtake the answer to its
  // POST /scans or a list fetched before it ended; neither may mark it running again.
  const finished = useRef(new Set<string>());

  useEffect(() => {
    const cur = list.data?.current;
    const live = cur && !finished.current.has(cur.scanId) ? cur : null;
    setRunning(live?.scanId ?? null);
    if (live?.progress) setProgress({ scanId: live.scanId, progress: live.progress });
  }, [list.data]);

  useLive<{ scanId: string; progress: ScanProgress }>('scan.progress', (d) => {
    if (finished.current.has(d.scanId)) return;
    setRunning(d.scanId);
    setProgress(d);
  });
  useLive<{ scanId: string; error?: { code: string; message: string } }>('scan.finished', (d) => {
    finished.current.add(d.scanId);
    setRunning(null);
    if (d.error) banner.show(`Scan ${d.scanId} failed: ${d.error.message} (${d.error.code})`);
    void list.reload();
  });
  useLive<{ scanId: string; message: string }>('scan.warning', (d) =>
    setWarnings((w) => [...w, d.message].slice(-20)),
  );
  useLive('resync', () => void list.reload());

  const [scanId, address] = route;
  const selected = scanId ?? running ?? list.data?.scans[0]?.scanId ?? null;

  if (scanId && address) return <HostDetail scanId={scanId} address={address} />;

  return (
    <div class="stack">
      <ScanForm
        running={running}
        onStarted={(id) => {
          if (!finished.current.has(id)) setRunning(id);
          setProgress(null);
          setWarnings([]);
          location.hash = href('scan', id);
          void list.reload();
        }}
      />
      {running && (
        <ProgressPanel
          scanId={running}
          progress={progress?.scanId === running ? progress.progress : null}
          warnings={warnings}
        />
      )}
      {!list.data ? (
        <Loading />
      ) : list.data.scans.length === 0 && !selected ? (
        <Card title="Results">
          <Empty title="No scans yet">
            <p>Enter targets above and press Start: live hosts appear here as they are found.</p>
          </Empty>
        </Card>
      ) : (
        selected && (
          <Results scanId={selected} scans={list.data.scans} running={running === selected} />
        )
      )}
    </div>
  );
}

function ScanForm({
  running,
  onStarted,
}: {
  running: string | null;
  onStarted: (id: string) => void;
}) {
  const [scope, setScope] = useState<Scope>(() => initialScope());
  const [ports, setPorts] = useState('');
  const [cancelling, setCancelling] = useState(false);
  const { errors, busy, run } = useSubmit();

  useEffect(() => setCancelling(false), [running]);

  const start = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = scopeBody(scope);
    if (ports.trim() !== '') body.ports = ports.trim();
    const r = await run(
      () => request<{ scanId: string }>('POST', '/scans', body),
      ['targets', 'excludes', 'protocols', 'ports'],
    );
    if (r) onStarted(r.scanId);
  };

  return (
    <Card title="New scan">
      <form class="grid-form scan-form" onSubmit={start} data-form="scan" novalidate>
        <ScopeFields
          id="scan"
          scope={scope}
          onChange={setScope}
          errors={errors}
          text={{
            targets:
              'CIDRs (10.0.0.0/24), ranges (10.0.0.1-50), addresses or host names; one per line or comma separated. Ctrl+Enter starts.',
            excludes: 'Addresses or ranges to leave out, same syntax.',
            protocols:
              'Collectors run only on hosts whose port is open and only with credentials in scope.',
            discoveryOnly: 'Discovery only (no logins)',
          }}
          placeholders={{ targets: '192.168.1.0/24\n10.0.0.1-10.0.0.50', excludes: '192.168.1.1' }}
          submitOnCtrlEnter
        />
        <TextField
          id="scan-ports"
          name="ports"
          class="mono"
          label="Ports (optional)"
          hint="Override the sweep's ports, e.g. 22,80,443,161/udp."
          error={errors.ports}
          value={ports}
          onValue={setPorts}
        />
        <div class="actions">
          <span class="spacer" />
          {running && (
            <button
              type="button"
              class="danger"
              data-action="cancel-scan"
              disabled={cancelling}
              onClick={async () => {
                setCancelling(true);
                await run(() =>
                  request('POST', `/scans/${encodeURIComponent(running)}/cancel`, {}),
                );
              }}
            >
              {cancelling ? 'Cancelling…' : 'Cancel scan'}
            </button>
          )}
          <button type="submit" class="primary" disabled={busy || running !== null}>
            {running ? 'Scan running…' : 'Start scan'}
          </button>
        </div>
      </form>
    </Card>
  );
}

/** A running scan's live numbers (the Scan tab; the Scheduler tab for a run-now done here). */
export function ProgressPanel({
  scanId,
  progress,
  warnings,
  title,
  children,
}: {
  scanId: string;
  progress: ScanProgress | null;
  warnings: string[];
  title?: ComponentChildren;
  children?: ComponentChildren;
}) {
  const p = progress;
  const rate = p && p.elapsedMs > 0 ? (p.swept * 1000) / p.elapsedMs : null;
  const ratio = p?.expected ? Math.min(1, p.swept / p.expected) : null;
  const eta = p?.expected && rate && rate > 0 ? ((p.expected - p.swept) / rate) * 1000 : null;
  return (
    <Card
      class="progress-card"
      title={
        title ?? (
          <>
            Scanning <span class="mono subtle">{scanId}</span>
          </>
        )
      }
    >
      <div
        class="progress"
        role="progressbar"
        aria-label="Sweep progress"
        aria-valuemin={0}
        aria-valuemax={p?.expected ?? undefined}
        aria-valuenow={p?.swept ?? 0}
        data-progress
      >
        <div
          class={`bar${ratio === null ? ' indeterminate' : ''}`}
          style={{ width: ratio === null ? '30%' : `${ratio * 100}%` }}
        />
      </div>
      <dl class="stats" data-stats>
        <Stat
          label="Swept"
          value={p ? `${p.swept}${p.expected ? ` / ${p.expected}` : ''}` : '…'}
          name="swept"
        />
        <Stat label="Alive" value={p ? String(p.alive) : '…'} name="alive" />
        <Stat label="Collected" value={p ? String(p.collected) : '…'} name="collected" />
        <Stat
          label="Rate"
          value={rate !== null ? `${rate.toFixed(rate < 10 ? 1 : 0)} addr/s` : '—'}
          name="rate"
        />
        <Stat label="Elapsed" value={p ? duration(p.elapsedMs) : '—'} name="elapsed" />
        <Stat label="ETA" value={eta !== null ? duration(eta) : '—'} name="eta" />
      </dl>
      {warnings.length > 0 && (
        <ul class="warnings" data-warnings>
          {warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      {children}
    </Card>
  );
}

function Stat({ label, value, name }: { label: string; value: string; name: string }) {
  return (
    <div data-stat={name}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function hostName(h: HostSummary): string {
  const first = h.hostnames[0];
  return typeof first === 'string' ? first : (first?.name ?? '');
}

function scanLabel(s: ScanSummary & { source?: string }): string {
  const t = s.targets.join(', ');
  return `${dateTime(s.startedAt)} · ${t.length > 40 ? `${t.slice(0, 40)}…` : t} · ${s.state}${s.source ? ` (${s.source})` : ''}`;
}

function Results({
  scanId,
  scans,
  running,
}: {
  scanId: string;
  scans: ScanSummary[];
  running: boolean;
}) {
  const detail = useResource<ScanDetail>(`/scans/${encodeURIComponent(scanId)}`);
  const [filter, setFilter] = useState('');
  const [limit, setLimit] = useState(PAGE);
  // Hosts that arrived live: kept in a map and shown at most every 500 ms, so a /16 sweep
  // (thousands of events) does not re-render the table for each one.
  const extra = useRef(new Map<string, HostSummary>());
  const [version, setVersion] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    extra.current = new Map();
    setVersion((v) => v + 1);
    setLimit(PAGE);
  }, [scanId, detail.data]);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
    },
    [],
  );
  useLive<{ scanId: string; host: HostSummary }>('scan.host', (d) => {
    if (d.scanId !== scanId) return;
    extra.current.set(d.host.address, d.host);
    pending.current ??= setTimeout(() => {
      pending.current = null;
      setVersion((v) => v + 1);
    }, 500);
  });
  useLive<{ scanId: string }>('scan.finished', (d) => {
    if (d.scanId === scanId) void detail.reload();
  });
  useLive('resync', () => void detail.reload());
  // Whatever events came before this table subscribed, the finished scan is read again in full.
  const wasRunning = useRef(running);
  useEffect(() => {
    if (wasRunning.current && !running) void detail.reload();
    wasRunning.current = running;
  }, [running]);

  const hosts = useMemo(() => {
    const byAddr = new Map<string, HostSummary>();
    for (const h of detail.data?.hosts ?? []) byAddr.set(h.address, h);
    for (const h of extra.current.values()) byAddr.set(h.address, h);
    return [...byAddr.values()].sort((a, b) => compareAddr(a.address, b.address));
    // `version` stands for changes to `extra` (a ref).
  }, [detail.data, version]);
  const protocols = useMemo(() => {
    const set = new Set<string>();
    for (const h of hosts) for (const p of h.protocols) set.add(p.protocol);
    return PROTOCOLS.filter((p) => set.has(p)) as string[];
  }, [hosts]);
  const matching =
    filter.trim() === '' ? hosts : hosts.filter((h) => matches(h, filter.trim().toLowerCase()));
  const shown = matching.slice(0, limit);
  const scan = detail.data?.scan ?? scans.find((s) => s.scanId === scanId) ?? null;
  const inList = scans.some((s) => s.scanId === scanId);

  return (
    <Card
      title="Results"
      actions={
        <>
          <label class="sr-only" for="scan-select">
            Scan
          </label>
          <select
            id="scan-select"
            value={scanId}
            onChange={(e) => {
              location.hash = href('scan', (e.target as HTMLSelectElement).value);
            }}
          >
            {!inList && <option value={scanId}>{scanId}</option>}
            {scans.map((s) => (
              <option key={s.scanId} value={s.scanId}>
                {scanLabel(s)}
              </option>
            ))}
          </select>
          <label class="sr-only" for="host-filter">
            Filter hosts
          </label>
          <input
            id="host-filter"
            type="search"
            placeholder="Filter: address, name, type, status…"
            value={filter}
            onInput={(e) => setFilter((e.target as HTMLInputElement).value)}
          />
        </>
      }
    >
      {scan && <ScanFacts scan={scan} running={running} />}
      {detail.data?.truncated && (
        <p class="muted" data-truncated>
          The server sent the first {detail.data.hosts.length} of {detail.data.total} hosts; the
          whole scan is in the results file and on the platform.
        </p>
      )}
      {detail.error && !running ? (
        <p class="error">{detail.error.message}</p>
      ) : hosts.length === 0 ? (
        detail.loading && !running ? (
          <Loading />
        ) : (
          <Empty title={running ? 'Looking for live hosts…' : 'No live hosts in this scan'}>
            {!running && (
              <p>
                Nothing answered on the probed ports. Check the targets and exclusions, or the
                ports.
              </p>
            )}
          </Empty>
        )
      ) : (
        <div class="table-wrap tall">
          <table class="data hosts" data-table="hosts">
            <TableHead
              columns={[
                'Address',
                'Host name',
                'Type',
                'Open ports',
                ...protocols.map(protocolLabel),
              ]}
            />
            <tbody>
              {shown.map((h) => {
                const to = href('scan', scanId, h.address);
                return (
                  <tr
                    key={h.address}
                    data-host={h.address}
                    class="clickable"
                    onClick={() => {
                      location.hash = to;
                    }}
                  >
                    <td class="mono">
                      <a href={to}>{h.address}</a>
                    </td>
                    <td>{hostName(h) || <span class="muted">—</span>}</td>
                    <td>{h.ciType.replace(/_/g, ' ')}</td>
                    <td class="mono ports">{h.openPorts.join(', ')}</td>
                    {protocols.map((p) => {
                      const a = h.protocols.find((x) => x.protocol === p);
                      return (
                        <td key={p} data-protocol={p}>
                          {a ? (
                            <Badge
                              status={a.status}
                              title={a.error ? `${a.error.code}: ${a.error.message}` : undefined}
                            />
                          ) : (
                            <span class="muted">—</span>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                );
              })}
            </tbody>
          </table>
          {matching.length === 0 && <p class="muted pad">No host matches “{filter}”.</p>}
          {matching.length > shown.length && (
            <p class="pad more">
              Showing {shown.length} of {matching.length} hosts.{' '}
              <button type="button" onClick={() => setLimit(limit + PAGE)} data-action="more">
                Show {Math.min(PAGE, matching.length - shown.length)} more
              </button>
            </p>
          )}
        </div>
      )}
    </Card>
  );
}

function ScanFacts({ scan, running }: { scan: ScanSummary; running: boolean }) {
  const statuses = Object.entries(scan.statuses ?? {}).filter(([, n]) => (n ?? 0) > 0);
  const attempts = statuses.reduce((t, [, n]) => t + (n ?? 0), 0);
  return (
    <div class="facts" data-scan-facts={scan.scanId}>
      <Badge status={running ? 'running' : scan.state} />
      <span>{dateTime(scan.startedAt)}</span>
      {!running && <span>{duration(scan.durationMs)}</span>}
      <span class="mono">{scan.targets.join(', ')}</span>
      <span>
        {scan.counts.alive} alive · {scan.counts.collected} collected of {scan.counts.swept} swept
      </span>
      {attempts > 0 && (
        <span>
          success {percent((scan.statuses.success ?? 0) / attempts)}{' '}
          {statuses.map(([s, n]) => (
            <Badge key={s} status={s}>
              {s.replace(/_/g, ' ')} {n}
            </Badge>
          ))}
        </span>
      )}
    </div>
  );
}

function matches(h: HostSummary, q: string): boolean {
  return (
    h.address.includes(q) ||
    hostName(h).toLowerCase().includes(q) ||
    h.ciType.toLowerCase().includes(q) ||
    h.openPorts.some((p) => String(p) === q) ||
    h.protocols.some((p) => p.status.includes(q) || p.protocol.includes(q))
  );
}

/** IPv4 addresses in numeric order, anything else after them as text. */
function compareAddr(a: string, b: string): number {
  const n = (s: string) => {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
    return m ? m.slice(1).reduce((t, x) => t * 256 + Number(x), 0) : null;
  };
  const x = n(a);
  const y = n(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return a.localeCompare(b);
}
