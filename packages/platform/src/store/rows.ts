// Row shapes of the store's tables and their API form (camelCase, JSON columns decoded).

export interface TokenRow {
  id: string;
  name: string;
  role: string;
  agent_id: string | null;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AgentRow {
  agent_id: string;
  name: string;
  registered_at: string;
  last_seen_at: string;
  last_heartbeat_at: string | null;
  reported_status: string | null;
  reported_error: string | null;
  metrics: string | null;
  hello: string | null;
}

export interface ScanRow {
  agent_id: string;
  scan_id: string;
  state: string;
  batches: number;
  hosts: number;
  final_seq: number | null;
  summary: string | null;
  progress: string | null;
  protocol_statuses: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  first_batch_at: string | null;
  updated_at: string;
}

export interface CiRow {
  id: string;
  type: string;
  type_reason: string;
  name: string;
  identity: string;
  sections: string;
  addresses: string;
  sources: string;
  discovery: string;
  first_seen_at: string;
  last_seen_at: string;
}

export interface RelationshipRow {
  id: string;
  source_ci_id: string;
  source_name: string | null;
  type: string;
  target: string;
  target_kind: string;
  target_value: string;
  target_ci_id: string | null;
  evidence: string;
  agent_id: string;
  scan_id: string;
  first_seen_at: string;
  last_seen_at: string;
}

/** A JSON column: its value, or `fallback` when null. */
export function decode<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T);
}
