import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import { MongoNetworkError } from 'mongodb';

/** Marks a driver copy whose connections are guarded, so guarding it twice changes nothing. */
const GUARDED = Symbol.for('@globeco/portfolio-core/dropped-connection-guard');

/** The parts of the driver's internal `Connection` the guard relies on. */
interface DriverConnection {
  readonly id: number | '<monitor>';
  readonly address: string;
  readonly socket: Socket;
  readonly error?: Error | null;
  writeCommand(command: unknown, options: unknown): Promise<void>;
}

type WriteCommand = DriverConnection['writeCommand'] & { [GUARDED]?: true };

function closedError(connection: DriverConnection): Error {
  return connection.error ?? new MongoNetworkError(`connection ${connection.id} to ${connection.address} closed`);
}

/**
 * Makes the MongoDB driver fail, instead of never settling, an operation whose connection closes
 * while its command is being compressed or written: mongodb 7.9.x (7.9.1 is the newest release)
 * then awaits a `'drain'` that a destroyed socket never emits. Each write of a command is raced
 * against its socket's `'close'`, which rejects it with a `MongoNetworkError`, so the operation
 * fails like any dropped connection (and retryable writes and reads are retried by the driver).
 * Applied once per copy of the driver; {@link createMongoClient} and the Mongo store call it.
 * @returns whether the driver's connections are guarded (false when this driver has no such internals)
 */
export function guardDroppedConnections(): boolean {
  const driverRequire = createRequire(createRequire(import.meta.url).resolve('mongodb'));
  let proto: { writeCommand?: WriteCommand } | undefined;
  try {
    const { Connection } = driverRequire(join(dirname(driverRequire.resolve('mongodb')), 'cmap', 'connection.js')) as {
      Connection?: { prototype: { writeCommand?: WriteCommand } };
    };
    proto = Connection?.prototype;
  } catch {
    return false;
  }
  const original = proto?.writeCommand;
  if (proto === undefined || typeof original !== 'function') return false;
  if (original[GUARDED] === true) return true;
  const guarded: WriteCommand = async function (this: DriverConnection, command, options) {
    const { socket } = this;
    if (socket.destroyed) throw closedError(this);
    let onClose: (() => void) | undefined;
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(closedError(this));
      socket.once('close', onClose);
    });
    try {
      // The driver's own write may never settle once the socket is gone; the race ends it.
      return await Promise.race([original.call(this, command, options), closed]);
    } finally {
      if (onClose) socket.off('close', onClose);
    }
  };
  guarded[GUARDED] = true;
  proto.writeCommand = guarded;
  return true;
}
