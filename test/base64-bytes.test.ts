// The page's base64-as-bytes encoder (renderer/src/lib/bytes.ts) against Node's.
import test from 'node:test';
import assert from 'node:assert/strict';
import { base64Bytes } from '../renderer/src/lib/bytes.ts';
import { seededRandom } from './helpers/seeded-random.ts';

test('base64Bytes writes what Buffer#toString("base64") writes, every length and every byte value', () => {
  const rand = seededRandom(11);
  const inputs: Uint8Array[] = [new Uint8Array(0), Uint8Array.from({ length: 256 }, (_, i) => i), Uint8Array.from({ length: 256 }, (_, i) => 255 - i)];
  for (let n = 1; n < 70; n++) inputs.push(Uint8Array.from({ length: n }, () => Math.floor(rand() * 256)));
  inputs.push(Uint8Array.from({ length: 1_000_003 }, () => Math.floor(rand() * 256)));
  for (const bytes of inputs) {
    assert.equal(Buffer.from(base64Bytes(bytes)).toString('latin1'), Buffer.from(bytes).toString('base64'), `${bytes.length} bytes`);
  }
});
