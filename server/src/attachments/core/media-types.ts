/**
 * What may be uploaded, decided from the file's content (its magic bytes as `file-type`
 * reads them), never from its name or the declared content type.
 */

export type AttachmentKind = 'image' | 'video';

export interface AcceptedType {
  kind: AttachmentKind;
  mime: string;
}

/** Content types accepted as they are (images are re-encoded without metadata). */
const ACCEPTED: Record<string, AcceptedType> = {
  'image/jpeg': { kind: 'image', mime: 'image/jpeg' },
  'image/png': { kind: 'image', mime: 'image/png' },
  'image/webp': { kind: 'image', mime: 'image/webp' },
  'video/mp4': { kind: 'video', mime: 'video/mp4' },
  'video/webm': { kind: 'video', mime: 'video/webm' },
};

/** Detected but refused, with the reason a person can act on. */
const REFUSED: Record<string, string> = {
  'image/heic':
    'HEIC photos are not accepted: no maintained decoder is bundled; set the camera to "Most Compatible" (JPEG) or share the photo as JPEG',
  'image/heif':
    'HEIF photos are not accepted: no maintained decoder is bundled; set the camera to "Most Compatible" (JPEG) or share the photo as JPEG',
  'video/quicktime': 'QuickTime (.mov) video is not accepted: record or export as MP4',
};

export type Classification = { ok: true; type: AcceptedType } | { ok: false; reason: string };

/** Classifies a detected MIME type (`undefined`: nothing recognised in the first bytes). */
export function classify(detectedMime: string | undefined): Classification {
  if (!detectedMime) {
    return {
      ok: false,
      reason: 'file: content is not a recognised image or video (accepted: JPEG, PNG, WebP, MP4, WebM)',
    };
  }
  const accepted = ACCEPTED[detectedMime];
  if (accepted) return { ok: true, type: accepted };
  return {
    ok: false,
    reason: `file: ${REFUSED[detectedMime] ?? `content is ${detectedMime}, not an accepted image or video (accepted: JPEG, PNG, WebP, MP4, WebM)`}`,
  };
}

export interface SizeLimits {
  /** Largest image in bytes. */
  image: number;
  /** Largest video in bytes. */
  video: number;
}

export const largestLimit = (limits: SizeLimits): number => Math.max(limits.image, limits.video);

export const ACCEPTED_MIME_TYPES = Object.keys(ACCEPTED);
