// The table printed at the end of a scan: one row per live host, then the totals.
import type { HostRecord, ScanSummary } from '@nopesight/model';
import { formatDuration } from './progress.js';

/** Renders rows as aligned columns. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The host table (at most `maxRows` rows) followed by the scan totals. */
export function formatSummary(summary: ScanSummary, hosts: HostRecord[], maxRows = 200): string {
  const out: string[] = [];
  if (hosts.length > 0) {
    const rows = hosts
      .slice(0, maxRows)
      .map((h) => [
        h.address,
        h.hostnames[0]?.name ?? '',
        h.macs[0] ? `${h.macs[0].mac}${h.macs[0].vendor ? ` (${h.macs[0].vendor})` : ''}` : '',
        h.ci.type,
        h.discovery.openPorts.map((p) => `${p.port}/${p.proto}`).join(','),
        h.protocols.length > 0
          ? h.protocols.map((a) => `${a.protocol}:${a.status}`).join(',')
          : h.discovery.candidateProtocols.join(',') || '-',
      ]);
    out.push(renderTable(['ADDRESS', 'HOSTNAME', 'MAC', 'TYPE', 'OPEN PORTS', 'PROTOCOLS'], rows));
    if (hosts.length > maxRows) out.push(`… and ${hosts.length - maxRows} more hosts (use --json)`);
    out.push('');
  }
  const statuses = Object.entries(summary.statuses)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out.push(
    `Scan ${summary.scanId} ${summary.state} in ${formatDuration(summary.durationMs)}: ` +
      `${summary.counts.swept} swept, ${summary.counts.alive} alive, ` +
      `${summary.counts.collected} collected` +
      (statuses ? `; protocol attempts: ${statuses}` : ''),
  );
  return out.join('\n') + '\n';
}
