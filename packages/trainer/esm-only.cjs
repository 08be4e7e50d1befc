'use strict';
// The `require` condition of this package's exports: reached only where require() cannot load an
// ES module (Node before 20.19 and 22.12, or --no-experimental-require-module). Newer Node matches
// the `module-sync` condition first and loads the package itself.
const { name } = require('./package.json');
const error = new Error(
  `${name} is an ES module (ESM only) and this Node.js cannot require() it: ` +
    `write import { ... } from '${name}' in an ES module (a .mjs file, or "type": "module" in package.json), ` +
    `or const { ... } = await import('${name}') from CommonJS; Node.js 20.19+ and 22.12+ can also require() it`,
);
error.code = 'ERR_REQUIRE_ESM';
throw error;
