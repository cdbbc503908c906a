// The processing page: poll state.json (~1.5 s), say in the aria-live region that work goes on, and go to `next`
// once done. Without JavaScript the server's page refreshes itself; this only makes it quicker and quieter.
import { wait } from './dom.js';
import { t } from './messages.js';

const EVERY_MS = 1500;
/** Re-announce "still checking" this often, so a screen reader hears progress without chatter. */
const ANNOUNCE_EVERY = 6;

interface State {
  done?: unknown;
  next?: unknown;
}

export async function pollProgress(region: HTMLElement): Promise<void> {
  const url = region.dataset.poll!;
  for (let round = 0; ; round++) {
    await wait(round ? EVERY_MS : 300);
    let state: State;
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' });
      if (!res.ok) throw new Error(String(res.status));
      state = (await res.json()) as State;
    } catch {
      region.textContent = t('client.progress.retry');
      await wait(EVERY_MS);
      continue;
    }
    if (state.done === true && typeof state.next === 'string') {
      const next = new URL(state.next, location.href);
      // Same origin only: the server's own page does any redirect to the tenant.
      if (next.origin !== location.origin) return;
      region.textContent = t('client.progress.done');
      location.assign(next.href);
      return;
    }
    if (round % ANNOUNCE_EVERY === 0) region.textContent = t('client.progress.waiting');
  }
}
