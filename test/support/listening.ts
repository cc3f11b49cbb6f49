import { connect } from 'node:net';

/** Whether something accepts TCP connections at host:port (a listener is there at all). */
export const listening = (address: string): Promise<boolean> =>
  new Promise((resolve) => {
    const at = address.lastIndexOf(':');
    const socket = connect({ host: address.slice(0, at), port: Number(address.slice(at + 1)) });
    socket.setTimeout(3_000);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
