import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IdentifierKey } from './identity.js';
import { chooseMatch, type CandidateCi } from './match.js';

const ids = (over: Partial<Parameters<typeof chooseMatch>[0]> = {}) => ({
  uuid: null,
  serial: null,
  macs: [],
  name: null,
  address: '10.0.0.5',
  ...over,
});
const ci = (id: string, keys: [IdentifierKey['kind'], string][], firstSeenAt = '2026-01-01') =>
  ({ id, firstSeenAt, keys: keys.map(([kind, value]) => ({ kind, value })) }) as CandidateCi;

const UUID = '4221c0ff-1234-5678-9abc-def012345678';
const SWAPPED = 'ffc02142-3412-7856-9abc-def012345678';

test('chooseMatch follows uuid > serial > mac > name > address, with conflicts vetoing', () => {
  const cases: {
    name: string;
    record: ReturnType<typeof ids>;
    candidates: CandidateCi[];
    want: string | null;
  }[] = [
    { name: 'no candidate: new CI', record: ids({ serial: 'S1' }), candidates: [], want: null },
    {
      name: 'uuid beats a serial match elsewhere',
      record: ids({ uuid: UUID, serial: 'S1' }),
      candidates: [ci('by-serial', [['serial', 'S1']]), ci('by-uuid', [['uuid', UUID]])],
      want: 'by-uuid/uuid',
    },
    {
      name: 'uuid in the other byte order',
      record: ids({ uuid: UUID }),
      candidates: [ci('vc', [['uuid', SWAPPED]])],
      want: 'vc/uuid',
    },
    {
      name: 'serial, when the uuids do not disagree',
      record: ids({ serial: 'S1', uuid: UUID }),
      candidates: [ci('c', [['serial', 'S1']])],
      want: 'c/serial',
    },
    {
      name: 'serial vetoed by a different uuid (a clone)',
      record: ids({ serial: 'S1', uuid: UUID }),
      candidates: [
        ci('c', [
          ['serial', 'S1'],
          ['uuid', '11111111-2222-3333-4444-555555555555'],
        ]),
      ],
      want: null,
    },
    {
      name: 'mac: the most shared MACs win',
      record: ids({ macs: ['00:50:56:00:00:01', '00:50:56:00:00:02'] }),
      candidates: [
        ci('one', [['mac', '00:50:56:00:00:01']], '2025-01-01'),
        ci('two', [
          ['mac', '00:50:56:00:00:01'],
          ['mac', '00:50:56:00:00:02'],
        ]),
      ],
      want: 'two/mac',
    },
    {
      name: 'mac vetoed by a different serial (a NIC moved to another server)',
      record: ids({ macs: ['00:50:56:00:00:01'], serial: 'NEW' }),
      candidates: [
        ci('old', [
          ['mac', '00:50:56:00:00:01'],
          ['serial', 'OLD'],
        ]),
      ],
      want: null,
    },
    {
      name: 'name when nothing stronger is known',
      record: ids({ name: 'web1.example.com' }),
      candidates: [ci('w', [['name', 'web1.example.com']])],
      want: 'w/name',
    },
    {
      name: 'ties go to the oldest CI',
      record: ids({ name: 'web1.example.com' }),
      candidates: [
        ci('young', [['name', 'web1.example.com']], '2026-05-01'),
        ci('old', [['name', 'web1.example.com']], '2024-05-01'),
      ],
      want: 'old/name',
    },
    {
      name: 'address: an anonymous CI from the same agent',
      record: ids(),
      candidates: [ci('anon', [['unid', 'a1|10.0.0.5']])],
      want: 'anon/address',
    },
    {
      name: 'address: an identified record upgrades the anonymous CI',
      record: ids({ uuid: UUID }),
      candidates: [ci('anon', [['unid', 'a1|10.0.0.5']])],
      want: 'anon/address',
    },
    {
      name: 'address never lands on an identified CI (DHCP reuse)',
      record: ids(),
      candidates: [
        ci('named', [
          ['unid', 'a1|10.0.0.5'],
          ['serial', 'S9'],
        ]),
      ],
      want: null,
    },
    {
      name: 'address of another agent is another network',
      record: ids(),
      candidates: [ci('anon', [['unid', 'a2|10.0.0.5']])],
      want: null,
    },
  ];
  for (const c of cases) {
    const m = chooseMatch(c.record, c.candidates, 'a1');
    assert.equal(m === null ? null : `${m.ciId}/${m.rule}`, c.want, c.name);
  }
});
