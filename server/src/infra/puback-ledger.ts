/** One QoS 1 message whose PUBACK waits until it is stored. */
export interface AckHandle {
  readonly messageId: number;
  readonly connection: number;
  settled: boolean;
}

/**
 * Holds the PUBACKs of one MQTT connection until their messages are stored, then releases
 * them in the order the messages arrived (MQTT 3.1.1 §4.6 asks for PUBACKs in order). Used
 * on both sides of the embedded broker: by ingest towards the broker, and by the embedded
 * broker towards each device.
 * PUBACKs of an earlier connection are dropped, never sent on a new one: the broker
 * redelivers those messages (same message id, possibly reused), and the idempotent
 * insert makes the second copy a no-op.
 */
export class AckLedger {
  private connection = 0;
  private queue: AckHandle[] = [];
  private head = 0;

  /** @param send writes PUBACKs for these message ids, in order; false when the connection is gone. */
  constructor(private readonly send: (messageIds: number[]) => boolean) {}

  /** A new connection: forget every PUBACK of the previous one. */
  reset(): void {
    this.connection += 1;
    this.queue = [];
    this.head = 0;
  }

  track(messageId: number): AckHandle {
    const handle: AckHandle = { messageId, connection: this.connection, settled: false };
    this.queue.push(handle);
    return handle;
  }

  /** The message is committed (or dead-lettered): its PUBACK may go once those before it went. */
  settle(handle: AckHandle): void {
    this.settleMany([handle]);
  }

  /**
   * Several messages are committed: every PUBACK now due goes in ONE `send` call (one
   * socket write for a whole batch instead of one per message).
   */
  settleMany(handles: Iterable<AckHandle>): void {
    let current = false;
    for (const handle of handles) {
      handle.settled = true;
      if (handle.connection === this.connection) current = true;
    }
    if (!current) return;
    const due: number[] = [];
    while (this.head < this.queue.length && this.queue[this.head]!.settled) {
      due.push(this.queue[this.head]!.messageId);
      this.head += 1;
    }
    if (due.length > 0 && !this.send(due)) {
      this.reset();
      return;
    }
    // Compact now and then rather than shifting on every PUBACK.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /** PUBACKs held on the current connection. */
  get held(): number {
    return this.queue.length - this.head;
  }
}
