#!/usr/bin/env node
// CommonJS (see package.json beside it), so that `aleph hook`, which runs before every tool call an
// agent makes, and `aleph run`, which runs every command it is allowed, start without Node's ES
// module loader: each goes straight to its own bundle, one CommonJS file made by the build. Every
// other command loads the command table as ES modules.
'use strict';
// The parent as it was when this process began, before any module loads: a gateway run with
// --exit-with-parent must see that parent go even if it goes while the gateway starts.
globalThis.alephEntryParent = process.ppid;
/** A bundled entry (`aleph hook`, `aleph run`), or its modules where the build made no bundle. */
function bundled(bundle, modules) {
  let entry;
  try {
    entry = require(bundle);
  } catch (error) {
    if (error === null || typeof error !== 'object' || error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes(bundle.slice(8))) throw error;
  }
  if (entry === undefined) import(modules).then((m) => m.run(process.argv.slice(3)));
  else entry.run(process.argv.slice(3));
}
if (process.argv[2] === 'hook') bundled('../dist/hook-bundle.cjs', '../dist/hooks/main.js');
else if (process.argv[2] === 'run') bundled('../dist/run-bundle.cjs', '../dist/run-main.js');
else import('../dist/main.js').then((m) => m.run());
