#!/usr/bin/env node
// CommonJS (see package.json beside it), so that `aleph hook`, which runs before every tool call an
// agent makes, starts without Node's ES module loader: it goes straight to the hook, bundled into
// one CommonJS file by the build. Every other command loads the command table as ES modules.
'use strict';
// The parent as it was when this process began, before any module loads: a gateway run with
// --exit-with-parent must see that parent go even if it goes while the gateway starts.
globalThis.alephEntryParent = process.ppid;
if (process.argv[2] === 'hook') {
  let hook;
  try {
    hook = require('../dist/hook-bundle.cjs');
  } catch (error) {
    if (error === null || typeof error !== 'object' || error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes('hook-bundle.cjs')) throw error;
  }
  if (hook === undefined) import('../dist/hooks/main.js').then((m) => m.run(process.argv.slice(3)));
  else hook.run(process.argv.slice(3));
} else {
  import('../dist/main.js').then((m) => m.run());
}
