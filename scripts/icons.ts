// Draws the Teams app icons from code: a plug with a medical cross on a teal rounded square
// (color.png, 192x192) and the same plug in white on transparent (outline.png, 32x32).
// Run `npx tsx scripts/icons.ts` to redraw manifest/*.png; the package script only copies them.

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync, inflateSync } from 'node:zlib';
import { isEntryPoint } from '../src/entry-point.js';

export type Rgba = readonly [number, number, number, number];

/** A shape answers whether a point (in pixel units, origin top-left) lies inside it. */
type Shape = (x: number, y: number) => boolean;

interface Layer {
  shape: Shape;
  color: Rgba;
}

export const ACCENT: Rgba = [14, 124, 134, 255]; // #0E7C86, the manifest's accentColor
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): Shape {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

function union(...shapes: Shape[]): Shape {
  return (x, y) => shapes.some((s) => s(x, y));
}

function minus(shape: Shape, hole: Shape): Shape {
  return (x, y) => shape(x, y) && !hole(x, y);
}

function cross(cx: number, cy: number, arm: number, thickness: number): Shape {
  const h = thickness / 2;
  return union(
    roundedRect(cx - arm, cy - h, cx + arm, cy + h, h / 3),
    roundedRect(cx - h, cy - arm, cx + h, cy + arm, h / 3),
  );
}

/**
 * The motif on a unit canvas of `size` pixels: a plug (two prongs, a body, a cord) whose body
 * carries a medical cross cut out of it, i.e. "a doctor for connectors".
 */
function plugWithCross(size: number): Shape {
  const u = size / 32; // designed on a 32-unit grid
  const prongs = union(roundedRect(11 * u, 4 * u, 13.5 * u, 11 * u, 1 * u), roundedRect(18.5 * u, 4 * u, 21 * u, 11 * u, 1 * u));
  const body = roundedRect(7 * u, 10 * u, 25 * u, 24 * u, 3.5 * u);
  const neck = roundedRect(13.5 * u, 23 * u, 18.5 * u, 27 * u, 1 * u);
  const cord = roundedRect(14.75 * u, 26 * u, 17.25 * u, 30 * u, 1.2 * u);
  const hole = cross(16 * u, 17 * u, 4.75 * u, 3.2 * u);
  return minus(union(prongs, body, neck, cord), hole);
}

/** Render layers (last on top) with 4x4 supersampling so edges are anti-aliased. */
export function render(size: number, background: Rgba, layers: Layer[]): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = px + (sx + 0.5) / n;
          const y = py + (sy + 0.5) / n;
          let color = background;
          for (const layer of layers) if (layer.shape(x, y)) color = layer.color;
          const alpha = color[3] / 255;
          r += color[0] * alpha;
          g += color[1] * alpha;
          b += color[2] * alpha;
          a += alpha;
        }
      }
      const i = (py * size + px) * 4;
      pixels[i] = a > 0 ? Math.round(r / a) : 0;
      pixels[i + 1] = a > 0 ? Math.round(g / a) : 0;
      pixels[i + 2] = a > 0 ? Math.round(b / a) : 0;
      pixels[i + 3] = Math.round((a / (n * n)) * 255);
    }
  }
  return pixels;
}

export function drawColorIcon(): Uint8Array {
  const size = 192;
  const tile = roundedRect(0, 0, size, size, 40);
  const motif = plugWithCross(size);
  // The motif sits inside the tile with a margin, so scale it around the centre.
  const scale = 0.78;
  const offset = (size * (1 - scale)) / 2;
  const scaled: Shape = (x, y) => motif((x - offset) / scale, (y - offset) / scale);
  return render(size, CLEAR, [
    { shape: tile, color: ACCENT },
    { shape: (x, y) => tile(x, y) && scaled(x, y), color: WHITE },
  ]);
}

export function drawOutlineIcon(): Uint8Array {
  return render(32, CLEAR, [{ shape: plugWithCross(32), color: WHITE }]);
}

// --- PNG -----------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE), as PNG chunks and zip entries need it. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Encode 8-bit RGBA pixels as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

export interface DecodedPng {
  width: number;
  height: number;
  colorType: number;
  /** RGBA pixels, only for 8-bit RGBA images without interlacing (what encodePng writes). */
  rgba?: Uint8Array;
}

/** Read a PNG's header and, for 8-bit RGBA images, its pixels (all five scanline filters). */
export function decodePng(png: Uint8Array): DecodedPng {
  const buf = Buffer.from(png);
  if (!buf.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG file');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  let bitDepth = 0;
  let interlace = 0;
  const idat: Buffer[] = [];
  while (offset + 8 <= buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('ascii', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8] ?? 0;
      colorType = data[9] ?? -1;
      interlace = data[12] ?? 0;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (colorType !== 6 || bitDepth !== 8 || interlace !== 0) return { width, height, colorType };
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rgba = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const left = x >= 4 ? (rgba[y * stride + x - 4] ?? 0) : 0;
      const up = y > 0 ? (rgba[(y - 1) * stride + x] ?? 0) : 0;
      const upLeft = x >= 4 && y > 0 ? (rgba[(y - 1) * stride + x - 4] ?? 0) : 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = Math.floor((left + up) / 2);
      else if (filter === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        predicted = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      rgba[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  return { width, height, colorType, rgba };
}

export const MANIFEST_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'manifest');

function main(): void {
  writeFileSync(join(MANIFEST_DIR, 'color.png'), encodePng(192, 192, drawColorIcon()));
  writeFileSync(join(MANIFEST_DIR, 'outline.png'), encodePng(32, 32, drawOutlineIcon()));
  process.stdout.write(`Wrote ${join(MANIFEST_DIR, 'color.png')} and outline.png\n`);
}

if (isEntryPoint(import.meta.url)) main();
