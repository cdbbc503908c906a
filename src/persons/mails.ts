// The texts of the mails persons get. Every link is one-time (email-tokens.ts); the bodies never go to the log.
import type { Mail } from './mailer.js';

const hours = (ms: number) => `${Math.round(ms / 3_600_000)} hour${ms === 3_600_000 ? '' : 's'}`;

export const mails = {
  /** A sign-up for an address no account uses: the link leads to "choose your password". */
  finishSignup: (to: string, link: string, ttlMs: number): Mail => ({
    to,
    subject: 'Finish creating your KYCPort account',
    text: `Open this link to choose your password and finish creating your KYCPort account (valid for ${hours(ttlMs)}):\n\n${link}\n\nIf you did not ask for a KYCPort account, ignore this message: no account exists until the link is used.`,
  }),
  /** A sign-up for an address an account already uses: tell the owner, never the person who filled the form. */
  signupForExisting: (to: string, resetLink: string, ttlMs: number): Mail => ({
    to,
    subject: 'Someone tried to create a KYCPort account with your address',
    text: `Someone (perhaps you) tried to create a KYCPort account with this email address, but you already have one.\n\nIf it was you, sign in with your password. If you have forgotten it, choose a new one here (valid for ${hours(ttlMs)}):\n\n${resetLink}\n\nIf it was not you, ignore this message: your account has not changed.`,
  }),
  reset: (to: string, link: string, ttlMs: number): Mail => ({
    to,
    subject: 'Reset your KYCPort password',
    text: `Open this link to choose a new password for your KYCPort account (valid for ${hours(ttlMs)}, once):\n\n${link}\n\nChoosing a new password signs you out everywhere. If you did not ask for this, ignore this message: your password has not changed.`,
  }),
  /** A reset asked for an address no account uses: the same kind of mail as for an account, so the page can't tell. */
  resetWithoutAccount: (to: string): Mail => ({
    to,
    subject: 'Reset your KYCPort password',
    text: `Someone (perhaps you) asked to reset the password of a KYCPort account for this email address, but no account uses it.\n\nIf it was you, create an account from the sign-in page of the service you were using. If it was not you, ignore this message.`,
  }),
  passwordChanged: (to: string): Mail => ({
    to,
    subject: 'Your KYCPort password was changed',
    text: `The password of your KYCPort account was just changed, and your other sessions were signed out.\n\nIf you did not do this, reset your password from the sign-in page ("Forgot your password?") at once.`,
  }),
  twoStepChanged: (to: string, on: boolean): Mail => ({
    to,
    subject: on ? 'Two-step sign-in is on for your KYCPort account' : 'Two-step sign-in was turned off for your KYCPort account',
    text: on
      ? `Two-step sign-in was just turned on for your KYCPort account: signing in now needs a code from your authenticator app (or one of your recovery codes), and your other sessions were signed out.\n\nIf you did not do this, someone knows your password: reset it from the sign-in page at once and tell the operator of the service you use.`
      : `Two-step sign-in was just turned off for your KYCPort account: signing in needs only your password again.\n\nIf you did not do this, reset your password from the sign-in page at once and turn two-step sign-in on again.`,
  }),
  // Staff invitations (console/staff.ts): the reset link sets the first password of an account made for them.
  staffInvite: (to: string, role: string, link: string, ttlMs: number, consoleUrl: string): Mail => ({
    to,
    subject: 'You are invited to the KYCPort console',
    text: `You were given the role ${role} in the KYCPort console. Open this link to choose your password (valid for ${hours(ttlMs)}, once):\n\n${link}\n\nThen turn on two-step sign-in at /account (reviewers and admins need it) and sign in at ${consoleUrl}.\n\nIf you did not expect this, ignore this message.`,
  }),
  staffRole: (to: string, role: string, consoleUrl: string): Mail => ({
    to,
    subject: 'You have a new role in the KYCPort console',
    text: `Your KYCPort account was given the role ${role} in the KYCPort console. Sign in at ${consoleUrl} with your usual password (reviewers and admins need two-step sign-in).\n\nIf you did not expect this, tell the operator.`,
  }),
};
