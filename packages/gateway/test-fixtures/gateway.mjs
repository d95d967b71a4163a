// Runs a gateway on the given home and says "ready" once it listens (then waits to be killed).
import { Gateway } from '../dist/gateway.js';

await Gateway.start({ home: process.argv[2] });
process.stdout.write('ready\n');
