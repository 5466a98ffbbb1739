import net from 'node:net';

/**
 * A loopback port that is free now: the OS picks it, then it is let go. Nothing listens on it until someone binds it,
 * so it serves both for a server that must come back on a known port and for "nothing answers there".
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
