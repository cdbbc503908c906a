// One zod schema over process.env → a typed, frozen Config. Fails fast with every problem listed.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_DESCRIPTOR, descriptorSettingSchema, type DescriptorSetting } from './verification/engine/face/descriptors/setting.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = z.string().url();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: url.default('http://localhost:3000').transform((u) => u.replace(/\/+$/, '')),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  // Namespace for every Redis key, so several deployments (or test runs) can share one Redis.
  REDIS_PREFIX: z.string().regex(/^[\w:.-]*$/).default('kp:'),
  // A Redis command unanswered this long fails (the request answers 503 + Retry-After instead of hanging).
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
  KEYS_DIR: z.string().default('keys'),
  DATA_DIR: z.string().default('data'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // Who may append to X-Forwarded-For: false, a hop count (proxies in front of us) or the proxies' CIDRs.
  TRUST_PROXY: z.string().default('false').transform((v, ctx) => {
    const r = parseTrustProxy(v);
    if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
    return typeof r === 'string' ? { kind: 'none' as const } : r;
  }),
  // API responses checked against their route contracts (a mismatch is a logged 500). Default: not in production.
  RESPONSE_CHECKS: bool.optional(),
  // Secret used to derive cookie keys, pairwise subjects and the at-rest encryption key when not given.
  // Generated into KEYS_DIR in development; required in production.
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  // AES-256-GCM key for uploaded documents at rest: 64 hex characters or 44-character base64.
  DOCUMENT_ENCRYPTION_KEY: z.string().optional(),
  DOCUMENT_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  // Sandbox: ICAO specimen documents (issuing state or nationality UTO, the Doc 9303 specimen numbers) are
  // accepted for integration tests. Off by default: outside sandbox mode they are refused (specimen_document).
  SANDBOX_MODE: bool.default(false),
  // Years an erased person's decision records (outcome, checks, reasons, dates; no images or biometrics) are kept,
  // as AML record-keeping rules require (5 in the EU's AMLD); then a periodic job deletes them.
  RECORD_RETENTION_YEARS: z.coerce.number().int().min(0).max(100).default(5),
  // Outgoing mail (sign-up verification): SMTP when set (smtp:// with STARTTLS when offered, smtps:// for TLS),
  // else the file spool in DATA_DIR/mail.
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^/]+/, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).optional(),
  // Account mails (sign-up links, resends, resets) one address may receive per hour: the forms can't mail-bomb it.
  MAIL_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(1).default(5),
  // Failed sign-ins per hour, counted per account and per client address (successes are not counted).
  RATE_LIMIT_LOGIN_PER_HOUR: z.coerce.number().int().min(1).default(10),
  // An address that signed in to an account is remembered this long (a keyed hash): the account lock only slows it down.
  SIGN_IN_KNOWN_ADDRESS_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  // argon2 hashes/verifies run at once (default: the cores) and how many may wait; past that, sign-in answers 503.
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(100_000).optional(),
  // Review queue (review/): the age a manual_review case should be decided within, and how many different
  // reviewers a t3 approval needs (four eyes: 2; an operator may lower it to 1). A claim lapses after its minutes.
  REVIEW_SLA_HOURS: z.coerce.number().positive().max(24 * 365).default(24),
  REVIEW_T3_REVIEWERS: z.coerce.number().int().min(1).max(2).default(2),
  REVIEW_CLAIM_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  // The console's session ends after this many idle minutes (console/session.ts).
  CONSOLE_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  RATE_LIMIT_API_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_IP_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  WEBHOOK_WORKERS: z.coerce.number().int().min(0).default(1),
  // Comma-separated hostnames/IPs/CIDRs webhook delivery may reach despite the SSRF guard (tests, dev).
  WEBHOOK_ALLOW_HOSTS: z.string().default(''),
  // Per-request delivery timeout and the retry schedule (delays before attempt 1, 2, …; "0,5s,5m,2h").
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\s*\d+(ms|s|m|h)?\s*(,\s*\d+(ms|s|m|h)?\s*)*$/, 'comma-separated durations like 0,5s,5m,2h')
    .default('0,5s,5m,30m,2h,5h,10h,14h,20h,24h'),
  // Deliveries in flight per webhook worker.
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  // Finished events, their deliveries and attempt log are kept this long (pending ones are never pruned).
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  VERIFICATION_WORKERS: z.coerce.number().int().min(0).default(1),
  VERIFICATION_BUSY_SHARE: z.coerce.number().gt(0).max(1).default(0.4),
  // Wall-time budget of one engine task; past it the worker thread is replaced and the request answered 422.
  VERIFICATION_TASK_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  // Uploaded images are refused on their header above these (checked before any decode).
  UPLOAD_IMAGE_MAX_SIDE: z.coerce.number().int().min(64).max(65_535).default(12_000),
  UPLOAD_IMAGE_MAX_PIXELS: z.coerce.number().int().min(4096).max(268_000_000).default(40_000_000),
  UPLOAD_IMAGE_MAX_ASPECT: z.coerce.number().min(1).max(1000).default(10),
  // Upload bodies are streamed to encrypted temporary files; these bound what one process holds at once.
  UPLOAD_INFLIGHT_MAX_MB: z.coerce.number().int().min(1).max(65_536).default(256),
  UPLOAD_CONCURRENCY_PER_TENANT: z.coerce.number().int().min(1).max(1000).default(4),
  // A body that sends nothing for IDLE ms, or is not complete after BODY ms, is answered 408 (slowloris).
  UPLOAD_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  UPLOAD_BODY_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(120_000),
  // The trust_framework named in verified_claims (OpenID Connect for Identity Assurance): the operator's rules.
  // Default: a URI under PUBLIC_URL, so two deployments never claim the same framework by accident.
  TRUST_FRAMEWORK: z.string().min(1).max(300).regex(/^\S+$/, 'must not contain spaces').optional(),
  // Face descriptor of the engine (docs/face-checks.md): human-faceres (default), faceapi-resnet34, or onnx = the
  // operator's own ArcFace-class model run with onnxruntime-node (which the operator installs), with its
  // preprocessing and the threshold file bench/calibrate-face.ts --operator wrote from their labelled pairs.
  FACE_DESCRIPTOR: z.enum(['faceapi-resnet34', 'human-faceres', 'onnx']).optional(),
  FACE_ONNX_NAME: z.string().optional(),
  FACE_ONNX_MODEL: z.string().optional(),
  FACE_ONNX_INPUT_SIZE: z.coerce.number().int().optional(),
  FACE_ONNX_MEAN: z.string().default('127.5,127.5,127.5'),
  FACE_ONNX_STD: z.string().default('127.5,127.5,127.5'),
  FACE_ONNX_CHANNELS: z.enum(['rgb', 'bgr']).default('rgb'),
  FACE_ONNX_LAYOUT: z.enum(['nchw', 'nhwc']).default('nchw'),
  FACE_ONNX_THRESHOLDS: z.string().optional(),
  // HTTP server processes (node:cluster). More than 1 needs Postgres: PGlite belongs to one process.
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
});

