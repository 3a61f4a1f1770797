// How a dataset's split and source read to a person — one wording for the app and the CLI.
import type { DatasetSummary, SplitName } from './dto';

type SplitFacts = Pick<DatasetSummary, 'kind' | 'split'>;

/** Splits the source gave; records from before `split.given` existed are read by what they could hold. */
function givenSplits(d: SplitFacts): SplitName[] {
  if (!d.split.fromFolders) return [];
  if (d.split.given) return d.split.given;
  // IDX and CIFAR give train and test files; split folders may give any of the three.
  return d.kind === 'folder' ? ['train', 'validation', 'test'] : ['train', 'test'];
}

/**
 * Where each split came from, e.g. "official test split · validation carved from train (seed 42)" for
 * Fashion-MNIST's IDX files, "from the split folders" for train/ val/ test/ folders, "seeded, stratified
 * (seed 42)" for class folders alone.
 */
export function describeSplit(d: SplitFacts): string {
  const given = givenSplits(d);
  if (given.length === 0) return `seeded, stratified (seed ${d.split.seed})`;
  const carved = (['validation', 'test'] as const).filter((s) => !given.includes(s) && d.split[s] > 0);
  const parts: string[] = [];
  if (d.kind === 'folder') {
    parts.push(
      carved.length === 0 ? 'from the split folders' : `${given.join(' and ')} from the split folders`,
    );
  } else {
    const file = d.kind === 'idx' ? 'the t10k files' : 'test_batch.bin';
    parts.push(given.includes('test') ? `official test split (${file})` : 'train files only');
  }
  if (carved.length > 0) parts.push(`${carved.join(' and ')} carved from train (seed ${d.split.seed})`);
  return parts.join(' · ');
}

/** Where the images came from, honest about an upload whose copy is gone. */
export function describeSource(d: Pick<DatasetSummary, 'origin' | 'sourcePath'>): string {
  if (d.origin === 'upload') {
    const last = d.sourcePath.split(/[\\/]/).filter(Boolean).at(-1) ?? '';
    // A drop of loose files is imported from the upload's own folder, named by its random id.
    const what = /^[a-f0-9]{32}$/.test(last) || !last ? 'files' : `folder "${last}"`;
    return `uploaded from a browser (${what}); the uploaded copy was removed after import — the dataset lives in its cache`;
  }
  return d.sourcePath;
}
