import * as tf from '@tensorflow/tfjs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, expect } from 'vitest';
import { payloads } from '../../../src/shared/schemas';
import { importTask } from '../../../src/main/engine/tasks/importTask';
import { syntheticImageSet } from '../../../src/main/engine/train/syntheticImages';
import type { TaskContext, TaskEvent } from '../../../src/main/engine/types';

// Shared setup of the task tests: each runs its task end to end on real files under a temporary data
// directory, with a dataset imported from a class-folder PNG source by the import task.

/** A task context on `dataDir` that records every event it is sent. */
export function taskContext(
  dataDir: string,
  signal = new AbortController().signal,
): TaskContext & { events: TaskEvent[] } {
  const events: TaskEvent[] = [];
  return { signal, dataDir, events, emit: (e) => events.push(e) };
}

/** Writes a seeded synthetic 12×12 grey image set as <source>/<class name>/<index>.png. */
export async function writeSyntheticSource(
  source: string,
  { classNames, count, seed }: { classNames: string[]; count: number; seed: number },
): Promise<void> {
  const set = syntheticImageSet({
    count,
    height: 12,
    width: 12,
    channels: 1,
    classes: classNames.length,
    seed,
  });
  for (const name of classNames) await mkdir(join(source, name), { recursive: true });
  for (let i = 0; i < set.count; i++) {
    const pixels = Buffer.from(set.images.subarray(i * 144, (i + 1) * 144));
    await sharp(pixels, { raw: { width: 12, height: 12, channels: 1 } })
      .png()
      .toFile(join(source, classNames[set.labels[i]!]!, `${i}.png`));
  }
}

/** Imports the class folders at `source` as dataset 'ds-1' of 12×12 images (split seed 1). */
export async function importSource(
  dataDir: string,
  source: string,
  { channels, split }: { channels: 1 | 3; split: { train: number; validation: number; test: number } },
): Promise<void> {
  const options = payloads['datasets.import'].parse({ path: source, size: 12, channels, split, seed: 1 });
  await importTask({ datasetId: 'ds-1', options }, taskContext(dataDir));
}

/** Every test of the file must leave as many tensors as it found. */
export function expectNoTensorLeaks(): void {
  let tensorsBefore = 0;
  beforeEach(() => {
    tensorsBefore = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
}
