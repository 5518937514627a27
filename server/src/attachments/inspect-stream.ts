import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import { type AcceptedType, classify, type SizeLimits } from './core/media-types.ts';
import { UnsupportedMediaType, UploadTooLarge } from './errors.ts';

/** Bytes `file-type` needs to recognise every accepted format. */
const HEAD_BYTES = 4100;

/**
 * Passes an upload through while checking it: the first bytes decide the type (415 when
 * it is not an accepted image or video), every byte counts against that kind's limit
 * (413 past it), and a SHA-256 of the whole is kept. Nothing is buffered beyond the head.
 */
export class InspectStream extends Transform {
  type: AcceptedType | null = null;
  bytes = 0;
  private head: Buffer[] = [];
  private headBytes = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly limits: SizeLimits) {
    super();
  }

  get sha256(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.type) {
      if (this.bytes > this.limits[this.type.kind]) done(this.tooLarge(this.type));
      else done(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < HEAD_BYTES) {
      done();
      return;
    }
    this.decide().then(
      () => done(),
      (err: Error) => done(err),
    );
  }

  override _flush(done: TransformCallback): void {
    if (this.type) {
      done();
      return;
    }
    this.decide().then(
      () => done(),
      (err: Error) => done(err),
    );
  }

  private async decide(): Promise<void> {
    const head = Buffer.concat(this.head);
    this.head = [];
    const detected = head.length > 0 ? await fileTypeFromBuffer(head) : undefined;
    const result = classify(detected?.mime);
    if (!result.ok) throw new UnsupportedMediaType(result.reason);
    this.type = result.type;
    if (this.bytes > this.limits[result.type.kind]) throw this.tooLarge(result.type);
    this.push(head);
  }

  private tooLarge(type: AcceptedType): Error {
    const mb = (this.limits[type.kind] / 1024 / 1024).toFixed(1);
    return new UploadTooLarge(`file: ${type.kind} larger than ${mb} MB`);
  }
}
