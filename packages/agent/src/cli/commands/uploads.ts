// `nopesight-scanner uploads status|flush|retry`: the outbox of scan batches for the platform.
import { openStore, type OutboxEntry } from '../../store/index.js';
import { IntegrationStore } from '../../platform/integration.js';
import { openPlatformLink } from '../../platform/link.js';
import type { DrainResult } from '../../platform/uploader.js';
import { parseCommandArgs } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { CliIo, Command } from '../io.js';
import { noIntegration, usage, withCommandSession, withSubcommands } from './integration.js';

const HELP = `Usage: nopesight-scanner uploads <status|flush|retry> [options]

Scans are uploaded to the platform in batches (docs/protocol.md). A batch waits in the outbox
(DATA_DIR/scanner.db) until the platform has it; a batch the platform refuses (400, 413) becomes
a dead letter, kept until retried. A refused token (401, 403) stops uploads and keeps everything.

uploads status [--json]
  Counts of pending batches and dead letters, the last error, and each dead letter.

uploads flush [--timeout-ms N]
  Sends the pending batches now and waits until the outbox is empty or sending fails (a few
  retries with backoff, at most --timeout-ms, default 120000). Exit 0 when nothing is left.

uploads retry [KEY...]
  Moves the dead letters (all, or those with these keys) back to pending and flushes.

Every subcommand takes --data-dir DIR (or NOPESIGHT_DATA_DIR) and -h/--help.

Exit codes: 0 done (flush: nothing left pending); 1 batches remain (the platform is unreachable,
refused the token, or refused a batch); 2 bad usage or no integration; 3 the store or key cannot be read.`;

const FLUSH = { budgetMs: 120_000, maxConsecutiveFailures: 4 };

export const uploadsCommand: Command = withSubcommands(
  {
    name: 'uploads',
    summary: 'show, flush or retry the uploads queued for the platform',
    help: HELP,
  },
  {
    status: runStatus,
    flush: (rest, io) => runFlush(rest, io, null),
    retry: (rest, io) => runFlush(rest, io, 'retry'),
  },
);

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function entryJson(e: OutboxEntry): Record<string, unknown> {
  const { state, nextAttemptAt, ...rest } = e;
  return { ...rest, nextAttemptAt: state === 'pending' ? iso(nextAttemptAt) : null };
}

async function runStatus(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
  if (positionals.length > 0) throw usage('uploads', 'uploads status takes no arguments');
  return withCommandSession(values, io, 'uploads', async ({ dir }) => {
    const settings = await new IntegrationStore(dir).settings();
    const store = openStore(dir);
    try {
      const counts = store.outbox.counts();
      const dead = store.outbox.list('dead');
      const pending = store.outbox.list('pending', 100);
      const lastError = pending.find((p) => p.lastError !== null)?.lastError ?? null;
      if (values.json) {
        const doc = {
          integration: settings
            ? { name: settings.name, apiUrl: settings.apiUrl, agentId: settings.agentId }
            : null,
          pending: counts.pending,
          deadLetters: counts.deadLetters,
          pendingBytes: counts.pendingBytes,
          nextAttemptAt: iso(counts.nextAttemptAt),
          lastError,
          pendingBatches: pending.map(entryJson),
          deadLetterBatches: dead.map(entryJson),
        };
        io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        return EXIT.ok;
      }
      const out = (line: string) => io.stdout.write(`${line}\n`);
      out(
        `integration:  ${settings ? `${settings.name} (${settings.apiUrl}, agent ${settings.agentId})` : 'none configured'}`,
      );
      out(`pending:      ${counts.pending} batches, ${counts.pendingBytes} bytes`);
      if (counts.pending > 0) out(`next attempt: ${iso(counts.nextAttemptAt)}`);
      if (lastError) out(`last error:   ${lastError}`);
      out(
        `dead letters: ${counts.deadLetters}${counts.deadLetters > 0 ? ' (resend with: nopesight-scanner uploads retry)' : ''}`,
      );
      for (const d of dead)
        out(`  ${d.key}  ${d.hosts} hosts  ${d.bytes} bytes  ${d.lastError ?? ''}`);
      return EXIT.ok;
    } finally {
      store.close();
    }
  });
}

async function runFlush(args: string[], io: CliIo, mode: 'retry' | null): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { 'timeout-ms': { type: 'string' } });
  if (mode === null && positionals.length > 0)
    throw usage('uploads', 'uploads flush takes no arguments');
  const timeoutText = values['timeout-ms'];
  if (timeoutText !== undefined && !/^[1-9]\d{0,7}$/.test(String(timeoutText))) {
    throw usage(
      'uploads',
      `--timeout-ms must be a positive number of ms, got '${String(timeoutText)}'`,
    );
  }
  const budgetMs = timeoutText === undefined ? FLUSH.budgetMs : Number(timeoutText);
  return withCommandSession(values, io, 'uploads', async (session) => {
    const link = await openPlatformLink(session.dir, session.config, {
      env: io.env,
      logs: session.logs,
    });
    if (!link) throw noIntegration();
    try {
      if (mode === 'retry') {
        const known = new Set(link.store.outbox.list('dead', 1_000_000).map((d) => d.key));
        const missing = positionals.filter((k) => !known.has(k));
        if (missing.length > 0)
          throw usage('uploads', `no dead letter with key ${missing.join(', ')}`);
        const moved = link.store.outbox.retryDead(positionals.length > 0 ? positionals : undefined);
        link.log.info('dead letters moved back to pending', { moved });
        io.stdout.write(`${moved} dead letter${moved === 1 ? '' : 's'} queued again\n`);
      }
      link.store.outbox.dueNow();
      const result = await link.drain({
        signal: io.signal,
        budgetMs,
        maxConsecutiveFailures: FLUSH.maxConsecutiveFailures,
      });
      return report(result, io);
    } finally {
      await link.close();
    }
  });
}

function report(r: DrainResult, io: CliIo): number {
  io.stdout.write(
    `sent ${r.sent} batch${r.sent === 1 ? '' : 'es'}${r.duplicates > 0 ? ` (${r.duplicates} already stored)` : ''}; ` +
      `pending ${r.pending}; dead letters ${r.deadLetters}${r.deadLettered > 0 ? ` (${r.deadLettered} new)` : ''}\n`,
  );
  if (r.lastError && (r.pending > 0 || r.deadLettered > 0)) {
    io.stderr.write(`nopesight-scanner: ${r.lastError.code}: ${r.lastError.message}\n`);
  }
  if (r.stoppedBy === 'aborted') return EXIT.interrupted;
  return r.pending === 0 && r.deadLettered === 0 ? EXIT.ok : EXIT.failed;
}
