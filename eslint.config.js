// Lint for Herald: typescript-eslint's recommended rules, plus the guard rails that keep the
// structure as the README's "Layout" section draws it. `npm test` runs this before the tests.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { LAYERS, unitPaths } from './scripts/layers.js';

/** One zone per layer: its units may not import any unit of a layer above. */
const zones = LAYERS.slice(1).map((layer, index) => {
  const above = LAYERS.slice(0, index + 1).flat();
  return {
    target: layer.flatMap(unitPaths),
    from: above.flatMap(unitPaths),
    message: `imports flow down the layers of scripts/layers.js (README "Layout"): src/${layer.join(', src/')} may not import src/${above.join(', src/')}`,
  };
});

const STORED_ARTICLE = { group: ['**/store/store.js'], importNames: ['StoredArticle'], message: 'use Article from articles/article.ts' };
const WHOLE_STORE = {
  group: ['**/store/store.js'],
  importNames: ['Store'],
  message: 'take the small store interfaces it uses (FeedStates, SeenItems, Articles, DeliveryQueue, …); only main.ts and cli/ hold the whole Store',
};

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'node_modules/', 'coverage/', 'demo/'] },
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
      // The same rule for the other ways to reach the environment: importing the process module, or
      // globalThis.process.
      'no-restricted-syntax': [
        'error',
        { selector: "ImportDeclaration[source.value=/^(node:)?process$/]", message: 'Only src/config/ reads the environment: use the global process, and take values from Env or Config.' },
        { selector: "MemberExpression[object.name='globalThis'][property.name='process']", message: 'Only src/config/ reads the environment: take the value from Env or Config.' },
      ],
    },
  },
  {
    files: ['src/config/**/*.ts'],
    rules: { 'no-restricted-properties': 'off', 'no-restricted-syntax': 'off' },
  },
  // Above the store, code names the article type Article (articles/), never the store's own shape,
  // and receives only the small store interfaces it uses; main.ts and cli/ hold the whole Store.
  { files: ['src/**/*.ts'], ignores: ['src/store/**'], rules: { 'no-restricted-imports': ['error', { patterns: [STORED_ARTICLE, WHOLE_STORE] }] } },
  { files: ['src/main.ts', 'src/cli.ts', 'src/cli/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [STORED_ARTICLE] }] } },
  { files: ['src/articles/article.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [WHOLE_STORE] }] } },
);
