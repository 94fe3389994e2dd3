// The agent's JSON log lines as tests read them back from a data directory.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The records of DATA_DIR/logs/NAME (`agent.log`, `scheduler.log`…); none while it is missing. */
export function logLines(dataDir: string, name: string): Record<string, unknown>[] {
  const file = join(dataDir, 'logs', name);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
