// The job worker's entry point for datasets.exportImages: an imported dataset back out as class folders
// of PNG files, so nothing a user brings in is locked inside PruneLab.
import { exportDatasetImages } from '../data/exportImages';
import { createScratchJournal } from '../files/journal';
import { dataLayout, type TaskContext } from '../types';

export async function exportDatasetTask(
  input: { datasetId: string; outDir: string },
  ctx: TaskContext,
): Promise<{ files: number; outDir: string }> {
  return exportDatasetImages(dataLayout.datasetDir(ctx.dataDir, input.datasetId), input.outDir, {
    signal: ctx.signal,
    onProgress: (done, total) => ctx.emit({ type: 'progress', phase: 'write', done, total }),
    journal: createScratchJournal(ctx.dataDir),
  });
}