export type Config = Readonly<{
  env: 'development' | 'test' | 'production';
  isProduction: boolean;
  port: number;
  host: string;
  publicUrl: string;
  issuer: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  redisPrefix: string;
  redisCommandTimeoutMs: number;
  keysDir: string;
  dataDir: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  trustProxy: TrustProxy;
  checkResponses: boolean;
  secretKey: string | undefined;
  documentEncryptionKey: string | undefined;
  documentRetentionDays: number;
  /** SANDBOX_MODE: specimen documents pass (they are refused otherwise). */
  sandbox: boolean;
  recordRetentionYears: number;
  /** smtpUrl undefined: mail goes to the DATA_DIR/mail spool. */
  mail: Readonly<{ smtpUrl: string | undefined; from: string; perAddressPerHour: number }>;
  rateLimit: Readonly<{ loginPerHour: number; apiPerMinute: number; ipPerMinute: number }>;
  knownAddressDays: number;
  review: Readonly<{ slaHours: number; t3Reviewers: number; claimMinutes: number }>;
  consoleIdleMinutes: number;
  passwordHashing: Readonly<{ concurrency: number; queue: number }>;
  webhooks: Readonly<{
    workers: number;
    allowHosts: readonly string[];
    timeoutMs: number;
    retryScheduleMs: readonly number[];
    concurrency: number;
    retentionDays: number;
  }>;
  verification: Readonly<{ workers: number; busyShare: number; taskTimeoutMs: number; faceDescriptor: DescriptorSetting }>;
  uploads: Readonly<{
    image: Readonly<{ maxSide: number; maxPixels: number; maxAspect: number }>;
    inflightMaxBytes: number;
    perTenant: number;
    idleTimeoutMs: number;
    bodyTimeoutMs: number;
  }>;
  /** verified_claims' trust_framework (TRUST_FRAMEWORK, default `${publicUrl}/trust-framework`). */
  trustFramework: string;
  webConcurrency: number;
}>;

