'use strict';
/**
 * Preloaded (`-r`) before ts-node in every HTTP benchmark target. ts-node's register loads its
 * REPL module eagerly, which loads node:repl and with it node:domain; once node:domain is loaded,
 * every async operation of the process pays for domain propagation. A compiled app (`npm start`)
 * never loads it, so neither the targets nor the floors should: ts-node gets a lazy `repl`.
 */
const Module = require('node:module');
const originalLoad = Module._load;
Module._load = function load(request, parent, isMain) {
  if ((request === 'repl' || request === 'node:repl') && parent && /ts-node[\\/]dist[\\/]repl\.js$/.test(parent.filename)) {
    let real;
    const get = () => (real ??= originalLoad.call(this, 'node:repl', parent, isMain));
    return new Proxy({}, { get: (_target, key) => get()[key] });
  }
  return originalLoad.call(this, request, parent, isMain);
};
