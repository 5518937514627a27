import { describe, expect, it } from 'vitest';
import { isTransientDbError } from './db-errors.ts';

describe('isTransientDbError', () => {
  it.each([
    [
      'connection refused (no SQLSTATE)',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      true,
    ],
    ['connection terminated', new Error('Connection terminated unexpectedly'), true],
    ['admin shutdown', { code: '57P01' }, true],
    ['database starting up', { code: '57P03' }, true],
    ['too many connections', { code: '53300' }, true],
    ['deadlock', { code: '40P01' }, true],
    ['unsupported unicode escape in jsonb', { code: '22P05' }, false],
    ['not-null violation', { code: '23502' }, false],
    ['invalid text representation', { code: '22P02' }, false],
  ])('%s → transient %s', (_name, err, transient) => {
    expect(isTransientDbError(err)).toBe(transient);
  });
});
