// Face templates (the 1024-float descriptors) and their search sketches at rest: sealed like uploaded images
// (crypto/seal.ts, AES-256-GCM with the document encryption key), bound to the person they belong to, so a copy
// of the table yields neither a template nor a way to match a probe face against it. A 1024-bit sign sketch is
// itself a matchable template, so it is sealed too (157 bytes a face); the AAD labels keep a sealed sketch from
// opening as a template and the other way round.
import { open, seal } from '../../crypto/seal.js';
import { SKETCH_BYTES } from './sketch.js';
import { EMBEDDING_DIM } from './types.js';

export interface TemplateBox {
  seal(personId: string, embedding: Float32Array): Buffer;
  open(personId: string, sealed: Uint8Array): Float32Array;
  sealSketch(personId: string, sketch: Uint8Array): Buffer;
  openSketch(personId: string, sealed: Uint8Array): Uint8Array;
}

const aad = (personId: string) => `face-template:${personId}`;
const sketchAad = (personId: string) => `face-sketch:${personId}`;
const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export function templateBox(key: Buffer): TemplateBox {
  return {
    seal: (personId, embedding) => seal(key, Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength), aad(personId)),
    open(personId, sealed) {
      const plain = open(key, asBuffer(sealed), aad(personId));
      if (plain.byteLength !== EMBEDDING_DIM * 4) throw new Error(`sealed face template of ${personId} has ${plain.byteLength} bytes`);
      // Copied into its own buffer (a memcpy): Float32Array needs 4-byte alignment.
      const v = new Float32Array(plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.byteLength));
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new Error(`sealed face template of ${personId} holds a non-finite value`);
      return v;
    },
    sealSketch: (personId, sketch) => seal(key, asBuffer(sketch), sketchAad(personId)),
    openSketch(personId, sealed) {
      const plain = open(key, asBuffer(sealed), sketchAad(personId));
      if (plain.byteLength !== SKETCH_BYTES) throw new Error(`sealed face sketch of ${personId} has ${plain.byteLength} bytes`);
      return plain;
    },
  };
}
