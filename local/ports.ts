/** Port checks done before anything starts, so that a busy port fails fast with one clear line. */
import { createServer } from 'node:net';
import { StartupError } from './errors.ts';

export const loopback = '127.0.0.1';

function tryListen(port: number): Promise<number | 'busy'> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve('busy');
      else reject(err);
    });
    server.listen({ port, host: loopback, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

/** Throws `port P is in use (set VAR to use another)` when the port cannot be bound on loopback. */
export async function assertPortFree(port: number, variable: string): Promise<void> {
  if (port === 0) return;
  if ((await tryListen(port)) === 'busy') {
    throw new StartupError(`port ${port} is in use (set ${variable} to use another)`);
  }
}

/** A port that was free a moment ago; for children (Java) that cannot report an ephemeral port. */
export async function freePort(): Promise<number> {
  const port = await tryListen(0);
  if (port === 'busy') throw new Error('no free port on loopback');
  return port;
}
