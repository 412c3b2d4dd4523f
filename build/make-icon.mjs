#!/usr/bin/env node
// Draws build/icon.png (512×512 RGBA): a sealed envelope on a blue tile with a green check shield.
// A tiny PNG encoder over node:zlib, 4×4 supersampling for smooth edges. Re-run to regenerate.

import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SIZE = 512;

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// ---- shapes in a 0..1 coordinate space
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const segment = (ax, ay, bx, by, w) => (x, y) => {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= (w / 2) ** 2;
};
// shield: a rectangle top and a pointed bottom
const shield = (cx, top, w, h) => (x, y) => {
  const half = w / 2, mid = top + h * 0.45;
  if (y < top || y > top + h || Math.abs(x - cx) > half) return false;
  if (y <= mid) return true;
  return Math.abs(x - cx) <= half * (1 - (y - mid) / (top + h - mid));
};

const layers = [
  { color: [0x1f, 0x4e, 0x8c], shape: roundRect(0.04, 0.04, 0.96, 0.96, 0.18) },
  { color: [0xff, 0xff, 0xff], shape: roundRect(0.16, 0.28, 0.74, 0.72, 0.04) },
  { color: [0x1f, 0x4e, 0x8c], shape: (x, y) => segment(0.19, 0.32, 0.45, 0.52, 0.035)(x, y) || segment(0.71, 0.32, 0.45, 0.52, 0.035)(x, y) },
  { color: [0xff, 0xff, 0xff], shape: shield(0.72, 0.5, 0.3, 0.36) },
  { color: [0x2d, 0xa4, 0x4e], shape: shield(0.72, 0.525, 0.25, 0.31) },
  { color: [0xff, 0xff, 0xff], shape: (x, y) => segment(0.64, 0.66, 0.7, 0.72, 0.035)(x, y) || segment(0.7, 0.72, 0.81, 0.6, 0.035)(x, y) },
];

export function drawIcon(size = SIZE) {
  const rgba = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = (px + (sx + 0.5) / S) / size, y = (py + (sy + 0.5) / S) / size;
          let color;
          for (const l of layers) if (l.shape(x, y)) color = l.color;
          if (color) {
            r += color[0]; g += color[1]; b += color[2]; a += 1;
          }
        }
      }
      const i = (py * size + px) * 4;
      if (a) {
        rgba[i] = Math.round(r / a); rgba[i + 1] = Math.round(g / a); rgba[i + 2] = Math.round(b / a);
        rgba[i + 3] = Math.round((a / (S * S)) * 255);
      }
    }
  }
  return encodePng(size, size, rgba);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = fileURLToPath(new URL('./icon.png', import.meta.url));
  writeFileSync(out, drawIcon());
  console.log(`wrote ${out}`);
}
