import type * as tf from '@tensorflow/tfjs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomically } from './atomicDir';
import { loadModelState, saveModelState, type ModelMeta, type WeightMasks } from './modelState';
import type { OptimizerState } from './optimizers';
import { packTensors, unpackTensor, type TensorEntry } from './tensorPack';
import type { LoopState, NamedTensor } from './trainTypes';

export interface LoadedCheckpoint {
  path: string;
  model: tf.LayersModel;
  masks: WeightMasks | null;
  meta: ModelMeta;
  /** the caller owns these tensors: hand them to the loop's `resume`, which copies them, then dispose */
  optimizer: OptimizerState;
  loop: LoopState;
  /** the side state saved with it (CheckpointOptions.side), by name; the caller owns and disposes these */
  side: Map<string, tf.Tensor>;
}

const epochDirPattern = /^epoch-(\d+)$/;
const epochDirName = (epoch: number) => `epoch-${String(epoch).padStart(4, '0')}`;

/**
 * Writes everything a resumed run needs to continue exactly where this one stands after an epoch —
 * model state (weights, masks), optimizer slots and step, loop state (epoch, step, early-stopping
 * memory; the shuffle/augmentation generator is derived from seed and epoch) — then drops older
 * checkpoints. Returns the new checkpoint's directory.
 */
export async function saveCheckpoint(
  checkpointsDir: string,
  state: {
    model: tf.LayersModel;
    masks: WeightMasks | null;
    meta: ModelMeta;
    optimizer: OptimizerState;
    loop: LoopState;
    side?: NamedTensor[];
  },
): Promise<string> {
  const dir = join(checkpointsDir, epochDirName(state.loop.epochsCompleted));
  const slots = await packTensors(
    state.optimizer.slots.flatMap((list, k) => list.map((tensor, i) => ({ name: `${k}/${i}`, tensor }))),
  );
  const side = await packTensors(state.side ?? []);
  await writeDirAtomically(dir, async (tmp) => {
    await saveModelState(join(tmp, 'model'), { model: state.model, masks: state.masks, meta: state.meta });
    await writeFile(join(tmp, 'optimizer.bin'), slots.data);
    const optimizerManifest = {
      name: state.optimizer.name,
      step: state.optimizer.step,
      slotCount: state.optimizer.slots.length,
      entries: slots.entries,
    };
    await writeFile(join(tmp, 'optimizer.json'), JSON.stringify(optimizerManifest));
    await writeFile(join(tmp, 'loop.json'), JSON.stringify(state.loop));
    if (side.entries.length > 0) {
      await writeFile(join(tmp, 'side.bin'), side.data);
      await writeFile(join(tmp, 'side.json'), JSON.stringify(side.entries));
    }
  });
  // Only now, with the new checkpoint on disk, do the older ones go.
  for (const name of await readdir(checkpointsDir)) {
    const match = epochDirPattern.exec(name);
    if (match && Number(match[1]) < state.loop.epochsCompleted) {
      await rm(join(checkpointsDir, name), { recursive: true, force: true });
    }
  }
  return dir;
}

/**
 * The newest checkpoint under `checkpointsDir` that loads, or null when there is none. Checkpoints are
 * written durably and an older one is removed only once a newer one is complete, so the newest should
 * always load; should it not (a disk that lied about a flush), the one before it is tried, and only when
 * none loads is the newest's error thrown — a run never silently starts over.
 */
export async function loadLatestCheckpoint(checkpointsDir: string): Promise<LoadedCheckpoint | null> {
  let names: string[];
  try {
    names = await readdir(checkpointsDir);
  } catch {
    return null;
  }
  const epochs = names
    .map((n) => epochDirPattern.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => b - a);
  let firstError: unknown = null;
  for (const epoch of epochs) {
    try {
      return await loadCheckpoint(join(checkpointsDir, epochDirName(epoch)));
    } catch (err) {
      firstError ??= err;
    }
  }
  if (firstError !== null) throw firstError;
  return null;
}

async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const loop = JSON.parse(await readFile(join(dir, 'loop.json'), 'utf8')) as LoopState;
  const manifest = JSON.parse(await readFile(join(dir, 'optimizer.json'), 'utf8')) as {
    name: OptimizerState['name'];
    step: number;
    slotCount: number;
    entries: TensorEntry[];
  };
  const data = await readFile(join(dir, 'optimizer.bin'));
  const slots: tf.Tensor[][] = Array.from({ length: manifest.slotCount }, () => []);
  const side = new Map<string, tf.Tensor>();
  try {
    for (const entry of manifest.entries) {
      const [k] = entry.name.split('/');
      slots[Number(k)]!.push(unpackTensor(data, entry, `Checkpoint ${dir}`));
    }
    const sideEntries = await readSideEntries(dir);
    if (sideEntries.length > 0) {
      const sideData = await readFile(join(dir, 'side.bin'));
      for (const entry of sideEntries)
        side.set(entry.name, unpackTensor(sideData, entry, `Checkpoint ${dir}`));
    }
    const state = await loadModelState(join(dir, 'model'));
    return {
      path: dir,
      ...state,
      optimizer: { name: manifest.name, step: manifest.step, slots },
      loop,
      side,
    };
  } catch (err) {
    for (const list of slots) for (const t of list) t.dispose();
    for (const t of side.values()) t.dispose();
    throw err;
  }
}

/** side.json, or nothing for a checkpoint written without side state (and by versions before it). */
async function readSideEntries(dir: string): Promise<TensorEntry[]> {
  try {
    return JSON.parse(await readFile(join(dir, 'side.json'), 'utf8')) as TensorEntry[];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
