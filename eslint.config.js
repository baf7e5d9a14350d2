// Lint for Herald: typescript-eslint's recommended rules, plus the guard rails that keep the
// structure as the README's "Layout" section draws it. `npm test` runs this before the tests.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { LAYERS } from './scripts/layers.js';

/**
 * One zone per folder: it may import the folders listed for it in LAYERS and nothing else under src/.
 * A file directly in src/ (main.ts, cli.ts, version.ts) is its own layer, keyed by its name.
 */
const zones = Object.entries(LAYERS).map(([folder, allowed]) => ({
  target: `./src/${folder}`,
  from: './src',
  except: [`./${folder}`, ...allowed.map((name) => `./${name}`)],
  message: `src/${folder} may import only ${allowed.length ? allowed.map((name) => `src/${name}`).join(', ') : 'itself'} (see LAYERS in scripts/layers.js and the README's Layout section)`,
}));

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'demo/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
      'import-x/no-restricted-paths': ['error', { zones }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only src/config/ reads the environment: take the value from Env or Config.' }],
    },
  },
  {
    files: ['src/config/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
