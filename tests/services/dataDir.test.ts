import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../src/main/services/dataDir';

describe('resolveDataDir', () => {
  it('prefers --data-dir over PRUNELAB_HOME over the OS folder', () => {
    const env = { PRUNELAB_HOME: '/from/env' };
    expect(resolveDataDir({ flag: '/from/flag', env })).toBe('/from/flag');
    expect(resolveDataDir({ env })).toBe('/from/env');
    expect(resolveDataDir({ env: {}, platform: 'linux', home: '/home/u' })).toBe('/home/u/.config/PruneLab');
  });

  it('resolves a relative flag against the working directory and ignores blank values', () => {
    expect(resolveDataDir({ flag: 'data', env: {}, cwd: '/work' })).toBe('/work/data');
    expect(resolveDataDir({ flag: ' ', env: { PRUNELAB_HOME: '/e' } })).toBe('/e');
  });

  it('follows each platform’s app-data convention', () => {
    expect(
      resolveDataDir({
        env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
        platform: 'win32',
        home: 'C:\\Users\\u',
      }),
    ).toContain('PruneLab');
    expect(resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/u' })).toBe(
      '/Users/u/Library/Application Support/PruneLab',
    );
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: '/x' }, platform: 'linux', home: '/home/u' })).toBe(
      '/x/PruneLab',
    );
  });
});
