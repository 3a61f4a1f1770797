// ESLint flat config. The layer rules of DESIGN.md live here, so a wrong import fails `npm run lint`
// (and tests/lint/layers.test.ts runs the same rules against planted violations).
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';

const node = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'crypto',
  'url',
  'http',
  'zlib',
];
// A folder pattern like '**/store/**' also needs its bare form '**/store' to catch `import … from '../store'`.
const withBareFolders = (patterns) =>
  patterns.flatMap((p) => (p.endsWith('/**') && p.startsWith('**/') ? [p, p.slice(0, -3)] : [p]));
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: withBareFolders(patterns), message }] }],
});

export const layerRules = [
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict(
      [
        ...node,
        'electron',
        'better-sqlite3',
        '@tensorflow/*',
        '**/main/**',
        '**/renderer/**',
        '**/preload/**',
      ],
      'src/shared is pure TypeScript: no platform modules, no other layer.',
    ),
  },
  {
    files: ['src/main/engine/**/*.ts'],
    rules: restrict(
      [
        'electron',
        'better-sqlite3',
        '**/store/**',
        '**/jobs/**',
        '**/services/**',
        '**/app/**',
        '**/server/**',
        '**/cli/**',
        '**/renderer/**',
        '**/preload/**',
      ],
      'src/main/engine is plain Node + tfjs: no electron, no sqlite, nothing outside engine and shared.',
    ),
  },
  {
    files: ['src/main/store/**/*.ts'],
    rules: restrict(
      [
        'electron',
        '**/engine/**',
        '**/jobs/**',
        '**/services/**',
        '**/app/**',
        '**/server/**',
        '**/renderer/**',
      ],
      'src/main/store uses better-sqlite3 and src/shared only: no electron, no engine internals.',
    ),
  },
  {
    files: [
      'src/main/jobs/**/*.ts',
      'src/main/services/**/*.ts',
      'src/main/server/**/*.ts',
      'src/main/cli/**/*.ts',
    ],
    rules: restrict(
      ['electron', '**/renderer/**', '**/app/**'],
      'Only src/main/app and src/preload import electron.',
    ),
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.vue'],
    rules: restrict(
      [...node, 'electron', 'better-sqlite3', '@tensorflow/tfjs-node', '**/main/**', '**/preload/**'],
      'src/renderer talks to the rest only through the API contract in src/shared.',
    ),
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      'release/**',
      'resources/**',
      'bench/out/**',
      'test-artifacts/**',
      '**/*.d.ts',
    ],
  },
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      // Layout is Prettier's job; these vue rules fight it.
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
    },
  },
  {
    // tests define small throwaway components next to the code that mounts them
    files: ['tests/**'],
    rules: { 'vue/one-component-per-file': 'off' },
  },
  ...layerRules,
);
