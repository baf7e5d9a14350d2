// The layers of src/, top first: a module may import from its own layer and from the layers below
// it, never from one above. A unit is a folder under src/ or a file at its top (cli is both cli.ts
// and cli/). ESLint (eslint.config.js) enforces this; the README's "Layout" section draws the same.
export const LAYERS = [['cli'], ['main'], ['dashboard'], ['pipeline'], ['targets'], ['deliveries'], ['articles'], ['store'], ['sources'], ['config', 'ops', 'text', 'version', 'types']];

/** The paths under the project root that make up a unit: its folder and its top-level file. */
export function unitPaths(unit) {
  return [`./src/${unit}`, `./src/${unit}.ts`];
}
