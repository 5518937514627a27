import sharp from 'sharp';
import { UnprocessableImage, UploadTooLarge } from './errors.ts';

/** Longest side of a list thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 320;
export const THUMBNAIL_MIME = 'image/jpeg';

export interface ProcessedImage {
  /** The image to serve: upright, re-encoded in its own format, without EXIF/XMP/ICC text. */
  data: Buffer;
  width: number;
  height: number;
  thumbnail: Buffer;
}

/**
 * Re-encodes an accepted photo so what is served carries no metadata (phones write GPS
 * position, device and owner into EXIF): sharp drops all metadata unless asked to keep
 * it. The EXIF orientation is applied first so the photo still shows upright. A pixel
 * limit refuses decompression bombs (a small file that decodes to gigapixels).
 */
export async function processImage(path: string, mime: string, maxPixels: number): Promise<ProcessedImage> {
  try {
    const upright = sharp(path, { limitInputPixels: maxPixels, failOn: 'error' }).rotate();
    const encoded =
      mime === 'image/png'
        ? upright.png({ compressionLevel: 9 })
        : mime === 'image/webp'
          ? upright.webp({ quality: 90 })
          : upright.jpeg({ quality: 90, mozjpeg: true });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(data)
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 75 })
      .toBuffer();
    return { data, width: info.width, height: info.height, thumbnail };
  } catch (err) {
    const message = (err as Error).message ?? '';
    if (/pixel limit/i.test(message)) {
      throw new UploadTooLarge(`file: image larger than ${(maxPixels / 1e6).toFixed(0)} megapixels`);
    }
    throw new UnprocessableImage(`file: image could not be decoded (${message.split('\n')[0]})`);
  }
}
