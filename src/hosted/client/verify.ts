// The hosted flow's one script (progressive enhancement): camera capture on every form[data-capture], the
// head-turn recording for liveness, and self-updating progress. Every page already works without it.
import { enhanceCapture } from './capture.js';
import { enhanceLiveness } from './liveness.js';
import { pollProgress } from './progress.js';

function start(): void {
  const forms = Array.from(document.querySelectorAll<HTMLFormElement>('form[data-capture]'));
  if (forms.length) {
    // The camera UI's own styles, next to this script (style-src 'self'); the page links only its own sheet.
    document.head.append(Object.assign(document.createElement('link'), { rel: 'stylesheet', href: new URL('verify.css', import.meta.url).href }));
  }
  for (const form of forms) (form.dataset.capture === 'liveness' ? enhanceLiveness : enhanceCapture)(form);
  const progress = document.querySelector<HTMLElement>('#progress[data-poll]');
  if (progress) void pollProgress(progress);
}

start();
