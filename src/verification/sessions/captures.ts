// The hosted flow's captures: the person's choice of document, then one photo per step (document front, back of
// an ID card, selfie, head-turn frames for t3), each checked like the case API's uploads (same errors) and kept
// sealed under DATA_DIR/uploads/<session id>/ until the last one; then the attempt goes to the case service.
import type { Knex } from 'knex';
import type { Clock } from '../../clock.js';
import { ConflictError, UnprocessableError } from '../../http/errors.js';
import { newId } from '../../ids.js';
import type { UploadStore } from '../cases/files.js';
import { inspectImage, type ImageLimits } from '../cases/images.js';
import type { UploadBody } from '../cases/upload.js';
import { isActive } from './model.js';
import { sessionStore, type DocumentType, type SessionRow, type StageField } from './store.js';

export type Step = 'sign_in' | 'choose' | 'document' | 'document_back' | 'selfie' | 'liveness' | 'submit' | 'processing' | 'result';

/** The step the flow shows next for a session. */
export function nextStep(row: SessionRow): Step {
  if (row.status === 'created') return 'sign_in';
  if (row.status === 'processing') return 'processing';
  if (!isActive(row.status)) return 'result';
  const s = row.staged ?? {};
  if (!row.document_type || !row.issuing_country) return 'choose';
  if (!s.document) return 'document';
  if (row.document_type === 'id_card' && !s.document_back) return 'document_back';
  if (row.level !== 't1' && !s.selfie) return 'selfie';
  if (row.level === 't3' && !s.frames) return 'liveness';
  return 'submit';
}

const FIELD_OF: Partial<Record<Step, StageField>> = { document: 'document', document_back: 'document_back', selfie: 'selfie', liveness: 'frames' };
export const stageField = (step: Step): StageField | undefined => FIELD_OF[step];

export interface CaptureDeps {
  db: Knex;
  clock: Clock;
  uploads: UploadStore;
  imageLimits: ImageLimits;
}

export function captures(d: CaptureDeps) {
  async function active(id: string): Promise<SessionRow> {
    const row = await sessionStore.findById(d.db, id);
    if (!row || !isActive(row.status) || row.status === 'created') throw new ConflictError('session_closed', 'This verification takes no captures now.');
    return row;
  }

  return {
    async choose(id: string, c: { documentType: DocumentType; country: string }): Promise<void> {
      await active(id);
      await sessionStore.update(d.db, id, { document_type: c.documentType, issuing_country: c.country, updated_at: d.clock.now() });
    },

    /** Checks and seals one step's photos (replacing that step's earlier ones). */
    async stage(id: string, field: StageField, files: Buffer[]): Promise<void> {
      const row = await active(id);
      if (files.length === 0) throw new UnprocessableError('missing_file', `${field} is required.`);
      if (field !== 'frames' && files.length > 1) throw new UnprocessableError('duplicate_file', `Send one ${field} file, not ${files.length}.`);
      for (const [i, f] of files.entries()) await inspectImage(field === 'frames' ? `frames[${i}]` : field, f, d.imageLimits);
      const paths: string[] = [];
      for (const f of files) paths.push(await d.uploads.write(id, newId(field === 'frames' ? 'frame' : field.replace('_', '')), f));
      const old = row.staged?.[field] ?? [];
      await sessionStore.update(d.db, id, { staged: { ...row.staged, [field]: paths }, updated_at: d.clock.now() });
      await d.uploads.remove(old);
    },

    /** The staged photos as the case upload's body. */
    async body(row: SessionRow): Promise<UploadBody> {
      const files = new Map<string, Buffer[]>();
      for (const [field, paths] of Object.entries(row.staged ?? {})) files.set(field, await Promise.all(paths.map((p) => d.uploads.read(p))));
      const fields = new Map<string, string>(row.level === 't3' ? [['liveness_mode', 'active']] : []);
      return { files, fields };
    },

    /** Forgets the staged photos (after they went to the case, or when the session ends). */
    async clear(row: SessionRow): Promise<void> {
      await sessionStore.update(d.db, row.id, { staged: null, updated_at: d.clock.now() });
      await d.uploads.removeCase(row.id);
    },
  };
}
