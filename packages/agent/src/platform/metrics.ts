// The agent's metrics for heartbeats and `metrics.get` (docs/protocol.md `metrics`): CPU, memory,
// disk free where the data lives, the address that reaches the platform, scan statistics and the
// outbox, from the store the agent already has open.
import { statfs } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import type { Store } from '../store/index.js';
import { scanTotals } from '../scan/scan-stats.js';
import type { AgentMetrics } from './agent-metrics.js';

export type { AgentMetrics };

export interface MetricsSource {
  /** DATA_DIR: where results, the store and logs are written. */
  dataDir: string;
  store: Pick<Store, 'scans' | 'outbox'>;
  localIp(): string | null;
  /** Injected for tests. */
  now?: () => number;
}

interface CpuSample {
  at: number;
  idle: number;
  total: number;
  processMicros: number;
}

function sampleCpu(at: number): CpuSample {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  const usage = process.cpuUsage();
  return { at, idle, total, processMicros: usage.user + usage.system };
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const clampPercent = (n: number) => round1(Math.min(100, Math.max(0, Number.isFinite(n) ? n : 0)));

/**
 * Takes samples; CPU percentages cover the time since the previous `sample()` (or since the
 * collector was made), so a heartbeat reports the load of its interval.
 */
export class MetricsCollector {
  readonly #src: MetricsSource;
  readonly #now: () => number;
  readonly #startedAt: number;
  #cpu: CpuSample;

  constructor(source: MetricsSource) {
    this.#src = source;
    this.#now = source.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#cpu = sampleCpu(this.#startedAt);
  }

  async sample(): Promise<AgentMetrics> {
    const cpu = sampleCpu(this.#now());
    const prev = this.#cpu;
    this.#cpu = cpu;
    const totalTicks = cpu.total - prev.total;
    const systemPercent = totalTicks > 0 ? 100 * (1 - (cpu.idle - prev.idle) / totalTicks) : 0;
    const wallMicros = Math.max(1, (cpu.at - prev.at) * 1000);
    const cores = Math.max(1, cpus().length);
    const processPercent = (100 * (cpu.processMicros - prev.processMicros)) / wallMicros / cores;

    const { scans, outbox } = this.#src.store;
    const totals = scanTotals(scans.stateCounts());
    const box = outbox.counts();
    return {
      cpuPercent: clampPercent(systemPercent),
      processCpuPercent: clampPercent(processPercent),
      memory: { rssBytes: process.memoryUsage.rss(), totalBytes: totalmem(), freeBytes: freemem() },
      diskFreeBytes: await diskFree(this.#src.dataDir),
      localIp: this.#src.localIp(),
      scans: {
        completed: totals.succeeded,
        failed: totals.failed,
        successRate: totals.successRate,
      },
      outboxDepth: box.pending,
      deadLetters: box.deadLetters,
      uptimeSeconds: Math.round((this.#now() - this.#startedAt) / 1000),
    };
  }
}

async function diskFree(dir: string): Promise<number | null> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}
