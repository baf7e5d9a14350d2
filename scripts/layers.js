// Which folder under src/ may import which: the import graph of the README's "Layout" section.
// ESLint (eslint.config.js) enforces it; anything not listed for a folder is refused.
export const LAYERS = { text: [] };
