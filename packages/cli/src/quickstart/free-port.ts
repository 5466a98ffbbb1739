import net from 'node:net';

/** The preferred port if it is free on that host, else any free one (and say so). */
export async function preferredOrFreePort(host: string, preferred: number): Promise<{ port: number; fallback: boolean }> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, host, () => {
        const chosen = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(chosen));
      });
    });
  const port = await tryListen(preferred);
  if (port !== undefined) return { port, fallback: false };
  const any = await tryListen(0);
  if (any === undefined) throw new Error(`cannot listen on ${host}`);
  return { port: any, fallback: true };
}
