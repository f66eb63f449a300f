// Entry of the `switchboard` bin: the program is the list of command modules below. A new command is one
// module in ./commands exporting its register function, and one entry here.

import { registerBench } from './commands/bench';
import { registerCluster } from './commands/cluster';
import { registerDemo } from './commands/demo';
import { registerPublish } from './commands/publish';
import { registerServe } from './commands/serve';
import { registerTail } from './commands/tail';
import { registerToken } from './commands/token';
import { registerTui } from './commands/tui';
import { createProgram, run } from './program';

const program = createProgram([registerServe, registerTail, registerPublish, registerDemo, registerToken, registerTui, registerBench, registerCluster]);

// Long-running commands (serve, tail, demo) resolve only when they are done, so exiting here is safe and
// also ends any handle a library left open.
process.exit(await run(program, process.argv));
