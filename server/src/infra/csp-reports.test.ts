import { describe, expect, it } from 'vitest';
import { violationsOf } from './csp-reports.ts';

describe('violationsOf', () => {
  it('reads a report-uri report', () => {
    const body = {
      'csp-report': {
        'document-uri': 'http://centre:8080/console',
        'violated-directive': 'script-src-elem',
        'effective-directive': 'script-src-elem',
        'blocked-uri': 'inline',
      },
    };
    expect(violationsOf(body)).toEqual([
      { directive: 'script-src-elem', blocked: 'inline', page: 'http://centre:8080/console' },
    ]);
  });

  it('reads Reporting API reports and skips other report types', () => {
    const body = [
      {
        type: 'csp-violation',
        body: {
          effectiveDirective: 'img-src',
          blockedURL: 'https://x.example/a.png',
          documentURL: 'http://c/',
        },
      },
      { type: 'deprecation', body: { id: 'x' } },
    ];
    expect(violationsOf(body)).toEqual([
      { directive: 'img-src', blocked: 'https://x.example/a.png', page: 'http://c/' },
    ]);
  });

  it('finds nothing in what is not a report, and clips what is long', () => {
    expect(violationsOf(null)).toEqual([]);
    expect(violationsOf('text')).toEqual([]);
    expect(violationsOf({ other: 1 })).toEqual([]);
    const [v] = violationsOf({ 'csp-report': { 'blocked-uri': 'x'.repeat(5000), 'effective-directive': 7 } });
    expect(v?.blocked).toHaveLength(300);
    expect(v?.directive).toBe('');
  });
});
