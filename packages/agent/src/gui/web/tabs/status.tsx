// Status: the platform connection, agent metrics, scan history with success rates, the upload
// outbox and its dead letters, and the log viewer; refreshed by the live `status` event.
import { useEffect, useState } from 'preact/hooks';
import { Loading } from '../app.js';
import { href, useLive, useResource } from '../hooks.js';
import { dateTime, duration, percent } from '../format.js';
import type { ScanList, StatusView } from '../types.js';
import { Badge } from '../ui/badge.js';
import { Card, Empty } from '../ui/empty.js';
import { DataTable } from '../ui/table.js';
import { LogViewer } from './log-viewer.js';
import { ChannelCard, MetricsCard, OutboxCard, SCAN_RATE_HINT, scanLine } from './status-cards.js';

export function StatusTab() {
  const res = useResource<StatusView>('/status');
  const scans = useResource<ScanList>('/scans?limit=20');
  const [status, setStatus] = useState<StatusView | null>(null);
  useEffect(() => setStatus(res.data), [res.data]);
  useLive<StatusView>('status', setStatus);
  useLive('scan.finished', () => void scans.reload());

  return (
    <div class="status-grid">
      {!status ? (
        <Loading error={res.error} />
      ) : (
        <>
          <ChannelCard status={status} />
          <MetricsCard status={status} />
          <ScanHistory list={scans.data} totals={status.scans} />
          <OutboxCard status={status} />
        </>
      )}
      <LogViewer />
    </div>
  );
}

const HISTORY_COLUMNS = [
  'Started',
  'State',
  'Source',
  'Targets',
  'Alive',
  'Collected',
  'Duration',
  {
    label: 'Protocol success',
    title:
      'Protocol attempts that succeeded / protocol attempts (one per protocol tried on a host); — when no protocol was tried',
  },
];

function ScanHistory({ list, totals }: { list: ScanList | null; totals: StatusView['scans'] }) {
  return (
    <Card
      title="Scan history"
      class="wide"
      actions={
        <span class="muted" data-scan-totals title={SCAN_RATE_HINT}>
          {totals.total} ended scans: {scanLine(totals)}
        </span>
      }
    >
      {!list ? (
        <Loading />
      ) : list.scans.length === 0 ? (
        <Empty title="No scans yet">
          <p>
            Start one from the <a href={href('scan')}>Scan</a> tab or let a schedule run.
          </p>
        </Empty>
      ) : (
        <DataTable name="scan-history" class="compact" columns={HISTORY_COLUMNS}>
          {list.scans.map((s) => (
            <tr key={s.scanId}>
              <td>
                <a href={href('scan', s.scanId)}>{dateTime(s.startedAt)}</a>
              </td>
              <td>
                <Badge status={s.state} />
              </td>
              <td>
                {s.source === 'schedule' && s.scheduleName
                  ? `schedule ${s.scheduleName}`
                  : (s.source ?? '—')}
              </td>
              <td class="mono scope">{s.targets.join(', ')}</td>
              <td>{s.counts.alive}</td>
              <td>{s.counts.collected}</td>
              <td>{duration(s.durationMs)}</td>
              <td data-cell="protocol-success">
                {s.protocolAttempts && s.protocolAttempts.tried > 0 ? (
                  <>
                    {percent(s.successRate ?? null)}{' '}
                    <span class="muted small">
                      ({s.protocolAttempts.succeeded}/{s.protocolAttempts.tried})
                    </span>
                  </>
                ) : (
                  <span
                    class="muted"
                    title="no protocol was tried (discovery only, or no open port a protocol uses)"
                  >
                    —
                  </span>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </Card>
  );
}
