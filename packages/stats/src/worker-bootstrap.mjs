// Plain-JS entry for runInWorker: registers tsx's loader inside the worker
// thread (Node 20 does not carry --import loaders into workers reliably), then
// loads the TypeScript task runner.
import { register } from 'tsx/esm/api';

register();
await import('./worker-entry.ts');
