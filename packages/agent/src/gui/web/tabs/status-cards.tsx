// Cards of the Status tab that read GET /api/status (and its live `status` event).
import { bytes, dateTime, duration, percent, relative } from '../format.js';
import type { ChannelState, StatusView } from '../types.js';
import { Badge } from '../ui/badge.js';
import { Card, Empty } from '../ui/empty.js';
import { DataTable } from '../ui/table.js';

/** The control channel's state, wherever the status body carries it. */
export function channelOf(s: StatusView): ChannelState | null {
  const c = s.channel ?? s.agent?.channel ?? null;
  if (c === null || c === undefined) return null;
  if (typeof c === 'string') return { state: c };
  return c.state ? c : null;
}

/** Whether the agent daemon (service or `daemon`) runs now. */
export function daemonRunning(s: StatusView): boolean {
  const a = s.agent;
  return a !== null && (a.running ?? !a.stoppedAt);
}

const CHANNEL_BADGE: Record<string, string> = {
  connected: 'success',
  connecting: 'running',
  waiting: 'failed',
  stopped: 'none',
};

export function ChannelCard({ status }: { status: StatusView }) {
  const c = channelOf(status);
  const a = status.agent;
  const running = daemonRunning(status);
  return (
    <Card
      title="Platform connection"
      actions={c && <Badge status={CHANNEL_BADGE[c.state] ?? c.state}>{c.state}</Badge>}
      class="status-card"
    >
      {!c ? (
        <p class="muted" data-channel="none">
          {running
            ? 'The agent runs without a platform connection.'
            : 'No agent daemon is running, so there is no WebSocket connection. Start the service (Service tab) or run nopesight-scanner daemon.'}
        </p>
      ) : (
        <dl class="kv" data-channel={c.state}>
          <div>
            <dt>WebSocket</dt>
            <dd>
              {c.state}
              {c.since ? ` since ${dateTime(c.since)}` : ''}
            </dd>
          </div>
          {c.url && (
            <div>
              <dt>URL</dt>
              <dd class="mono">{c.url}</dd>
            </div>
          )}
          {c.localAddress && (
            <div>
              <dt>Local address</dt>
              <dd class="mono">{c.localAddress}</dd>
            </div>
          )}
          {c.connects !== undefined && (
            <div>
              <dt>Connects</dt>
              <dd>{c.connects}</dd>
            </div>
          )}
          {c.lastError && (
            <div>
              <dt>Last error</dt>
              <dd class="error-text">{c.lastError}</dd>
            </div>
          )}
          {c.retryAt && (
            <div>
              <dt>Next attempt</dt>
              <dd>{relative(c.retryAt)}</dd>
            </div>
          )}
        </dl>
      )}
      {a && (
        <p class="muted small" data-daemon>
          Agent {a.agentId}: pid {a.pid}, started {dateTime(a.startedAt)}
          {a.stoppedAt ? `, stopped ${dateTime(a.stoppedAt)}` : ''}
          {!running && !a.stoppedAt ? ' — no longer running' : ''}.
        </p>
      )}
    </Card>
  );
}

export function MetricsCard({ status }: { status: StatusView }) {
  const m = status.metrics;
  return (
    <Card title="Agent metrics" class="status-card">
      {!m ? (
        <p class="muted">No metrics yet.</p>
      ) : (
        <dl class="metrics" data-metrics>
          <Metric label="CPU (system)" value={`${m.cpuPercent.toFixed(1)} %`} />
          {m.processCpuPercent !== undefined && (
            <Metric label="CPU (agent)" value={`${m.processCpuPercent.toFixed(1)} %`} />
          )}
          <Metric label="Memory (agent RSS)" value={bytes(m.memory.rssBytes)} />
          <Metric
            label="Memory free"
            value={`${bytes(m.memory.freeBytes)} of ${bytes(m.memory.totalBytes)}`}
          />
          <Metric label="Disk free" value={bytes(m.diskFreeBytes)} />
          <Metric label="Local IP" value={m.localIp ?? '—'} mono />
          <Metric label="Uptime" value={duration(m.uptimeSeconds * 1000)} />
          <Metric label="Scans" value={scanLine(status.scans)} name="scans" />
        </dl>
      )}
    </Card>
  );
}

/** The agent's scans in one line; the same numbers and rate as the scan history's header. */
export function scanLine(t: StatusView['scans']): string {
  return `${t.succeeded} completed, ${t.failed} failed, ${t.cancelled} cancelled · ${percent(t.successRate)} success`;
}

/** What the success rate counts, for its tooltip. */
export const SCAN_RATE_HINT =
  'Success rate = completed / (completed + failed). Cancelled scans were stopped by a person and count neither way; running scans count once they end.';

function Metric({
  label,
  value,
  mono,
  name,
}: {
  label: string;
  value: string;
  mono?: boolean;
  name?: string;
}) {
  return (
    <div data-metric={name} title={name === 'scans' ? SCAN_RATE_HINT : undefined}>
      <dt>{label}</dt>
      <dd class={mono ? 'mono' : undefined}>{value}</dd>
    </div>
  );
}

export function OutboxCard({ status }: { status: StatusView }) {
  const o = status.outbox;
  const dead = o.deadLetterCount ?? o.deadLetters.length;
  return (
    <Card
      title="Upload outbox"
      actions={
        <Badge status={dead > 0 ? 'failed' : o.pending > 0 ? 'running' : 'success'}>
          {o.pending} pending
        </Badge>
      }
      class="status-card wide"
    >
      <p class="muted" data-outbox>
        {o.pending} batch{o.pending === 1 ? '' : 'es'} waiting to upload
        {o.pendingBytes ? ` (${bytes(o.pendingBytes)})` : ''} · {dead} dead letter
        {dead === 1 ? '' : 's'}
        {dead > o.deadLetters.length ? ` (the first ${o.deadLetters.length} shown)` : ''}
      </p>
      {o.deadLetters.length === 0 ? (
        <Empty title="No dead letters">
          <p>Batches the platform refused for good would be listed here with the reason.</p>
        </Empty>
      ) : (
        <DataTable
          name="dead-letters"
          class="compact"
          columns={['Scan', 'Batch', 'Hosts', 'Queued', 'Attempts', 'Reason']}
        >
          {o.deadLetters.map((d, i) => (
            <tr key={d.key ?? i} data-dead-letter={d.key}>
              <td class="mono">{d.scanId}</td>
              <td>{d.seq}</td>
              <td>{d.hosts ?? '—'}</td>
              <td>{dateTime(d.createdAt)}</td>
              <td>{d.attempts ?? '—'}</td>
              <td>{d.reason ?? ''}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Card>
  );
}
