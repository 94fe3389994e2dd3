// The WinSW definition: well-formed XML, node + bin + daemon, arguments quoted for Windows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { windowsQuote, winswPaths, winswXml } from './winsw-xml.js';

test('winswXml runs node with the bin and daemon on the data dir', () => {
  const text = winswXml({
    nodePath: 'C:\\Program Files\\nodejs\\node.exe',
    binPath: 'C:\\Program Files\\nopesight\\bin\\nopesight-scanner.js',
    dataDir: 'C:\\ProgramData\\NopesightScanner',
  });
  assert.equal(XMLValidator.validate(text), true);
  const doc = new XMLParser({ processEntities: true }).parse(text) as {
    service: { id: string; executable: string; arguments: string };
  };
  assert.equal(doc.service.id, 'nopesight-scanner');
  assert.equal(doc.service.executable, 'C:\\Program Files\\nodejs\\node.exe');
  assert.equal(
    doc.service.arguments,
    '"C:\\Program Files\\nopesight\\bin\\nopesight-scanner.js" daemon --data-dir C:\\ProgramData\\NopesightScanner',
  );
  assert.deepEqual(winswPaths('C:\\ProgramData\\NopesightScanner'), {
    exe: 'C:\\ProgramData\\NopesightScanner\\service\\nopesight-scanner-service.exe',
    xml: 'C:\\ProgramData\\NopesightScanner\\service\\nopesight-scanner-service.xml',
  });
});

describe('windowsQuote', () => {
  for (const [arg, want] of [
    ['daemon', 'daemon'],
    ['C:\\a b', '"C:\\a b"'],
    ['C:\\a b\\', '"C:\\a b\\\\"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['', '""'],
  ] as const) {
    test(`windowsQuote ${JSON.stringify(arg)}`, () => assert.equal(windowsQuote(arg), want));
  }
});
