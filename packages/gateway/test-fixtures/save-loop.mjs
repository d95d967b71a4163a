// Saves the configuration over and over, each time with a bigger allowlist, until killed.
import { loadConfig, saveConfig } from '../dist/config/config.js';

const home = process.argv[2];
const base = loadConfig(home, true);
if (!base.ok) throw new Error(base.error.message);
for (let i = 0; ; i++) {
  const allowlist = Array.from({ length: i % 500 }, (_, j) => ({
    kind: 'exact',
    pattern: `echo ${j}`,
    id: `r${j}`,
    source: 'test',
    created_at: new Date(0).toISOString(),
  }));
  const saved = saveConfig(home, { ...base.value, agents: { a: { rules: allowlist } } });
  if (!saved.ok) throw new Error(saved.error.message);
  if (i === 20) process.stdout.write('saving\n');
}
