import type { Map as MapLibreMap } from 'maplibre-gl';

/**
 * Map text without glyph servers: MapLibre's `text-field` needs PBF glyphs fetched from a
 * URL, which an offline centre does not have. Labels are drawn into a canvas with the
 * browser's own CJK font instead and added as images on demand, keyed `t:<text>` (street
 * and site names) and `n:<count>` (cluster counts).
 */
const FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';

export function textImage(
  text: string,
  opts: { size: number; color: string; halo: string; ratio: number; bold?: boolean },
) {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const font = `${opts.bold ? '700' : '500'} ${opts.size * opts.ratio}px ${FONT}`;
  ctx.font = font;
  const pad = 4 * opts.ratio;
  const width = Math.ceil(ctx.measureText(text).width + pad * 2);
  const height = Math.ceil(opts.size * opts.ratio * 1.4 + pad);
  canvas.width = width;
  canvas.height = height;
  ctx.font = font;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  ctx.lineWidth = 4 * opts.ratio;
  ctx.strokeStyle = opts.halo;
  ctx.strokeText(text, width / 2, height / 2);
  ctx.fillStyle = opts.color;
  ctx.fillText(text, width / 2, height / 2);
  return ctx.getImageData(0, 0, width, height);
}

export function installLabelImages(map: MapLibreMap) {
  const ratio = Math.min(2, Math.max(1, Math.round(window.devicePixelRatio || 1)));
  map.setMissingStyleImageResolver((id: string) => {
    if (map.hasImage(id)) return;
    let image: ImageData | null = null;
    if (id.startsWith('t:'))
      image = textImage(id.slice(2), {
        size: 15,
        color: '#cfe8ff',
        halo: 'rgba(3,10,24,0.9)',
        ratio,
        bold: true,
      });
    else if (id.startsWith('s:'))
      image = textImage(id.slice(2), { size: 11, color: '#8fb3d9', halo: 'rgba(3,10,24,0.85)', ratio });
    else if (id.startsWith('n:'))
      image = textImage(id.slice(2), {
        size: 12,
        color: '#ffffff',
        halo: 'rgba(0,0,0,0)',
        ratio,
        bold: true,
      });
    if (image) map.addImage(id, image, { pixelRatio: ratio });
  });
}
