#!/usr/bin/env node
// Thin launcher so `npx herald` works from the repository root after the README's install command.
import '../dist/cli.js';
