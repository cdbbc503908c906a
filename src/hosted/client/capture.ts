// One photo (document front/back or selfie): "Use camera" → live preview with a framing guide → take → check →
// "Use this photo" puts the JPEG into the form's file input. The file input stays visible and is the way in
// when there is no camera, no permission or no DataTransfer; the reason is said on screen.
import { cameraSupported, grab, openCamera, setFiles, stopCamera, type Facing } from './camera.js';
import { button, el, show, submitButton } from './dom.js';
import { t } from './messages.js';

/** Long side of the JPEG sent: documents need MRZ detail, the selfie only a face (the server fits it to 1024). */
const MAX_SIDE = { document: 1600, selfie: 1024 } as const;

export interface Panel {
  root: HTMLElement;
  status: HTMLElement;
  error: HTMLElement;
  stage: HTMLElement;
  video: HTMLVideoElement;
}

/** The parts every camera form shares: status line, error line, and the preview stage with its guide. */
export function cameraPanel(form: HTMLFormElement, kind: 'document' | 'selfie'): Panel {
  const status = el('p', { class: 'kp-status', 'aria-live': 'polite' });
  const error = el('p', { class: 'kp-error', role: 'alert' });
  const video = el('video', { class: kind === 'selfie' ? 'kp-mirror' : '', 'aria-label': t(`client.camera.view.${kind}`), playsinline: true, muted: true });
  const stage = el('div', { class: 'kp-stage', hidden: true }, el('div', { class: 'kp-view' }, video, el('div', { class: `kp-guide kp-guide-${kind}`, 'aria-hidden': 'true' })));
  const root = el('div', { class: 'kp-cam' }, status, error, stage);
  form.prepend(root);
  return { root, status, error, stage, video };
}

export function say(p: Panel, text: string, isError = false): void {
  p.error.textContent = isError ? text : '';
  p.status.textContent = isError ? '' : text;
}

export function enhanceCapture(form: HTMLFormElement): void {
  const input = form.querySelector<HTMLInputElement>('input[type=file]');
  if (!input) return;
  const kind = form.dataset.capture === 'selfie' ? 'selfie' : 'document';
  const facing: Facing = kind === 'selfie' ? 'user' : 'environment';
  const p = cameraPanel(form, kind);
  if (!cameraSupported()) return say(p, t('client.camera.unavailable'));

  let stream: MediaStream | undefined;
  let photo: Blob | undefined;
  let url = '';
  const img = el('img', { class: 'kp-photo', alt: t('client.camera.photo_alt') });
  const close = (): void => {
    stopCamera(stream);
    stream = undefined;
    show(p.stage, false);
    show(useCamera, true);
  };

  const open = async (): Promise<void> => {
    show(review, false);
    useCamera.disabled = true;
    say(p, t('client.camera.starting'));
    try {
      stream = await openCamera(p.video, facing);
      show(useCamera, false);
      show(p.stage, true);
      say(p, t(`client.camera.hint.${kind}`));
      take.focus();
    } catch {
      close();
      say(p, t('client.camera.denied'), true);
      input.focus();
    } finally {
      useCamera.disabled = false;
    }
  };

  const snap = async (): Promise<void> => {
    try {
      photo = await grab(p.video, MAX_SIDE[kind]);
    } catch {
      return say(p, t('client.camera.failed'), true);
    }
    close();
    show(useCamera, false); // Retake takes its place from here on.
    URL.revokeObjectURL(url);
    url = URL.createObjectURL(photo);
    img.src = url;
    show(accept, true);
    show(review, true);
    say(p, t('client.camera.check'));
    accept.focus();
  };

  const use = (): void => {
    if (!photo || !setFiles(input, [new File([photo], `${input.name}.jpg`, { type: 'image/jpeg' })])) {
      return say(p, t('client.camera.failed'), true);
    }
    show(accept, false);
    say(p, t('client.camera.added'));
    (submitButton(form) ?? input).focus();
  };

  const useCamera = button(t('client.camera.use'), () => void open(), 'primary kp-open');
  const take = button(t('client.camera.take'), () => void snap(), 'primary');
  /** Cancel or Escape: back to where the person was (the photo taken before a Retake, or the camera button). */
  const leave = (): void => {
    close();
    if (photo) {
      show(useCamera, false);
      show(review, true);
      retake.focus();
    } else useCamera.focus();
  };
  const cancel = button(t('client.camera.cancel'), leave);
  const accept = button(t('client.camera.accept'), use, 'primary');
  const retake = button(t('client.camera.retake'), () => void open());
  const review = el('div', { class: 'kp-review', hidden: true }, img, el('div', { class: 'actions' }, accept, retake));
  p.stage.append(el('div', { class: 'actions' }, take, cancel));
  // Escape leaves the camera like Cancel does (keyboard users need not tab to it).
  p.stage.addEventListener('keydown', (e) => e.key === 'Escape' && leave());
  p.root.insertBefore(useCamera, p.stage);
  p.root.append(review);
  window.addEventListener('pagehide', close);
}
