// The client: one method per tenant API operation, typed by the generated operations (types.ts), all through one
// request function (http.ts) that owns authentication, retries and errors.
import { request, type Call, type RetryOptions, type Transport } from './http.js';
import { fileName, toBlob, type FileInput } from './files.js';
import type * as T from './types.js';

export interface KycPortOptions {
  /** The server's public URL, e.g. `https://id.example.com` (the API is under /api/v1). */
  baseUrl: string;
  /** A tenant API key (`kp_…`), from `kycport apikey create`. Keep it on the server side. */
  apiKey: string;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  retry?: RetryOptions;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Creates take an Idempotency-Key: one is made per call unless you pass yours (e.g. your own order id). */
export interface CreateOptions extends CallOptions {
  idempotencyKey?: string;
}

export interface UploadParts extends T.UploadFields {
  /** The document's front (with the MRZ). */
  document: FileInput;
  /** An ID card's back, when its MRZ is there. */
  document_back?: FileInput;
  /** A photo of the applicant (t2 and above). */
  selfie?: FileInput;
  /** Active liveness: the frames following the issued challenge. */
  frames?: FileInput[];
}

const seg = encodeURIComponent;

export class KycPort {
  private readonly transport: Transport;

  constructor(opts: KycPortOptions) {
    if (!opts.baseUrl) throw new TypeError('KycPort: baseUrl is required');
    if (!opts.apiKey) throw new TypeError('KycPort: apiKey is required');
    const custom = opts.fetch;
    this.transport = {
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
      apiKey: opts.apiKey,
      // The global fetch is looked up per call (instrumentation may wrap it later) and called unbound-safe.
      fetch: (input, init) => (custom ?? globalThis.fetch)(input, init),
      retry: { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 30_000, ...opts.retry },
    };
  }

  private call<R>(c: Call): Promise<R> {
    return request<R>(this.transport, c);
  }

  private static key(opts?: CreateOptions): string {
    return opts?.idempotencyKey ?? globalThis.crypto.randomUUID();
  }

  /** Reusable KYC assurance. */
  readonly status = {
    /** A person's status and tier; `personId` is your pairwise subject for them (the ID token's `sub`). */
    get: (personId: string, opts?: CallOptions) => this.call<T.KycStatus>({ method: 'GET', path: `/kyc/${seg(personId)}/status`, signal: opts?.signal }),
  };

  /** Hosted verification sessions: send the person to `url`, get the result by webhook or `get`. */
  readonly sessions = {
    create: (body: T.CreateSessionBody, opts?: CreateOptions) =>
      this.call<T.VerificationSession>({ method: 'POST', path: '/verification/sessions', body, idempotencyKey: KycPort.key(opts), signal: opts?.signal }),
    get: (id: string, opts?: CallOptions) => this.call<T.VerificationSession>({ method: 'GET', path: `/verification/sessions/${seg(id)}`, signal: opts?.signal }),
    list: (query: T.ListSessionsQuery = {}, opts?: CallOptions) => this.call<T.VerificationSessionList>({ method: 'GET', path: '/verification/sessions', query, signal: opts?.signal }),
    cancel: (id: string, opts?: CallOptions) => this.call<T.VerificationSession>({ method: 'POST', path: `/verification/sessions/${seg(id)}/cancel`, signal: opts?.signal }),
  };

  /** Verification cases driven from your own back end: create, upload images, decide. */
  readonly cases = {
    create: (body: T.CreateCaseBody, opts?: CreateOptions) =>
      this.call<T.VerificationCase>({ method: 'POST', path: '/verification/cases', body, idempotencyKey: KycPort.key(opts), signal: opts?.signal }),
    get: (id: string, opts?: CallOptions) => this.call<T.VerificationCase>({ method: 'GET', path: `/verification/cases/${seg(id)}`, signal: opts?.signal }),
    list: (query: T.ListCasesQuery = {}, opts?: CallOptions) => this.call<T.VerificationCaseList>({ method: 'GET', path: '/verification/cases', query, signal: opts?.signal }),
    /** Sends the images (and optional applicant fields) as one multipart request. Not retried. */
    upload: async (id: string, parts: UploadParts, opts?: CallOptions) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(parts) as [string, unknown][]) {
        if (value === undefined) continue;
        const files = name === 'frames' ? (value as FileInput[]) : ['document', 'document_back', 'selfie'].includes(name) ? [value as FileInput] : undefined;
        if (!files) {
          form.append(name, value as string); // the applicant_* and liveness_mode text fields
          continue;
        }
        for (const file of files) {
          const blob = await toBlob(file);
          form.append(name, blob, fileName(name, blob));
        }
      }
      return this.call<T.UploadResult>({ method: 'POST', path: `/verification/cases/${seg(id)}/upload`, body: form, signal: opts?.signal });
    },
    /** Runs the checks on the uploads and decides. Not retried (a lost answer: read the case with `get`). */
    decide: (id: string, opts?: CallOptions) => this.call<T.Decision>({ method: 'POST', path: `/verification/cases/${seg(id)}/decide`, body: {}, signal: opts?.signal }),
  };

  readonly webhooks = {
    endpoints: {
      /** The answer is the only time the signing secret (`whsec_…`) is shown: store it. */
      create: (body: T.CreateEndpointBody, opts?: CallOptions) => this.call<T.WebhookEndpointCreated>({ method: 'POST', path: '/webhooks/endpoints', body, signal: opts?.signal }),
      list: (opts?: CallOptions) => this.call<T.WebhookEndpointList>({ method: 'GET', path: '/webhooks/endpoints', signal: opts?.signal }),
      get: (id: string, opts?: CallOptions) => this.call<T.WebhookEndpoint>({ method: 'GET', path: `/webhooks/endpoints/${seg(id)}`, signal: opts?.signal }),
      update: (id: string, body: T.UpdateEndpointBody, opts?: CallOptions) => this.call<T.WebhookEndpoint>({ method: 'PATCH', path: `/webhooks/endpoints/${seg(id)}`, body, signal: opts?.signal }),
      delete: (id: string, opts?: CallOptions) => this.call<undefined>({ method: 'DELETE', path: `/webhooks/endpoints/${seg(id)}`, signal: opts?.signal }),
      /** A new secret; the old one keeps signing too for `overlap_seconds` (default 1 day). */
      rotateSecret: (id: string, body: T.RotateSecretBody = {}, opts?: CallOptions) =>
        this.call<T.RotatedSecret>({ method: 'POST', path: `/webhooks/endpoints/${seg(id)}/rotate-secret`, body, signal: opts?.signal }),
      /** Queues a `webhook.test` event to the endpoint. */
      test: (id: string, opts?: CallOptions) => this.call<T.TestEvent>({ method: 'POST', path: `/webhooks/endpoints/${seg(id)}/test`, signal: opts?.signal }),
      /** The endpoint's delivery attempts, newest first. */
      deliveries: (id: string, query: T.ListDeliveriesQuery = {}, opts?: CallOptions) =>
        this.call<T.DeliveryList>({ method: 'GET', path: `/webhooks/endpoints/${seg(id)}/deliveries`, query, signal: opts?.signal }),
    },
  };

  readonly events = {
    /** Sends an event again (to one endpoint, or to every endpoint it went to). */
    redeliver: (eventId: string, body: T.RedeliverBody = {}, opts?: CallOptions) =>
      this.call<T.Redelivery>({ method: 'POST', path: `/webhooks/events/${seg(eventId)}/redeliver`, body, signal: opts?.signal }),
  };
}
