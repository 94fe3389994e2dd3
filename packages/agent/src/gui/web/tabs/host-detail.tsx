// One host record of one scan: how it was found, what each protocol did, every CI section
// (collapsible, as a table or key/value list, or as JSON) and its relationships.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { Loading } from '../app.js';
import { href, useResource } from '../hooks.js';
import { duration, protocolLabel } from '../format.js';
import type { HostRecord } from '../types.js';
import { Badge } from '../ui/badge.js';
import { Card } from '../ui/empty.js';
import { DataTable, TableHead } from '../ui/table.js';

export function HostDetail({ scanId, address }: { scanId: string; address: string }) {
  const res = useResource<{ host: HostRecord }>(
    `/scans/${encodeURIComponent(scanId)}/hosts/${encodeURIComponent(address)}`,
  );
  const back = (
    <a href={href('scan', scanId)} class="back" data-action="back">
      ← Results
    </a>
  );
  if (!res.data) {
    return (
      <div class="stack">
        {back}
        <Loading error={res.error} />
      </div>
    );
  }
  const h = res.data.host;
  const { type, typeReason, identity, ...sections } = h.ci;
  const name = identity.hostname ?? h.hostnames[0]?.name ?? null;
  return (
    <div class="stack host-detail" data-host-detail={h.address}>
      {back}
      <Card
        title={
          <>
            <span class="mono">{h.address}</span>
            {name && <span class="subtle"> · {name}</span>}
          </>
        }
        actions={<span class="tag">{type.replace(/_/g, ' ')}</span>}
      >
        <p class="muted">{typeReason}</p>
        <div class="kv-grid">
          <KeyValues
            data={{
              hostnames: h.hostnames.map((n) => `${n.name} (${n.source})`).join(', ') || null,
              macs:
                h.macs.map((m) => `${m.mac}${m.vendor ? ` ${m.vendor}` : ''}`).join(', ') || null,
              fqdn: identity.fqdn,
              domain: identity.domain,
              serial: identity.serial,
              systemUuid: identity.systemUuid,
            }}
          />
        </div>
      </Card>

      <Section title="Protocols" name="protocols" open data={h.protocols}>
        <table class="data">
          <TableHead columns={['Protocol', 'Status', 'Credential', 'Duration', 'Error']} />
          <tbody>
            {h.protocols.length === 0 && (
              <tr>
                <td colSpan={5} class="muted">
                  No protocol was tried (discovery only, or no credential in scope).
                </td>
              </tr>
            )}
            {h.protocols.map((p, i) => (
              <tr key={i} data-protocol={p.protocol}>
                <td>{protocolLabel(p.protocol)}</td>
                <td>
                  <Badge status={p.status} />
                </td>
                <td class="mono">{p.credentialId ?? '—'}</td>
                <td>{duration(p.durationMs)}</td>
                <td>{p.error ? `${p.error.code}: ${p.error.message}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Discovery" name="discovery" open data={h.discovery}>
        <p class="muted">
          Found by {h.discovery.foundBy.join(', ') || '—'}
          {h.discovery.rttMs !== null ? ` · RTT ${h.discovery.rttMs} ms` : ''}
          {h.discovery.candidateProtocols.length > 0
            ? ` · candidate protocols: ${h.discovery.candidateProtocols.join(', ')}`
            : ''}
        </p>
        <DataView
          value={h.discovery.openPorts.map((p) => ({
            port: `${p.port}/${p.proto}`,
            service: p.service,
            banner: p.banner ?? '',
            tls: p.tls ? `${p.tls.subject}${p.tls.selfSigned ? ' (self-signed)' : ''}` : '',
          }))}
        />
        {(['smb', 'vsphere', 'netbios', 'snmpSysDescr', 'snmpV3'] as const).map((k) =>
          h.discovery[k] !== undefined ? (
            <div key={k}>
              <h4>{k}</h4>
              <DataView value={h.discovery[k]} />
            </div>
          ) : null,
        )}
      </Section>

      {Object.entries(sections).map(([k, v]) => (
        <Section
          key={k}
          title={k}
          name={k}
          state={h.sections[k]}
          count={Array.isArray(v) ? v.length : undefined}
          open={!Array.isArray(v) || v.length <= 20}
          data={v}
        >
          <DataView value={v} />
        </Section>
      ))}

      <Section
        title="Relationships"
        name="relationships"
        count={h.relationships.length}
        open={h.relationships.length <= 20}
        data={h.relationships}
      >
        <DataView
          value={h.relationships.map((r) => ({
            type: r.type,
            target: r.target,
            evidence: JSON.stringify(r.evidence),
          }))}
        />
      </Section>

      <Section title="Raw JSON" name="json">
        <pre class="json">{JSON.stringify(h, null, 2)}</pre>
      </Section>
    </div>
  );
}

function Section({
  title,
  name,
  state,
  count,
  open,
  data,
  children,
}: {
  title: string;
  name: string;
  state?: string | undefined;
  count?: number | undefined;
  open?: boolean;
  /** What the JSON view prints; without it the section has no JSON view. */
  data?: unknown;
  children: ComponentChildren;
}) {
  const [json, setJson] = useState(false);
  return (
    <details class="card section" data-section={name} open={open}>
      <summary>
        <span class="section-title">{title}</span>
        {count !== undefined && <span class="count">{count}</span>}
        {state && <Badge status={`section-${state}`}>{state}</Badge>}
      </summary>
      {data !== undefined && (
        <button
          type="button"
          class="link json-toggle"
          onClick={() => setJson(!json)}
          aria-pressed={json}
        >
          {json ? 'Table view' : 'JSON view'}
        </button>
      )}
      {json ? <pre class="json">{JSON.stringify(data, null, 2)}</pre> : children}
    </details>
  );
}

const isPlain = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Arrays of records as a table, records as key/value, anything else as text. */
export function DataView({ value }: { value: unknown }) {
  if (value === undefined || value === null) return <p class="muted">—</p>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <p class="muted">none</p>;
    if (value.every((r) => r && typeof r === 'object' && !Array.isArray(r))) {
      const cols: string[] = [];
      for (const r of value as Record<string, unknown>[])
        for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
      return (
        <DataTable class="compact" columns={cols}>
          {(value as Record<string, unknown>[]).map((r, i) => (
            <tr key={i}>
              {cols.map((c) => (
                <td key={c}>{cell(r[c])}</td>
              ))}
            </tr>
          ))}
        </DataTable>
      );
    }
    return <p>{value.map((v) => cell(v)).join(', ')}</p>;
  }
  if (typeof value === 'object') return <KeyValues data={value as Record<string, unknown>} />;
  return <p>{String(value)}</p>;
}

function KeyValues({ data }: { data: Record<string, unknown> }) {
  const entries = Object.entries(data).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (entries.length === 0) return <p class="muted">—</p>;
  return (
    <dl class="kv">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>
            {isPlain(v) ? (
              String(v)
            ) : Array.isArray(v) && v.every(isPlain) ? (
              v.join(', ')
            ) : (
              <DataView value={v} />
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (isPlain(v)) return String(v);
  if (Array.isArray(v) && v.every(isPlain)) return v.join(', ');
  return JSON.stringify(v);
}
