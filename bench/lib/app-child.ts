/**
 * Child-process entry: runs one app (bot or bare Bolt) and answers the parent's requests over IPC.
 * Started by bench/lib/remote-app.ts with `--import tsx`.
 */
import { startApp, type AppHandle, type AppSpec } from './app-host.js';

interface Request {
  id: number;
  op: 'start' | 'received' | 'idle' | 'logs' | 'resetStats' | 'stats' | 'stop';
  spec?: AppSpec;
}

let app: AppHandle | undefined;

function reply(message: unknown, then?: () => void): void {
  process.send?.(message, undefined, undefined, () => then?.());
}

process.on('message', (raw) => {
  const req = raw as Request;
  void (async () => {
    try {
      let result: unknown;
      switch (req.op) {
        case 'start':
          app = await startApp(req.spec!);
          result = { port: app.port };
          break;
        case 'received':
          result = await app!.received();
          break;
        case 'idle':
          await app!.idle();
          break;
        case 'logs':
          result = await app!.logs();
          break;
        case 'resetStats':
          await app!.resetStats();
          break;
        case 'stats':
          result = await app!.stats();
          break;
        case 'stop':
          await app?.stop();
          app = undefined;
          reply({ id: req.id, ok: true }, () => process.exit(0));
          return;
      }
      reply({ id: req.id, ok: true, result });
    } catch (err) {
      reply({ id: req.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  })();
});

// The parent went away (crash, Ctrl-C): do not linger.
process.on('disconnect', () => process.exit(0));
