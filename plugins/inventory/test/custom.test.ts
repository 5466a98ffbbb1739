import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CUSTOM_LIMITS, customInventoryGatherer, parseCustomInventory } from '../src/gatherers/custom.js';
import { environment } from './fixtures.js';

describe('inventory: Custom:* from the custom inventory directory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tender-custom-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads SSM\'s file format: one object or a list of objects, string attributes', () => {
    const one = parseCustomInventory('{"SchemaVersion":"1.0","TypeName":"Custom:RackInformation","Content":{"Location":"US-EAST-02.CMH.RACK1","InstalledTime":"2016-01-01T01:01:01Z"}}');
    assert.deepEqual(one.Content, [{ Location: 'US-EAST-02.CMH.RACK1', InstalledTime: '2016-01-01T01:01:01Z' }]);
    assert.equal(one.TypeName, 'Custom:RackInformation');
    const many = parseCustomInventory('{"SchemaVersion":"2.1","TypeName":"Custom:Disks","Content":[{"Id":"b"},{"Id":"a"}]}');
    assert.deepEqual(many.Content, [{ Id: 'a' }, { Id: 'b' }], 'sorted, so the hash does not depend on the file\'s order');
  });

  it('refuses, each with a message that says what is wrong: not JSON, outside Custom:, over the limits, non-strings', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"TypeName": "Custom:X", ', /is not valid JSON/],
      ['{"SchemaVersion":"1.0","TypeName":"AWS:Application","Content":{}}', /outside the Custom: namespace/],
      ['{"SchemaVersion":"1.0","TypeName":"Mine:X","Content":{}}', /outside the Custom: namespace/],
      [`{"SchemaVersion":"1.0","TypeName":"Custom:${'x'.repeat(100)}","Content":{}}`, /TypeName of 107 characters; at most 100/],
      ['{"SchemaVersion":"v1","TypeName":"Custom:X","Content":{}}', /SchemaVersion "v1"; it must look like "1.0"/],
      ['{"SchemaVersion":"1.0","TypeName":"Custom:X"}', /has no Content/],
      ['{"SchemaVersion":"1.0","TypeName":"Custom:X","Content":{"Count":3}}', /a number as the value of Count; only strings/],
      [`{"SchemaVersion":"1.0","TypeName":"Custom:X","Content":{"A":"${'v'.repeat(4097)}"}}`, /4097 characters in A; at most 4096/],
      [`{"SchemaVersion":"1.0","TypeName":"Custom:X","Content":{${Array.from({ length: 51 }, (_, i) => `"a${i}":""`).join(',')}}}`, /51 attributes; at most 50/],
      [`{"SchemaVersion":"1.0","TypeName":"Custom:X","Content":{"${'n'.repeat(65)}":""}}`, /longer than 64 characters/],
    ];
    for (const [text, message] of cases) assert.throws(() => parseCustomInventory(text), message, text.slice(0, 60));
  });

  it('skips and reports bad files (with their type when they name one); good files still count', async () => {
    await writeFile(path.join(dir, 'rack.json'), '{"SchemaVersion":"1.0","TypeName":"Custom:Rack","Content":{"Location":"R1"}}');
    await writeFile(path.join(dir, 'broken.json'), 'not json at all');
    await writeFile(path.join(dir, 'aws.json'), '{"SchemaVersion":"1.0","TypeName":"AWS:Network","Content":{}}');
    await writeFile(path.join(dir, 'numbers.json'), '{"SchemaVersion":"1.0","TypeName":"Custom:Numbers","Content":{"n":1}}');
    await writeFile(path.join(dir, 'again.json'), '{"SchemaVersion":"1.0","TypeName":"Custom:Rack","Content":{"Location":"R2"}}');
    await writeFile(path.join(dir, 'big.json'), `{"SchemaVersion":"1.0","TypeName":"Custom:Big","Content":{"a":"${'x'.repeat(CUSTOM_LIMITS.bytesPerFile)}"}}`);
    await writeFile(path.join(dir, 'readme.txt'), 'ignored: not .json');
    const output = await customInventoryGatherer().gather(environment({ customInventoryDirectory: dir }));
    // again.json sorts before rack.json, so it is the one that holds Custom:Rack.
    assert.deepEqual(output.items.map((item) => [item.TypeName, item.Content]), [['Custom:Rack', [{ Location: 'R2' }]]]);
    const failures = Object.fromEntries((output.failures ?? []).map((failure) => [path.basename(/file (\S+)/.exec(failure.message)![1]!), failure]));
    assert.match(failures['broken.json']!.message, /broken\.json is not valid JSON .*; it was skipped/);
    assert.equal(failures['broken.json']!.TypeName, 'CustomInventory');
    assert.match(failures['aws.json']!.message, /outside the Custom: namespace/);
    assert.equal(failures['numbers.json']!.TypeName, 'Custom:Numbers', 'the control plane keeps this type\'s previous data');
    assert.match(failures['rack.json']!.message, /holds Custom:Rack, which .*again\.json holds already/);
    assert.match(failures['big.json']!.message, /at most 204800 \(200 KB\)/);
  });

  it('no directory: no custom inventory, and no failure', async () => {
    assert.deepEqual(await customInventoryGatherer().gather(environment({ customInventoryDirectory: path.join(dir, 'none') })), { items: [] });
  });
});
