// Entry point. The on-disk compile cache goes on before anything else is loaded, so that a restart
// compiles nothing again (NODE_COMPILE_CACHE picks the directory, else the OS temp dir;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off; an unwritable directory only means no cache). Then the
// service starts.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./serve.js');
