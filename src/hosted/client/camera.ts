// getUserMedia in, JPEG files out. Frames are drawn unmirrored (the engine's yaw convention expects raw camera
// frames); only the on-screen preview of the front camera is mirrored, by CSS.
export type Facing = 'user' | 'environment';

export const cameraSupported = (): boolean => typeof navigator.mediaDevices?.getUserMedia === 'function';

export async function openCamera(video: HTMLVideoElement, facing: Facing): Promise<MediaStream> {
  const big = facing === 'environment';
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: { ideal: facing }, width: { ideal: big ? 1920 : 1280 }, height: { ideal: big ? 1080 : 720 } },
  });
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await video.play();
    if (!video.videoWidth) await new Promise((resolve) => video.addEventListener('loadeddata', resolve, { once: true }));
  } catch (err) {
    stopCamera(stream);
    throw err;
  }
  return stream;
}

export function stopCamera(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

/** The current video frame as a JPEG, scaled so its long side is at most `maxSide` px. */
export function grab(video: HTMLVideoElement, maxSide: number, quality = 0.9): Promise<Blob> {
  const scale = Math.min(1, maxSide / Math.max(video.videoWidth, video.videoHeight));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx || !canvas.width) return Promise.reject(new Error('no frame'));
  ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('no frame'))), 'image/jpeg', quality));
}

/** Puts the files into the form's own file input, so the form posts them as if the person had picked them. */
export function setFiles(input: HTMLInputElement, files: File[]): boolean {
  try {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(f);
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    return input.files?.length === files.length;
  } catch {
    return false; // No DataTransfer constructor (old browsers): the file field stays the way in.
  }
}
