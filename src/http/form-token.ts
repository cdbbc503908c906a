// The one check of a form's CSRF token (pages under /interaction, /account and /verify): the expected token is
// an HMAC the page computed; a missing, forged or stale one is a 403 page.
import { sameSecret } from '../crypto/hash.js';
import { ApiError } from './errors.js';

export function checkFormToken(expected: string | undefined, given: unknown, message = 'This form has expired or was not sent from this site. Go back and try again.'): void {
  if (expected === undefined || typeof given !== 'string' || !sameSecret(expected, given)) throw new ApiError(403, 'csrf_failed', message);
}
