import { describe, expect, it } from 'vitest';
import { AckLedger } from './puback-ledger.ts';

function ledger() {
  const sent: number[] = [];
  let connected = true;
  const writes: number[][] = [];
  const l = new AckLedger((ids) => {
    if (!connected) return false;
    sent.push(...ids);
    writes.push(ids);
    return true;
  });
  return { l, sent, writes, disconnect: () => (connected = false) };
}

describe('AckLedger', () => {
  it('sends nothing before the message is settled', () => {
    const { l, sent } = ledger();
    l.track(1);
    expect(sent).toEqual([]);
    expect(l.held).toBe(1);
  });

  it('releases PUBACKs in arrival order even when batches commit out of order', () => {
    const { l, sent } = ledger();
    const [a, b, c] = [l.track(1), l.track(2), l.track(3)];
    l.settle(c);
    l.settle(b);
    expect(sent).toEqual([]);
    l.settle(a);
    expect(sent).toEqual([1, 2, 3]);
    expect(l.held).toBe(0);
  });

  it('never sends a PUBACK of an earlier connection on a new one', () => {
    const { l, sent } = ledger();
    const old = l.track(7);
    l.reset();
    const fresh = l.track(7);
    l.settle(old);
    expect(sent).toEqual([]);
    l.settle(fresh);
    expect(sent).toEqual([7]);
  });

  it('drops held PUBACKs when the connection is found gone', () => {
    const { l, sent, disconnect } = ledger();
    const a = l.track(1);
    l.track(2);
    disconnect();
    l.settle(a);
    expect(sent).toEqual([]);
    expect(l.held).toBe(0);
  });

  it('sends the PUBACKs a batch releases in one write, in arrival order', () => {
    const { l, sent, writes } = ledger();
    const handles = [1, 2, 3, 4, 5].map((id) => l.track(id));
    l.settleMany([handles[4]!, handles[1]!, handles[0]!]);
    expect(writes).toEqual([[1, 2]]);
    l.settleMany([handles[3]!, handles[2]!]);
    expect(writes).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    expect(sent).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps order across queue compaction', () => {
    const { l, sent } = ledger();
    const handles = Array.from({ length: 3000 }, (_, i) => l.track(i + 1));
    for (const h of handles) l.settle(h);
    expect(sent).toHaveLength(3000);
    expect(sent.every((id, i) => id === i + 1)).toBe(true);
  });
});
