// A seeded pseudo-random generator for fuzz tests and bench workloads (replayable: a failing
// case is re-run with the same seed). xorshift32; not for anything secret.

/** Numbers in [0, 1) from `seed` (any non-zero 32-bit integer). */
export function seededRandom(seed: number): () => number {
  let x = seed | 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}
