import type { Client, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { type AckHandle, AckLedger } from '../puback-ledger.ts';

/** One device message whose PUBACK waits for the server's sessions. */
interface Held {
  ledger: AckLedger;
  ack: AckHandle;
  /** Server sessions that were given the message and have not acknowledged it yet. */
  awaiting: Set<string>;
  /** At least one server session was given it. */
  taken: boolean;
  /** Aedes finished delivering it (every online subscriber was offered it). */
  published: boolean;
}

/**
 * End-to-end acknowledgement on the embedded broker: a device's QoS 1 message gets its
 * PUBACK only once every server session it was delivered to has acknowledged it, and
 * ingest acknowledges only after the commit (or the dead letter). So, as with an external
 * broker, what a device saw acknowledged is stored even if the process dies the next
 * moment; what it did not see acknowledged it sends again after reconnecting, and the
 * idempotent insert stores it once.
 *
 * Aedes (1.x, lib/handlers/publish.js) writes a QoS 1 PUBACK itself, synchronously, as the
 * first thing after `authorizePublish` calls back, and only then publishes. `hold()` is
 * called from `authorizePublish`: it swallows that one write and takes the PUBACK over.
 * The message is followed by the identity of its payload buffer, which Aedes hands on
 * unchanged to the `authorizeForward` of each subscriber, to the `published` hook and to
 * the packet its `ack` event returns.
 *
 * The server's sessions live in this process and are subscribed before any device is let
 * in; a message no server session was given (one was disconnected at that moment) is not
 * acknowledged, and its device is disconnected so that it sends the message again.
 */
export class HeldPubacks {
  private readonly held = new WeakMap<Buffer, Held>();
  private readonly ledgers = new WeakMap<Client, AckLedger>();
  private warnedUnswallowed = false;

  constructor(
    private readonly opts: {
      isServerSession(client: Client): boolean;
      log: Logger;
    },
  ) {}

  /**
   * From `authorizePublish`, once the device's message is authorised: lets Aedes go on
   * (`done(null)`) without its PUBACK.
   */
  hold(client: Client, packet: PublishPacket, done: (err: Error | null) => void): void {
    if (packet.qos !== 1 || packet.messageId === undefined) {
      done(null);
      return;
    }
    // The payload's identity is the key: an empty payload must be a buffer of its own.
    if (!Buffer.isBuffer(packet.payload) || packet.payload.length === 0) {
      packet.payload = Buffer.from(packet.payload);
    }
    const ledger = this.ledgerOf(client);
    this.held.set(packet.payload as Buffer, {
      ledger,
      ack: ledger.track(packet.messageId),
      awaiting: new Set(),
      taken: false,
      published: false,
    });
    const conn = client.conn as { write: (...args: unknown[]) => boolean };
    const own = Object.hasOwn(conn, 'write');
    const write = conn.write;
    let swallowed = 0;
    conn.write = () => {
      swallowed += 1;
      return true;
    };
    try {
      done(null);
    } finally {
      if (own) conn.write = write;
      else delete (conn as { write?: unknown }).write;
    }
    if (swallowed === 0 && client.connected && !this.warnedUnswallowed) {
      // Aedes changed how it acknowledges: devices now get a PUBACK on receipt as well.
      this.warnedUnswallowed = true;
      this.opts.log.error('embedded broker: the PUBACK on receipt was not intercepted');
    }
  }

  /** From `authorizeForward`: the message goes to `subscriber`. */
  forwarded(subscriber: Client, packet: PublishPacket): void {
    // Retained copies sent on SUBSCRIBE are not stored by Aedes and never acknowledged as such.
    if (packet.retain || !this.opts.isServerSession(subscriber)) return;
    const held = this.held.get(packet.payload as Buffer);
    if (!held) return;
    held.awaiting.add(subscriber.id);
    held.taken = true;
  }

  /** From the `published` hook: every subscriber online was offered the message. */
  published(packet: PublishPacket, publisher: Client): void {
    const held = this.held.get(packet.payload as Buffer);
    if (!held) return;
    held.published = true;
    this.settleIfDone(packet.payload as Buffer, held, publisher);
  }

  /** From the `ack` event: `subscriber` acknowledged the message. */
  acknowledged(subscriber: Client, packet: object | undefined): void {
    if (!packet || !('payload' in packet) || !this.opts.isServerSession(subscriber)) return;
    const held = this.held.get(packet.payload as Buffer);
    if (!held) return;
    held.awaiting.delete(subscriber.id);
    this.settleIfDone(packet.payload as Buffer, held, null);
  }

  private settleIfDone(key: Buffer, held: Held, publisher: Client | null): void {
    if (!held.published || held.awaiting.size > 0) return;
    this.held.delete(key);
    if (held.taken) {
      held.ledger.settle(held.ack);
      return;
    }
    // Nothing will store it: no PUBACK, and the device sends it again once reconnected.
    this.opts.log.warn(
      { clientId: publisher?.id },
      'no server session took a device message; device disconnected',
    );
    publisher?.conn.destroy();
  }

  private ledgerOf(client: Client): AckLedger {
    let ledger = this.ledgers.get(client);
    if (!ledger) {
      ledger = new AckLedger((messageIds) => writePubacks(client, messageIds));
      this.ledgers.set(client, ledger);
    }
    return ledger;
  }
}

/**
 * PUBACKs straight to the device's socket, in one write: with no properties and reason
 * code 0 a PUBACK is the same 4 bytes in MQTT 3.1, 3.1.1 and 5 (type 4, length 2, id).
 */
function writePubacks(client: Client, messageIds: number[]): boolean {
  const conn = client.conn;
  if (!client.connected || conn.destroyed || !conn.writable) return false;
  const buf = Buffer.allocUnsafe(messageIds.length * 4);
  for (let i = 0; i < messageIds.length; i++) {
    const id = messageIds[i]!;
    buf[i * 4] = 0x40;
    buf[i * 4 + 1] = 0x02;
    buf[i * 4 + 2] = id >> 8;
    buf[i * 4 + 3] = id & 0xff;
  }
  conn.write(buf);
  return true;
}
