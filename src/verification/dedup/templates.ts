// Face templates (the 1024-float descriptors) at rest: sealed like uploaded images (crypto/seal.ts, AES-256-GCM
// with the document encryption key), bound to the person they belong to, so a copy of the table yields neither a
// template nor a way to match a probe face against it. Nothing derived from them (sketches) is stored: each
// process opens them at start and keeps its search sketches in memory only.
import { open, seal } from '../../crypto/seal.js';
import { EMBEDDING_DIM } from './types.js';

export interface TemplateBox {
  seal(personId: string, embedding: Float32Array): Buffer;
  open(personId: string, sealed: Uint8Array): Float32Array;
}

const aad = (personId: string) => `face-template:${personId}`;

export function templateBox(key: Buffer): TemplateBox {
  return {
    seal: (personId, embedding) => seal(key, Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength), aad(personId)),
    open(personId, sealed) {
      const plain = open(key, Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength), aad(personId));
      if (plain.byteLength !== EMBEDDING_DIM * 4) throw new Error(`sealed face template of ${personId} has ${plain.byteLength} bytes`);
      // Copied into its own buffer (a memcpy): Float32Array needs 4-byte alignment.
      const v = new Float32Array(plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.byteLength));
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new Error(`sealed face template of ${personId} holds a non-finite value`);
      return v;
    },
  };
}
