// Tests for interval merge/subtract/lookup, the core of dedup and exclusions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  intervalsContain,
  intervalsSize,
  mergeIntervals,
  subtractIntervals,
  type Interval,
} from './intervals.js';

const iv = (pairs: [number, number][]): Interval[] =>
  pairs.map(([a, b]) => ({ first: BigInt(a), last: BigInt(b) }));

const merges: [string, [number, number][], [number, number][]][] = [
  ['empty', [], []],
  ['one', [[1, 5]], [[1, 5]]],
  [
    'overlapping',
    [
      [5, 9],
      [1, 6],
    ],
    [[1, 9]],
  ],
  [
    'adjacent',
    [
      [1, 4],
      [5, 9],
    ],
    [[1, 9]],
  ],
  [
    'contained',
    [
      [1, 10],
      [3, 4],
    ],
    [[1, 10]],
  ],
  [
    'disjoint unsorted',
    [
      [20, 30],
      [1, 2],
    ],
    [
      [1, 2],
      [20, 30],
    ],
  ],
  [
    'duplicates',
    [
      [7, 7],
      [7, 7],
      [7, 7],
    ],
    [[7, 7]],
  ],
];
for (const [name, input, want] of merges) {
  test(`mergeIntervals merges ${name}`, () => {
    assert.deepEqual(mergeIntervals(iv(input)), iv(want));
  });
}

const subtractions: [string, [number, number][], [number, number][], [number, number][]][] = [
  ['nothing', [[1, 10]], [], [[1, 10]]],
  [
    'a middle hole',
    [[1, 10]],
    [[4, 5]],
    [
      [1, 3],
      [6, 10],
    ],
  ],
  ['the start', [[1, 10]], [[0, 3]], [[4, 10]]],
  ['the end', [[1, 10]], [[8, 20]], [[1, 7]]],
  ['everything', [[1, 10]], [[1, 10]], []],
  [
    'a cut spanning two intervals',
    [
      [1, 5],
      [10, 15],
    ],
    [[4, 11]],
    [
      [1, 3],
      [12, 15],
    ],
  ],
  [
    'several holes',
    [[1, 20]],
    [
      [2, 2],
      [5, 6],
      [20, 20],
    ],
    [
      [1, 1],
      [3, 4],
      [7, 19],
    ],
  ],
  [
    'cuts outside',
    [[10, 20]],
    [
      [1, 5],
      [30, 40],
    ],
    [[10, 20]],
  ],
];
for (const [name, from, minus, want] of subtractions) {
  test(`subtractIntervals removes ${name}`, () => {
    assert.deepEqual(subtractIntervals(iv(from), iv(minus)), iv(want));
  });
}

test('intervalsSize and intervalsContain', () => {
  const list = iv([
    [1, 3],
    [10, 10],
    [20, 29],
  ]);
  assert.equal(intervalsSize(list), 14n);
  const inside = [1, 2, 3, 10, 20, 25, 29];
  const outside = [0, 4, 9, 11, 19, 30];
  for (const v of inside) assert.equal(intervalsContain(list, BigInt(v)), true, `${v}`);
  for (const v of outside) assert.equal(intervalsContain(list, BigInt(v)), false, `${v}`);
  assert.equal(intervalsContain([], 1n), false);
});
