import type { FastifyBaseLogger as Logger } from 'fastify';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { type AckHandle, AckLedger } from '../infra/puback-ledger.ts';

export interface MqttSourceOptions {
  url: string;
  username: string | undefined;
  password: string | undefined;
  clientId: string;
  /** What to subscribe to (QoS 1), e.g. `gw/+/+/+` or `$share/group/gw/+/+/+`; one or several. */
  topicFilter: string | string[];
  log: Logger;
  /** Takes one message; its PUBACK waits until `settle(ack)`. */
  accept(topic: string, payload: Buffer, ack: AckHandle | null): void;
  /** True while too many messages are pending: stop reading. */
  isFull(): boolean;
  onConnected(connected: boolean): void;
  onPaused(paused: boolean): void;
}

/**
 * Passed to mqtt.js's `handleMessage` callback: its QoS 1 handler then skips the PUBACK it
 * would send at once and carries on reading (mqtt.js 5, lib/handlers/publish.js). We send
 * the PUBACK ourselves once the message is committed.
 */
const PUBACK_DEFERRED = new Error('PUBACK deferred until the batch commits');

type ClientInternals = {
  stream: NodeJS.WritableStream & { destroyed: boolean; writable: boolean };
  reschedulePing(): void;
};

/**
 * The ingest's MQTT connection: a persistent session (clean: false) with a QoS 1
 * subscription. mqtt.js handles one received packet at a time and would send each PUBACK
 * as soon as `handleMessage` calls back, so holding that callback per message would admit
 * one message per commit. Instead the callback returns at once, minus the PUBACK, and the
 * PUBACKs are held in an `AckLedger` until the batch commits. When too many messages are
 * pending the callback itself is held: mqtt.js stops reading the socket, TCP pushes back,
 * and the broker keeps the rest.
 */
export class MqttSource {
  private client: MqttClient | null = null;
  private readonly ledger: AckLedger;
  private parked: Array<() => void> = [];
  private stopped = false;
  private everConnected = false;
  private lastMessageAt = 0;
  private onSubscribed: Array<() => void> = [];
  private hasSubscribed = false;

