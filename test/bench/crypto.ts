/**
 * Ed25519 throughput: node:crypto (the hot path) against tweetnacl (the reference), with the same key pair and
 * the same set of 512-byte messages, plus a check that both produce byte-identical signatures. Also sealing a
 * secret to one agent (x25519 + xsalsa20-poly1305, what SendCommand does per target for {{ssm-secure:...}}):
 * createSealer (x25519 by node:crypto) against tweetnacl's nacl.box. It prints figures; it asserts nothing about speed
 * (machines differ), only about correctness.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createSealer, fromBase64, generateBoxKeyPair, generateSigningKeyPair, naclSeal, naclSign, naclVerify, sign, verify } from '@tender/protocol';

const MESSAGE_BYTES = 512;
const MESSAGE_COUNT = 64;
const BUDGET_MS = 1000;

type Op = (index: number) => boolean;

/** Runs op round-robin over the message set for about BUDGET_MS; returns operations per second. */
function measure(op: Op): number {
  // Warm up so the first timed call does not pay for key import or JIT compilation.
  for (let i = 0; i < 3; i += 1) op(i % MESSAGE_COUNT);
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    if (!op(count % MESSAGE_COUNT)) throw new Error(`operation ${count} failed: a signature did not verify`);
    count += 1;
    elapsed = performance.now() - start;
  } while (elapsed < BUDGET_MS);
  return (count * 1000) / elapsed;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

function formatRate(rate: number): string {
  return Math.round(rate).toLocaleString('en-US');
}

export async function run(_args: string[] = []): Promise<void> {
  const pair = generateSigningKeyPair();
  const messages = Array.from({ length: MESSAGE_COUNT }, () => new Uint8Array(randomBytes(MESSAGE_BYTES)));

  const nodeSignatures = messages.map((message) => sign(message, pair.secretKey));
  const naclSignatures = messages.map((message) => naclSign(message, pair.secretKey));
  const identical = nodeSignatures.filter((signature, i) => sameBytes(signature, naclSignatures[i] as Uint8Array)).length;
  const crossOk = messages.every(
    (message, i) =>
      verify(message, naclSignatures[i] as Uint8Array, pair.publicKey) &&
      naclVerify(message, nodeSignatures[i] as Uint8Array, pair.publicKey),
  );

  const message = (i: number): Uint8Array => messages[i] as Uint8Array;
  const signature = (i: number): Uint8Array => nodeSignatures[i] as Uint8Array;
  const nodeSign = measure((i) => sign(message(i), pair.secretKey).length === 64);
  const naclSignRate = measure((i) => naclSign(message(i), pair.secretKey).length === 64);
  const nodeVerify = measure((i) => verify(message(i), signature(i), pair.publicKey));
  const naclVerifyRate = measure((i) => naclVerify(message(i), signature(i), pair.publicKey));

  // Sealing a 32-byte secret to each of 64 agents in turn (a fresh x25519 agreement every time, as in a fan-out).
  const controlPlane = generateBoxKeyPair();
  const agents = Array.from({ length: MESSAGE_COUNT }, () => generateBoxKeyPair().publicKey);
  const secret = new Uint8Array(randomBytes(32));
  const sealer = createSealer(controlPlane.secretKey);
  const agent = (i: number): Uint8Array => agents[i] as Uint8Array;
  const sealedMatches = agents.every((key) => {
    const sealed = sealer(secret, key);
    return sealed.box === naclSeal(secret, key, controlPlane.secretKey, fromBase64(sealed.nonce)).box;
  });
  const nodeSeal = measure((i) => sealer(secret, agent(i)).box.length > 0);
  const naclSealRate = measure((i) => naclSeal(secret, agent(i), controlPlane.secretKey).box.length > 0);

  console.log(`Ed25519, ${MESSAGE_COUNT} messages of ${MESSAGE_BYTES} bytes, one key pair, ~${BUDGET_MS} ms per figure`);
  console.log(`signatures identical (node:crypto vs tweetnacl): ${identical === MESSAGE_COUNT ? 'yes' : 'NO'} (${identical}/${MESSAGE_COUNT})`);
  console.log(`cross-verification (each verifies the other's signatures): ${crossOk ? 'yes' : 'NO'}`);
  console.log(`sealed boxes identical to nacl.box: ${sealedMatches ? 'yes' : 'NO'}`);
  const rows: Array<[string, number, number]> = [
    ['sign/s', nodeSign, naclSignRate],
    ['verify/s', nodeVerify, naclVerifyRate],
    ['seal to an agent/s', nodeSeal, naclSealRate],
  ];
  const header = ['operation', 'node:crypto', 'tweetnacl', 'speed-up'];
  const body = rows.map(([name, fast, slow]) => [name, formatRate(fast), formatRate(slow), `${(fast / slow).toFixed(1)}x`]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((row) => (row[column] as string).length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number))).join('  ');
  console.log(line(header));
  for (const row of body) console.log(line(row));

  if (identical !== MESSAGE_COUNT || !crossOk) throw new Error('node:crypto and tweetnacl disagree on Ed25519 signatures');
  if (!sealedMatches) throw new Error('createSealer and nacl.box disagree');
}

// Also runnable on its own: node test/dist/bench/crypto.js
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
