// Generated presentation attacks (ISO/IEC 30107 "presentation attack instruments") on a bona fide selfie, for
// testing and measuring passive liveness. Plain pixel maths in linear light, see attacks/*.ts:
// - print: the selfie printed on paper (CMYK halftone, paper grain and tint, low dynamic range), held in a hand in
//   front of a wall, tilted, unevenly lit, with a glossy-paper reflection, photographed by a phone;
// - screen: the selfie shown on a phone/tablet (bezel, RGB subpixel grid sampled at a non-integer ratio → moiré,
//   display gamma/tint/black level, backlight glow, a window reflected in the glass), photographed by a phone;
// - recapture: the print attack's photo, zoomed to the print, replayed on a screen and photographed again.
// Deterministic: the same bytes, kind, severity and seed give the same JPEG. Not a validated PAD data set.
import sharp from 'sharp';
import { decode, encodeJpeg, seeded } from './attacks/raster.js';
import { printedSheet } from './attacks/print.js';
import { photograph, type SceneOptions } from './attacks/scene.js';
import { screenSurface } from './attacks/screen.js';

export const ATTACK_KINDS = ['print', 'screen', 'recapture'] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

export interface AttackOptions {
  kind: AttackKind;
  /** 0 = a careful attacker (fine print, dense screen, square-on, sharp) … 1 = a crude one. Default 0.5. */
  severity?: number;
  /** Any integer; picks paper, wall, skin tone, tilt, reflection and noise. Default 1. */
  seed?: number;
}

/** Longest edge the selfie is worked at: larger uploads only cost time here. */
const MAX_EDGE = 720;

export async function presentationAttack(selfie: Buffer, options: AttackOptions): Promise<Buffer> {
  const severity = options.severity ?? 0.5;
  const seed = options.seed ?? 1;
  if (!(severity >= 0 && severity <= 1)) throw new RangeError(`severity must be within 0..1, got ${severity}`);
  if (!ATTACK_KINDS.includes(options.kind)) throw new RangeError(`unknown attack kind ${String(options.kind)}`);
  const bona = options.kind === 'recapture' ? await framed(await presentationAttack(selfie, { kind: 'print', severity, seed })) : selfie;
  const rand = seeded(Math.imul(seed, 0x9e3779b1) ^ (ATTACK_KINDS.indexOf(options.kind) + 1) * 0x85ebca6b);

  const meta = await decode(bona);
  const photo = Math.max(meta.width, meta.height) > MAX_EDGE ? await decode(bona, Math.round((MAX_EDGE * meta.width) / Math.max(meta.width, meta.height))) : meta;
  const scene: SceneOptions = {
    rand,
    width: Math.round(1.2 * photo.width),
    height: Math.round(1.2 * photo.height),
    severity,
    ambient: 1,
    fill: 0.86,
    supersample: 2,
    bloom: 0,
  };
  if (options.kind === 'print') {
    return encodeJpeg(photograph(printedSheet(photo, severity, rand), scene), Math.round(92 - 20 * severity));
  }
  // The screen outshines a dimmer room; the camera pitch across one display pixel sets the moiré.
  const pitch = 0.6 + 0.9 * severity;
  const surface = screenSurface(photo, { severity, rand, displayWidth: (0.8 * scene.width) / pitch });
  const lit = { ...scene, ambient: 0.15 + 0.25 * rand(), bloom: 0.03 + 0.1 * severity };
  return encodeJpeg(photograph(surface, lit), Math.round(92 - 20 * severity));
}

/** The centre of a capture, where the print is: an attacker zooms in before replaying it. */
async function framed(capture: Buffer): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(capture).metadata();
  const crop = { left: Math.round(0.125 * width), top: Math.round(0.125 * height), width: Math.round(0.75 * width), height: Math.round(0.75 * height) };
  return sharp(capture).extract(crop).png().toBuffer();
}
