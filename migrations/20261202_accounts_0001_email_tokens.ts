// Emailed one-time links (finish sign-up, reset password): only a keyed hash of each token is stored, so a
// database reader cannot use a live link. Sign-up no longer creates a person before the address is proven
// (account pre-hijacking, issue 10 item 4): a pending sign-up is just a `signup` token for an email.
import type { Migration } from '../src/db/migrate.js';

export const emailTokens: Migration = {
  name: '20261202_accounts_0001_email_tokens',
  async up(knex) {
    await knex.schema.createTable('email_tokens', (t) => {
      t.text('token_hash').primary();
      t.text('purpose').notNullable();
      t.text('email').notNullable();
      // Set for resets (the account the link may change); null for sign-ups (no account exists yet).
      t.text('person_id').references('persons.id').onDelete('cascade');
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.timestamp('used_at', { useTz: true });
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      t.index(['person_id']);
      t.index(['expires_at']);
    });
    await knex.raw(`alter table email_tokens add constraint email_tokens_purpose_check check (purpose in ('signup','reset'))`);
    await knex.raw('create index email_tokens_email on email_tokens (lower(email), purpose)');
  },
  async down(knex) {
    await knex.schema.dropTableIfExists('email_tokens');
  },
};
