#!/usr/bin/env node
// `aleph hook` runs before every tool call an agent makes: it goes straight to the hook, bundled
// into one file by the build, without loading the command table.
if (process.argv[2] === 'hook') {
  let hook;
  try {
    hook = await import('../dist/hook-bundle.js');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    hook = await import('../dist/hooks/main.js');
  }
  await hook.run(process.argv.slice(3));
} else {
  const { run } = await import('../dist/main.js');
  await run();
}
