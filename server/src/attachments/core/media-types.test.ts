import { describe, expect, it } from 'vitest';
import { classify, largestLimit } from './media-types.ts';

describe('classify', () => {
  it.each([
    ['image/jpeg', 'image'],
    ['image/png', 'image'],
    ['image/webp', 'image'],
    ['video/mp4', 'video'],
    ['video/webm', 'video'],
  ])('accepts %s as %s', (mime, kind) => {
    expect(classify(mime)).toEqual({ ok: true, type: { mime, kind } });
  });

  it.each([
    [undefined, /not a recognised image or video/],
    ['application/pdf', /content is application\/pdf/],
    ['image/svg+xml', /content is image\/svg\+xml/],
    ['image/gif', /content is image\/gif/],
    ['image/heic', /HEIC photos are not accepted/],
    ['video/quicktime', /export as MP4/],
  ])('refuses %s naming the field', (mime, reason) => {
    const result = classify(mime);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/^file: /);
      expect(result.reason).toMatch(reason);
    }
  });

  it('takes the larger of the two limits for the transport', () => {
    expect(largestLimit({ image: 10, video: 40 })).toBe(40);
    expect(largestLimit({ image: 50, video: 40 })).toBe(50);
  });
});
