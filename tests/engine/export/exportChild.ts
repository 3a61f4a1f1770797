// A process that exports and can be traced and killed at any system call: it exports a small model to
// <outDir> (tfjs float32, with its zip), prints "ready", waits for "go" on stdin, exports again over it
// (float16, overwrite), prints "saved" and exits. Scratch beside <outDir> is noted in <dataDir>'s journal.
//   UV_THREADPOOL_SIZE=1 node --import tsx exportChild.ts <dataDir> <outDir>
import * as tf from '@tensorflow/tfjs';
import { createInterface } from 'node:readline';
import { exportModel, type ExportModelOptions } from '../../../src/main/engine/export/exportModel';
import { createScratchJournal } from '../../../src/main/engine/files/journal';
import { buildMixedModel, exportOptions } from './fixtures';

const [dataDir, outDir] = process.argv.slice(2);
if (!dataDir || !outDir) throw new Error('usage: exportChild.ts <dataDir> <outDir>');
await tf.setBackend('cpu');
const model = buildMixedModel(5);
const journal = createScratchJournal(dataDir);
const options = (over: Partial<ExportModelOptions>) =>
  exportOptions(model, outDir, { zip: true, journal, ...over });

await exportModel(options({}));
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) if (line === 'go') break;
await exportModel(options({ encoding: 'float16', overwrite: true }));
process.stdout.write('saved\n');
process.exit(0);
