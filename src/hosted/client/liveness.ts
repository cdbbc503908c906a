// Active liveness: the person follows the server's head-turn challenge (data-challenge) step by step while a few
// frames per step are recorded into the form's `frames` input. The engine wants a first frame near centre, then
// frames that move steadily towards each target, so frames are taken during each turn, not only at its end.
import { cameraSupported, grab, openCamera, setFiles, stopCamera } from './camera.js';
import { cameraPanel, say } from './capture.js';
import { button, el, show, submitButton, wait } from './dom.js';
import { t } from './messages.js';

const STEPS = ['turn_left', 'turn_right', 'center'] as const;
type Step = (typeof STEPS)[number];
/** Frame size: the server fits liveness frames to 640 px, more would only cost upload time. */
const FRAME_SIDE = 640;
const PER_STEP = 4;
const GAP_MS = 350;
const LEAD_MS = 700;

function challengeOf(form: HTMLFormElement): Step[] {
  try {
    const value: unknown = JSON.parse(form.dataset.challenge ?? '[]');
    return Array.isArray(value) ? value.filter((s): s is Step => STEPS.includes(s as Step)) : [];
  } catch {
    return [];
  }
}

export function enhanceLiveness(form: HTMLFormElement): void {
  const input = form.querySelector<HTMLInputElement>('input[type=file]');
  const challenge = challengeOf(form);
  if (!input || !challenge.length) return;
  const p = cameraPanel(form, 'selfie');
  if (!cameraSupported()) return say(p, t('client.camera.unavailable'));
  const step = el('p', { class: 'kp-step', 'aria-live': 'assertive' });
  p.stage.append(step);
  let stream: MediaStream | undefined;
  const stop = (): void => {
    stopCamera(stream);
    stream = undefined;
    show(p.stage, false);
    show(start, true);
  };

  const frames: File[] = [];
  const shoot = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      if (i) await wait(GAP_MS);
      const blob = await grab(p.video, FRAME_SIDE, 0.85);
      frames.push(new File([blob], `frame-${String(frames.length + 1).padStart(2, '0')}.jpg`, { type: 'image/jpeg' }));
    }
  };

  const record = async (): Promise<void> => {
    start.disabled = true;
    frames.length = 0;
    say(p, t('client.camera.starting'));
    try {
      stream = await openCamera(p.video, 'user');
    } catch {
      stop();
      start.disabled = false;
      say(p, t('client.camera.denied'), true);
      return input.focus();
    }
    show(start, false);
    show(p.stage, true);
    say(p, '');
    try {
      step.textContent = t('client.liveness.ready');
      await wait(1200);
      await shoot(2);
      for (const [i, s] of challenge.entries()) {
        step.textContent = t('client.liveness.step', { n: i + 1, total: challenge.length, instruction: t(`client.liveness.${s}`) });
        await wait(LEAD_MS);
        await shoot(PER_STEP);
      }
    } catch {
      stop();
      start.disabled = false;
      return say(p, t('client.camera.failed'), true);
    }
    stop();
    step.textContent = '';
    start.disabled = false;
    start.textContent = t('client.liveness.again');
    if (!setFiles(input, frames)) return say(p, t('client.camera.failed'), true);
    say(p, t('client.liveness.done', { count: frames.length }));
    (submitButton(form) ?? input).focus();
  };

  const start = button(t('client.liveness.start'), () => void record(), 'primary kp-open');
  p.root.insertBefore(el('p', { class: 'kp-intro', text: t('client.liveness.intro') }), p.status);
  p.root.insertBefore(start, p.stage);
  window.addEventListener('pagehide', stop);
}
