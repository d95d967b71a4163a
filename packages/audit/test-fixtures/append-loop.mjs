// Appends events forever (or COUNT of them), printing each acknowledged id on its own line.
import { AuditStore } from '../dist/store.js';

const [file, label, count] = process.argv.slice(2);
const store = AuditStore.open(file);
const limit = count === undefined ? Infinity : Number(count);
for (let i = 0; i < limit; i++) {
  const id = store.append({ event: 'terminal_cmd', command: `echo ${label} ${i}`, decision: 'allow-once', risk_level: 'low', session: label, actor: label });
  process.stdout.write(`${id}\n`);
}
store.close();
