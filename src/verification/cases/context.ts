// What the case service is built from (compose.ts): every part of a case's lifecycle takes this one context.
import type { Knex } from 'knex';
import type { Trx } from '../../db/index.js';
import type { AssuranceService } from '../../assurance/service.js';
import type { Clock } from '../../clock.js';
import type { CaseKeys } from '../../crypto/keys.js';
import type { ScreeningService } from '../../screening/index.js';
import type { FaceDedup } from '../dedup-adapter.js';
import type { VerificationEngines } from '../engine/engines.js';
import type { UploadStore } from './files.js';
import type { Outcome, Reason } from './model.js';
import type { ImageLimits } from './images.js';
import type { IntakeLimits } from './intake.js';
import type { TempUploadDir } from './temp-files.js';

export interface CaseContext {
  db: Knex;
  clock: Clock;
  engines: VerificationEngines;
  /** Sealed image files under DATA_DIR/uploads. */
  uploads: UploadStore;
  keys: CaseKeys;
  screening: ScreeningService;
  dedup: FaceDedup;
  /** Case progress moves the person's assurance inside the case's own transactions. */
  assurance: Pick<AssuranceService, 'apply' | 'forgetCached'>;
  /** DOCUMENT_RETENTION_DAYS. */
  retentionDays: number;
  /** Upload bodies in flight (sealed temporary files under DATA_DIR/upload-tmp). */
  uploadTemp: TempUploadDir;
  /** UPLOAD_* settings: image header limits, in-flight budget, per-tenant slots, body timeouts. */
  uploadLimits: IntakeLimits & { image: ImageLimits };
  /** Runs inside every decision and review transaction (a verification session follows its case's outcome). */
  onOutcome?: (trx: Trx, c: CaseOutcome) => Promise<void>;
}

export interface CaseOutcome {
  id: string;
  outcome: Outcome;
  reasons: readonly Reason[];
  /** A reviewer's decision (final), not the automated one. */
  reviewed: boolean;
  /** A reviewer asked for new captures: a session with attempts left goes back to the person. */
  resubmit?: boolean;
}