/** Which X-Forwarded-For entries are believed (http/client-ip.ts): none, the last `hops`, or those added by `cidrs`. */
export type TrustProxy =
  | Readonly<{ kind: 'none' }>
  | Readonly<{ kind: 'hops'; hops: number }>
  | Readonly<{ kind: 'cidrs'; cidrs: readonly string[] }>;

export class ConfigError extends Error {}

const triple = (v: string) => v.split(',').map((x) => Number(x.trim()));

/** FACE_* variables → the engine's descriptor setting, validated by its own schema (descriptors/setting.ts). */
function faceDescriptor(e: z.infer<typeof schema>): DescriptorSetting | string {
  if (e.FACE_DESCRIPTOR !== 'onnx') return e.FACE_DESCRIPTOR ? { kind: e.FACE_DESCRIPTOR } : DEFAULT_DESCRIPTOR;
  const parsed = descriptorSettingSchema.safeParse({
    kind: 'onnx',
    name: e.FACE_ONNX_NAME,
    modelPath: e.FACE_ONNX_MODEL,
    inputSize: e.FACE_ONNX_INPUT_SIZE,
    mean: triple(e.FACE_ONNX_MEAN),
    std: triple(e.FACE_ONNX_STD),
    channelOrder: e.FACE_ONNX_CHANNELS,
    layout: e.FACE_ONNX_LAYOUT,
    thresholdsPath: e.FACE_ONNX_THRESHOLDS,
  });
  const env: Record<string, string> = {
    name: 'FACE_ONNX_NAME', modelPath: 'FACE_ONNX_MODEL', inputSize: 'FACE_ONNX_INPUT_SIZE', mean: 'FACE_ONNX_MEAN',
    std: 'FACE_ONNX_STD', thresholdsPath: 'FACE_ONNX_THRESHOLDS',
  };
  return parsed.success
    ? parsed.data
    : parsed.error.issues.map((i) => `  ${env[String(i.path[0])] ?? i.path.join('.')}: ${i.message}`).join('\n');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" (a blank line in .env or compose file).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const isProduction = e.NODE_ENV === 'production';
  if (isProduction && !e.PUBLIC_URL.startsWith('https://')) {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: must be https:// in production');
  }
  if (e.WEB_CONCURRENCY > 1 && !e.DATABASE_URL) {
    throw new ConfigError('Invalid configuration:\n  WEB_CONCURRENCY: more than 1 process needs DATABASE_URL (the embedded database belongs to one process)');
  }
  const descriptor = faceDescriptor(e);
  if (typeof descriptor === 'string') throw new ConfigError(`Invalid configuration (FACE_DESCRIPTOR=onnx):\n${descriptor}`);
  if (isProduction && !e.SECRET_KEY) {
    throw new ConfigError('Invalid configuration:\n  SECRET_KEY: required in production');
  }
  return Object.freeze({
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    issuer: e.PUBLIC_URL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    keysDir: path.resolve(e.KEYS_DIR),
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    trustProxy: Object.freeze(e.TRUST_PROXY),
    checkResponses: e.RESPONSE_CHECKS ?? !isProduction,
    secretKey: e.SECRET_KEY,
    documentEncryptionKey: e.DOCUMENT_ENCRYPTION_KEY,
    documentRetentionDays: e.DOCUMENT_RETENTION_DAYS,
    sandbox: e.SANDBOX_MODE,
    recordRetentionYears: e.RECORD_RETENTION_YEARS,
    mail: Object.freeze({
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM ?? `KYCPort <no-reply@${new URL(e.PUBLIC_URL).hostname}>`,
      perAddressPerHour: e.MAIL_PER_ADDRESS_PER_HOUR,
    }),
    rateLimit: Object.freeze({
      loginPerHour: e.RATE_LIMIT_LOGIN_PER_HOUR,
      apiPerMinute: e.RATE_LIMIT_API_PER_MINUTE,
      ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE,
    }),
    knownAddressDays: e.SIGN_IN_KNOWN_ADDRESS_DAYS,
    review: Object.freeze({ slaHours: e.REVIEW_SLA_HOURS, t3Reviewers: e.REVIEW_T3_REVIEWERS, claimMinutes: e.REVIEW_CLAIM_MINUTES }),
    consoleIdleMinutes: e.CONSOLE_IDLE_MINUTES,
    passwordHashing: Object.freeze(passwordHashing(e.PASSWORD_HASH_CONCURRENCY, e.PASSWORD_HASH_QUEUE)),
    webhooks: Object.freeze({
      workers: e.WEBHOOK_WORKERS,
      allowHosts: Object.freeze(e.WEBHOOK_ALLOW_HOSTS.split(',').map((s) => s.trim()).filter(Boolean)),
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryScheduleMs: Object.freeze(e.WEBHOOK_RETRY_SCHEDULE.split(',').map(durationMs)),
      concurrency: e.WEBHOOK_CONCURRENCY,
      retentionDays: e.WEBHOOK_RETENTION_DAYS,
    }),
    verification: Object.freeze({ workers: e.VERIFICATION_WORKERS, busyShare: e.VERIFICATION_BUSY_SHARE, taskTimeoutMs: e.VERIFICATION_TASK_TIMEOUT_MS, faceDescriptor: descriptor }),
    uploads: Object.freeze({
      image: Object.freeze({ maxSide: e.UPLOAD_IMAGE_MAX_SIDE, maxPixels: e.UPLOAD_IMAGE_MAX_PIXELS, maxAspect: e.UPLOAD_IMAGE_MAX_ASPECT }),
      inflightMaxBytes: e.UPLOAD_INFLIGHT_MAX_MB * 1_048_576,
      perTenant: e.UPLOAD_CONCURRENCY_PER_TENANT,
      idleTimeoutMs: e.UPLOAD_IDLE_TIMEOUT_MS,
      bodyTimeoutMs: e.UPLOAD_BODY_TIMEOUT_MS,
    }),
    trustFramework: e.TRUST_FRAMEWORK ?? `${e.PUBLIC_URL}/trust-framework`,
    webConcurrency: e.WEB_CONCURRENCY,
  });
}