  constructor(private readonly opts: MqttSourceOptions) {
    this.ledger = new AckLedger((messageIds) => this.sendPubacks(messageIds));
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  get heldAcks(): number {
    return this.ledger.held;
  }

  start(): void {
    const { opts } = this;
    const client = mqtt.connect(opts.url, {
      clientId: opts.clientId,
      username: opts.username,
      password: opts.password,
      protocolVersion: 4,
      clean: false,
      keepalive: 30,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      resubscribe: false,
      // mqtt.js logs through `debug` several times per packet: at 20,000 messages a second
      // that was 4 % of the server's CPU even when disabled.
      ...(process.env.DEBUG ? {} : { log: () => {} }),
    });
    this.client = client;
    client.handleMessage = (packet, callback) => this.handleMessage(packet, callback);
    client.on('connect', (connack) => {
      this.ledger.reset();
      opts.onConnected(true);
      opts.log[this.everConnected ? 'warn' : 'info'](
        { sessionPresent: connack.sessionPresent, clientId: opts.clientId },
        this.everConnected ? 'broker connection restored' : 'connected to broker',
      );
      this.everConnected = true;
      client.subscribe(opts.topicFilter, { qos: 1 }, (err, granted) => {
        if (err || granted?.some((g) => g.qos === 128)) {
          opts.log.error({ err, granted, topic: opts.topicFilter }, 'subscription refused');
          return;
        }
        this.hasSubscribed = true;
        for (const wake of this.onSubscribed.splice(0)) wake();
      });
    });
    client.on('close', () => {
      // PUBACKs of this connection can no longer be sent: the broker redelivers.
      this.ledger.reset();
      opts.onConnected(false);
      // Let the old parser finish what it already read (see handleMessage).
      this.releaseParked();
    });
    client.on('offline', () => {
      if (!this.stopped) opts.log.warn({ url: opts.url }, 'broker unreachable; reconnecting');
    });
    client.on('error', (err) => opts.log.warn({ err: err.message }, 'mqtt error'));
  }

  /** Resolves once the subscription is in place (or after `timeoutMs`): true if it is. */
  async subscribed(timeoutMs: number): Promise<boolean> {
    if (this.hasSubscribed) return true;
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([
      new Promise<boolean>((resolve) => this.onSubscribed.push(() => resolve(true))),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return ok;
  }

  /** The message is committed or dead-lettered. */
  settle(ack: AckHandle): void {
    this.ledger.settle(ack);
  }

  /** These messages are committed or dead-lettered (one PUBACK write for all that are due). */
  settleMany(acks: Iterable<AckHandle>): void {
    this.ledger.settleMany(acks);
  }

  /** Room again: read on. */
  resume(): void {
    if (this.parked.length === 0 || this.opts.isFull()) return;
    this.releaseParked();
  }

  private releaseParked(): void {
    const parked = this.parked;
    this.parked = [];
    this.opts.onPaused(false);
    for (const go of parked) go();
  }

  /**
   * Waits until no message arrived for `quietMs` (at most `maxMs`): with an in-process
   * broker whose devices were just disconnected, what it already took in is still on its
   * way here, and storing it now spares the devices sending it again.
   */
  async quiesce(quietMs: number, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline && Date.now() - this.lastMessageAt < quietMs) {
      await new Promise((r) => setTimeout(r, quietMs / 4));
    }
  }

  /** Stops taking messages: those still arriving are left to the broker (no PUBACK). */
  stopReading(): void {
    this.stopped = true;
  }

  async end(): Promise<void> {
    await this.client?.endAsync().catch((err) => this.opts.log.warn({ err }, 'mqtt end failed'));
  }

  private handleMessage(packet: IPublishPacket, callback: (err?: Error) => void): void {
    // Once stopping, messages are left to the broker: no PUBACK, so it redelivers them.
    if (this.stopped) return;
    const now = Date.now();
    // mqtt.js counts only acks and PINGRESP as signs of life, not received messages: a
    // subscriber that is busy reading a backlog (PINGRESP queued behind it) would time out
    // and reconnect, and every held PUBACK would be lost (the broker resends them all).
    if (now - this.lastMessageAt > 1000) (this.client as unknown as ClientInternals | null)?.reschedulePing();
    this.lastMessageAt = now;
    // After a close the old connection's parser still hands over what it had read. Those
    // messages are stored but never acknowledged (a broker that keeps sessions sends them
    // again, and the second copy is a no-op); an in-process broker that closed has no
    // other copy, so dropping them would lose them.
    const live = this.client?.connected === true;
    const ack =
      live && packet.qos > 0 && packet.messageId !== undefined ? this.ledger.track(packet.messageId) : null;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    this.opts.accept(packet.topic, payload, ack);
    const go = () => callback(PUBACK_DEFERRED);
    if (live && this.opts.isFull()) {
      if (this.parked.length === 0) this.opts.onPaused(true);
      this.parked.push(go);
    } else {
      go();
    }
  }

  /**
   * Writes the PUBACKs straight to the socket, all in one buffer: a QoS 1 PUBACK (MQTT
   * 3.1.1 §3.4) is 4 fixed bytes, and going through mqtt.js's packet writer one by one
   * (a generate, a cork and a nextTick, a write each) cost more CPU than storing the row.
   */
  private sendPubacks(messageIds: number[]): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    const stream = (client as unknown as ClientInternals).stream;
    if (!stream || stream.destroyed || !stream.writable) return false;
    const buf = Buffer.allocUnsafe(messageIds.length * 4);
    for (let i = 0; i < messageIds.length; i++) {
      const id = messageIds[i]!;
      buf[i * 4] = 0x40;
      buf[i * 4 + 1] = 0x02;
      buf[i * 4 + 2] = id >> 8;
      buf[i * 4 + 3] = id & 0xff;
    }
    stream.write(buf);
    return true;
  }
}
