// 1,000 malformed or hostile requests, built deterministically (seeded) from a few families: wrong
// types, huge strings, path traversal and relative/NUL paths where the contract takes paths,
// prototype-pollution keys, unknown names, out-of-range numbers. Every one must be refused by the schema.
import { requestNames } from '../../src/shared/api';

export interface HostileCase {
  family: string;
  name: string;
  /** JSON text of the payload, so keys like __proto__ survive as own properties. */
  payloadJson: string;
}

/** A small seeded PRNG: the same seed, the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const badPaths = [
  '../../etc/passwd',
  '/home/me/../../etc',
  'relative/folder',
  '/tmp/x\u0000y',
  '',
  '/' + 'a'.repeat(5000),
  'C:..\\..\\Windows',
  '\\..\\..\\x',
  '/data/..',
  '..',
];

const wrongValues: unknown[] = [null, 42, 'text', [], [1, 2], true, -1, 1e308, { nested: { deep: true } }];

const pollution = [
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"id":"abc","__proto__":{"polluted":true}}',
  '{"prototype":{"polluted":true}}',
];

/** Requests whose payload must be an object: a non-object or a pollution key is always refused. */
const objectPayloads = requestNames;

export function hostileCases(count = 1000, seed = 7): HostileCase[] {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const makers: (() => HostileCase)[] = [
    () => ({
      family: 'wrong type',
      name: pick(objectPayloads),
      payloadJson: JSON.stringify(pick([42, 'text', [], true, [{}]])),
    }),
    () => ({ family: 'pollution', name: pick(objectPayloads), payloadJson: pick(pollution) }),
    () => ({
      family: 'unknown name',
      name: pick(['', 'runs', 'runs.list.x', '__proto__', 'constructor', 'toString', 'x'.repeat(90)]),
      payloadJson: '{}',
    }),
    () => ({
      family: 'import path',
      name: 'datasets.import',
      payloadJson: JSON.stringify({ path: pick(badPaths) }),
    }),
    () => ({
      family: 'export path',
      name: 'exports.create',
      payloadJson: JSON.stringify({ runId: 'run1', outDir: pick(badPaths) }),
    }),
    () => ({
      family: 'dataset export path',
      name: 'datasets.exportImages',
      payloadJson: JSON.stringify({ id: 'ds1', outDir: pick(badPaths) }),
    }),
    () => ({
      family: 'reveal path',
      name: 'system.reveal',
      payloadJson: JSON.stringify({ path: pick(badPaths) }),
    }),
    () => ({
      family: 'recent path',
      name: 'settings.set',
      payloadJson: JSON.stringify({ recentDatasets: ['/ok', pick(badPaths)] }),
    }),
    () => ({
      family: 'huge id',
      name: pick(['runs.get', 'datasets.get', 'runs.cancel', 'runs.delete', 'datasets.delete']),
      payloadJson: JSON.stringify({ id: 'x'.repeat(10_000 + Math.floor(random() * 100_000)) }),
    }),
    () => ({
      family: 'id characters',
      name: pick(['runs.get', 'datasets.get', 'runs.resume']),
      payloadJson: JSON.stringify({
        id: pick(['../x', 'a/b', 'a b', '\u0000', '<script>', "'; DROP TABLE runs;--"]),
      }),
    }),
    () => ({
      family: 'wrong field type',
      name: 'runs.start',
      payloadJson: JSON.stringify({
        config: {
          datasetId: 'ds1',
          train: { epochs: pick(wrongValues.filter((v) => typeof v !== 'number')) },
        },
      }),
    }),
    () => ({
      family: 'out of range',
      name: pick(['runs.start', 'datasets.samples', 'settings.set']),
      payloadJson: pick([
        JSON.stringify({ config: { datasetId: 'ds1', train: { epochs: -3 } } }),
        JSON.stringify({ config: { datasetId: 'ds1', train: { batchSize: 1e9 } } }),
        JSON.stringify({ id: 'ds1', limit: 100000 }),
        JSON.stringify({ id: 'ds1', offset: -1 }),
        JSON.stringify({ jobConcurrency: 0.5 }),
        JSON.stringify({ theme: 'neon' }),
      ]),
    }),
    () => ({
      family: 'extra key',
      name: pick(objectPayloads),
      payloadJson: JSON.stringify({ [`unexpected_${Math.floor(random() * 1e6)}`]: pick(wrongValues) }),
    }),
    () => ({
      family: 'huge array',
      name: 'runs.compare',
      payloadJson: JSON.stringify({ ids: Array.from({ length: 5000 }, (_, i) => `r${i}`) }),
    }),
  ];
  return Array.from({ length: count }, () => pick(makers)());
}
