// Runs the example BFF: `npx tsx examples/bff/server.ts` with the variables below set (see README.md).
import { createBff } from './app.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name} (see examples/bff/README.md)`);
  return value;
};

const port = Number(process.env.PORT ?? 4000);
const app = await createBff({
  publicUrl: process.env.BFF_PUBLIC_URL ?? `http://localhost:${port}`,
  kycportUrl: env('KYCPORT_URL'),
  clientId: env('KYCPORT_CLIENT_ID'),
  clientSecret: env('KYCPORT_CLIENT_SECRET'),
  apiKey: env('KYCPORT_API_KEY'),
  webhookSecret: env('KYCPORT_WEBHOOK_SECRET'),
  onEvent: (event) => console.log('webhook', event.type, event.id),
});
app.listen(port, () => console.log(`BFF on http://localhost:${port}`));
