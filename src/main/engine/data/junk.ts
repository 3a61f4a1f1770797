// Files and folders that operating systems and archivers leave behind. They are skipped silently:
// reporting them as problems would bury the real ones.
const junkNames = new Set([
  '.ds_store',
  'thumbs.db',
  'ehthumbs.db',
  'desktop.ini',
  '__macosx',
  '$recycle.bin',
  'icon\r',
]);

/** Dotfiles (incl. macOS "._x" resource forks) and known OS junk, case-insensitively. */
export function isJunkName(name: string): boolean {
  return name.startsWith('.') || junkNames.has(name.toLowerCase());
}
