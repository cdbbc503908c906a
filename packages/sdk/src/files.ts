// Upload parts from whatever the caller holds: a Blob or File (browsers, Deno, Node 20+), bytes (a Node Buffer is
// a Uint8Array) or a web ReadableStream (e.g. from fetch, or Node's Readable.toWeb). Streams are read into a Blob
// first: a multipart body made with FormData needs sized parts, and uploads are capped at a few MB anyway.

/** One image: Blob/File, ArrayBuffer, Uint8Array (Buffer), or ReadableStream of bytes. */
export type FileInput = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array>;

export async function toBlob(input: FileInput): Promise<Blob> {
  if (input instanceof Blob) return input;
  if (input instanceof ArrayBuffer) return new Blob([input]);
  if (ArrayBuffer.isView(input)) return new Blob([input as ArrayBufferView<ArrayBuffer>]);
  if (input instanceof ReadableStream) return new Response(input).blob();
  throw new TypeError('an upload part must be a Blob, ArrayBuffer, Uint8Array/Buffer or ReadableStream');
}

/** The part's file name: the File's own, else the field's (the server reads the bytes, not the name). */
export function fileName(field: string, blob: Blob): string {
  const name = (blob as Blob & { name?: unknown }).name;
  return typeof name === 'string' && name ? name : `${field}.jpg`;
}
