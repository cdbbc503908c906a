// The threshold file of an operator's descriptor: written by bench/calibrate-face.ts from the operator's own
// labelled pairs, read by the engine. The ROC it came from travels with it so a reviewer can check the choice.
import fs from 'node:fs/promises';
import { z } from 'zod';

const rocRow = z.object({ threshold: z.number(), far: z.number().min(0).max(1), frr: z.number().min(0).max(1) });

export const thresholdFileSchema = z
  .object({
    descriptor: z.string().min(1),
    approve: z.number().min(-1).max(1),
    review: z.number().min(-1).max(1),
    /** How they were chosen, in words (target FAR, target FRR, pairs). */
    rule: z.string(),
    pairs: z.object({ genuine: z.number().int().min(0), impostor: z.number().int().min(0), identities: z.number().int().min(0) }),
    roc: z.array(rocRow),
    createdAt: z.string(),
  })
  .refine((f) => f.review <= f.approve, 'review must not exceed approve');

export type ThresholdFile = z.infer<typeof thresholdFileSchema>;

export async function readThresholdFile(file: string): Promise<ThresholdFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`face threshold file ${file} could not be read: ${(err as Error).message}`);
  }
  const parsed = thresholdFileSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`face threshold file ${file} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
