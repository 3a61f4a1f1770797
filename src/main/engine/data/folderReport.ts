// What the doctor says about a class-folder dataset as a whole: the fatal faults and the warnings.
import { importFailed } from './errors';
import { splitNames } from './split';
import type { FolderWalk } from './walkFolder';

/** The class names in a stable (code point) order, as Keras and torchvision sort them; < 2 is fatal. */
export function checkClasses(root: string, walk: FolderWalk): string[] {
  const classes = [...new Set(walk.classFolders.map((c) => c.name))].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const loose =
    walk.looseFiles.length > 0 ? ` (found ${walk.looseFiles.length} file(s) outside any class folder)` : '';
  if (classes.length === 0)
    throw importFailed(
      `No class folders in ${root}${loose}. Put each class's images in a folder named after the class, e.g. ${root}/cat/…, ${root}/dog/….`,
    );
  if (classes.length === 1)
    throw importFailed(
      `Only one class folder ('${classes[0]}') in ${root}: a classifier needs at least two classes.`,
    );
  return classes;
}

export function warningsFor(
  walk: FolderWalk,
  classes: string[],
  perClass: number[],
  perClassSplit: Map<string, number>,
  ratio: number,
): string[] {
  const warnings: string[] = [];
  if (walk.looseFiles.length > 0)
    warnings.push(
      `${walk.looseFiles.length} file(s) outside any class folder were ignored (e.g. ${walk.looseFiles[0]}).`,
    );
  const max = Math.max(...perClass);
  const minIndex = perClass.indexOf(Math.min(...perClass));
  const min = perClass[minIndex] ?? 0;
  if (min > 0 && max / min >= ratio) {
    const big = classes[perClass.indexOf(max)];
    warnings.push(
      `Strong class imbalance: '${big}' has ${max} images but '${classes[minIndex]}' only ${min} (${(max / min).toFixed(1)}×). ` +
        'Accuracy will flatter the large classes; watch balanced accuracy and per-class recall.',
    );
  }
  if (walk.splitFolders) {
    const given = new Set(walk.classFolders.map((c) => c.split));
    for (const split of splitNames) {
      if (!given.has(split)) continue;
      const missing = classes.filter((c) => !perClassSplit.get(`${split}/${c}`));
      if (missing.length > 0)
        warnings.push(`The ${split} folder has no images of ${missing.map((m) => `'${m}'`).join(', ')}.`);
    }
  }
  return warnings;
}