/**
 * "false" | "0" → none; "2" → two proxies; "10.0.0.0/8,fd00::/8,192.0.2.7" → those proxies. "true" is refused:
 * it used to mean "believe the left-most entry", which the client writes, and no single guess (1 hop?) is right
 * for every topology — too few hops lumps everyone behind the inner proxy together, too many lets clients pick.
 */
function parseTrustProxy(raw: string): TrustProxy | string {
  const v = raw.trim().toLowerCase();
  if (v === 'false' || v === 'no' || v === '0') return { kind: 'none' };
  if (v === 'true' || v === 'yes') {
    return 'true is no longer accepted: give the number of proxies in front of KYCPort (e.g. 1) or their addresses as CIDRs (e.g. 10.0.0.0/8,fd00::/8)';
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops <= 32 ? { kind: 'hops', hops } : 'a hop count must be between 0 and 32';
  }
  const cidrs: string[] = [];
  for (const part of v.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [addr = '', prefix, extra] = part.split('/');
    const family = net.isIP(addr);
    const max = family === 6 ? 128 : 32;
    const bits = prefix === undefined ? max : /^\d+$/.test(prefix) ? Number(prefix) : -1;
    if (!family || extra !== undefined || bits < 0 || bits > max) return `"${part}" is not an IP address or CIDR; give a hop count or CIDRs like 10.0.0.0/8`;
    cidrs.push(`${addr}/${bits}`);
  }
  return cidrs.length ? { kind: 'cidrs', cidrs } : { kind: 'none' };
}

/** One hash per core by default; the wait queue holds a few rounds, so a queued sign-in still answers in about a second. */
function passwordHashing(concurrency: number | undefined, queue: number | undefined): { concurrency: number; queue: number } {
  const c = concurrency ?? os.availableParallelism();
  return { concurrency: c, queue: queue ?? 8 * c };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "5m" → 300000; a bare number is seconds. */
function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  return Number(m![1]) * UNIT_MS[m![2] ?? 's']!;
}
