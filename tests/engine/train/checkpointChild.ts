// A process that writes checkpoints and can be traced and killed at any system call: it saves epoch 1,
// prints "ready", waits for a line on stdin, saves epoch 2 (different weights, optimizer slots and masks),
// prints "saved" and exits. Weights of epoch e are the seeded initial weights plus (e - 1).
// With `model`, it saves the model state into <dir>/model instead, the second time over the first.
//   UV_THREADPOOL_SIZE=1 node --import tsx checkpointChild.ts <dir> [checkpoint|model]
import * as tf from '@tensorflow/tfjs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { saveCheckpoint } from '../../../src/main/engine/train/checkpoint';
import { saveModelState } from '../../../src/main/engine/train/modelState';
import { checkpointModel, checkpointState } from './checkpointState';

const [dir, mode = 'checkpoint'] = process.argv.slice(2);
if (!dir) throw new Error('usage: checkpointChild.ts <checkpointsDir>');
await tf.setBackend('cpu');
const model = checkpointModel();

async function save(epoch: number): Promise<void> {
  const state = checkpointState(model, epoch);
  if (mode === 'model') await saveModelState(join(dir!, 'model'), state);
  else await saveCheckpoint(dir!, state);
  tf.dispose([...state.optimizer.slots.flat(), ...(state.masks?.values() ?? [])]);
}

await save(1);
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line === 'go') break;
await save(2);
process.stdout.write('saved\n');
process.exit(0);
