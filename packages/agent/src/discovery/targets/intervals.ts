// Inclusive bigint intervals: merge, subtract, size and lookup, all O(intervals), never O(addresses).

/** An inclusive run of addresses of one family, `first <= last`. */
export interface Interval {
  first: bigint;
  last: bigint;
}

/**
 * Sorts and merges overlapping or adjacent intervals into a sorted disjoint list (a new array).
 * @example mergeIntervals([{ first: 5n, last: 9n }, { first: 1n, last: 5n }]) // [{ first: 1n, last: 9n }]
 */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) =>
    a.first < b.first ? -1 : a.first > b.first ? 1 : 0,
  );
  const out: Interval[] = [];
  for (const { first, last } of sorted) {
    const prev = out[out.length - 1];
    if (prev && first <= prev.last + 1n) {
      if (last > prev.last) prev.last = last;
    } else {
      out.push({ first, last });
    }
  }
  return out;
}

/**
 * Removes `minus` from `from`; both must be sorted and disjoint (as mergeIntervals returns).
 * @example subtractIntervals([{ first: 1n, last: 10n }], [{ first: 4n, last: 5n }]) // 1-3, 6-10
 */
export function subtractIntervals(
  from: readonly Interval[],
  minus: readonly Interval[],
): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const interval of from) {
    let start = interval.first;
    const end = interval.last;
    while (j < minus.length && (minus[j] as Interval).last < start) j++;
    let k = j;
    while (start <= end) {
      const cut = minus[k];
      if (!cut || cut.first > end) {
        out.push({ first: start, last: end });
        break;
      }
      if (cut.first > start) out.push({ first: start, last: cut.first - 1n });
      start = cut.last + 1n;
      k++;
    }
  }
  return out;
}

/**
 * The number of addresses in a disjoint list.
 * @example intervalsSize([{ first: 1n, last: 3n }, { first: 7n, last: 7n }]) // 4n
 */
export function intervalsSize(intervals: readonly Interval[]): bigint {
  let n = 0n;
  for (const { first, last } of intervals) n += last - first + 1n;
  return n;
}

/**
 * True when `value` lies in the sorted disjoint list (binary search).
 * @example intervalsContain([{ first: 1n, last: 3n }], 2n) // true
 */
export function intervalsContain(intervals: readonly Interval[], value: bigint): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const it = intervals[mid] as Interval;
    if (value < it.first) hi = mid - 1;
    else if (value > it.last) lo = mid + 1;
    else return true;
  }
  return false;
}
