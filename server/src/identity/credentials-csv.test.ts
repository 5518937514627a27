import { devicePassword } from '@gridwatch/devices/credentials';
import { describe, expect, it } from 'vitest';
import { credentialsCsv } from './credentials-csv.ts';

describe('credentialsCsv', () => {
  const secret = 'csv-test-fleet-secret';
  it.each([
    {
      format: 'emqx' as const,
      header: 'user_id,password,is_superuser',
      row: (id: string) => `${id},${devicePassword(secret, id)},false`,
    },
    {
      format: 'plain' as const,
      header: 'username,password',
      row: (id: string) => `${id},${devicePassword(secret, id)}`,
    },
  ])('$format: a header, then one row per device with its derived password', ({ format, header, row }) => {
    const csv = credentialsCsv(['cam-00001', 'chg-00002'], secret, format);
    expect(csv.trimEnd().split('\n')).toEqual([header, row('cam-00001'), row('chg-00002')]);
  });

  it('derived passwords contain no CSV metacharacters', () => {
    const csv = credentialsCsv(
      Array.from({ length: 200 }, (_, i) => `d-${i}`),
      secret,
      'plain',
    );
    for (const line of csv.trimEnd().split('\n').slice(1)) expect(line.split(',')).toHaveLength(2);
  });
});
