/**
 * `node --import tsx --import bench/lib/probe-preload.ts src/main.ts` (or, built, `node --import
 * dist/bench/lib/probe-preload.js dist/src/main.js`): the bot as deployed, plus an IPC
 * responder for its CPU time and event-loop delay (bench/lib/probe.ts). It exits when the benchmark that forked
 * it goes away, so a crashed benchmark leaves no bot behind.
 */
import { answerProbes } from './probe.js';

answerProbes();
process.on('disconnect', () => process.exit(0));
