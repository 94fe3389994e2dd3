// The launchd job: well-formed XML whose ProgramArguments start the daemon on the data dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { launchdPlist } from './launchd-plist.js';

const spec = {
  nodePath: '/usr/local/bin/node',
  binPath: '/usr/local/lib/node_modules/nopesight-scanner/bin/nopesight-scanner.js',
  dataDir: '/Library/Application Support/Nope & Sight',
};

test('launchdPlist is well-formed and runs the daemon with escaped arguments', () => {
  const text = launchdPlist({ ...spec, user: 'nopesight' });
  assert.equal(XMLValidator.validate(text), true);
  const doc = new XMLParser({ preserveOrder: false }).parse(text) as {
    plist: { dict: { key: string[]; string: string[]; array: { string: string[] } } };
  };
  assert.deepEqual(doc.plist.dict.array.string, [
    spec.nodePath,
    spec.binPath,
    'daemon',
    '--data-dir',
    spec.dataDir,
  ]);
  assert.match(text, /<key>UserName<\/key><string>nopesight<\/string>/);
  assert.match(text, /<key>SuccessfulExit<\/key><false\/>/);
});
