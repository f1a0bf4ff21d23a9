// Worker-thread bootstrap: registers tsx in this thread (a worker does not
// inherit the parent's loader, and Node 20 ignores `--import` in a worker's
// execArgv), then runs the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./drift-worker-entry.ts');
