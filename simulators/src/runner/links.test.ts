import { ErrorWithReasonCode } from 'mqtt/lib/shared';
import { describe, expect, it } from 'vitest';
import { isProtocolVersionRefusal, publishRefusalCode } from './links.ts';

describe('MQTT version fallback and refusals', () => {
  it.each([
    {
      name: '3.1.1 CONNACK "unacceptable protocol version"',
      err: Object.assign(new Error('x'), { code: 1 }),
      fallback: true,
    },
    {
      name: 'MQTT 5 CONNACK 0x84 unsupported protocol version',
      err: Object.assign(new Error('x'), { code: 0x84 }),
      fallback: true,
    },
    {
      name: 'bad user name or password (5)',
      err: Object.assign(new Error('x'), { code: 5 }),
      fallback: false,
    },
    {
      name: 'not authorised under MQTT 5 (0x87)',
      err: Object.assign(new Error('x'), { code: 0x87 }),
      fallback: false,
    },
    { name: 'a socket error', err: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), fallback: false },
  ])('falls back to 3.1.1 only on a version refusal: $name', ({ err, fallback }) => {
    expect(isProtocolVersionRefusal(err)).toBe(fallback);
  });

  it('reads the reason code of a refused publish, and nothing else', () => {
    expect(publishRefusalCode(new ErrorWithReasonCode('Publish error: Not authorized', 0x87))).toBe(0x87);
    expect(publishRefusalCode(new ErrorWithReasonCode('Publish error: Quota exceeded', 0x97))).toBe(0x97);
    expect(publishRefusalCode(new Error('Connection closed'))).toBeNull();
    expect(publishRefusalCode(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeNull();
    expect(publishRefusalCode(undefined)).toBeNull();
  });
});
