// Which face descriptor the engine uses: one zod-validated setting, read from the environment by src/config.ts
// and handed to each engine thread (workerData).
import { z } from 'zod';

const triple = z.tuple([z.number(), z.number(), z.number()]);

export const onnxSettingSchema = z.object({
  kind: z.literal('onnx'),
  /** Short name for the descriptor id (`onnx:<name>`): change it when the model or its preprocessing changes. */
  name: z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, dot, dash, underscore'),
  modelPath: z.string().min(1),
  /** Square input side in px (ArcFace-class models: 112). */
  inputSize: z.number().int().min(32).max(640),
  /** Per-channel (x − mean) / std on 0…255 pixel values, in the model's channel order. */
  mean: triple,
  std: triple.refine((s) => s.every((v) => v > 0), 'std must be > 0'),
  channelOrder: z.enum(['rgb', 'bgr']),
  layout: z.enum(['nchw', 'nhwc']),
  /** JSON written by bench/calibrate-face.ts --operator: { approve, review, roc, … }. */
  thresholdsPath: z.string().min(1),
});

export const descriptorSettingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('faceapi-resnet34') }),
  z.object({ kind: z.literal('human-faceres') }),
  onnxSettingSchema,
]);

export type DescriptorSetting = z.infer<typeof descriptorSettingSchema>;
export type OnnxSetting = z.infer<typeof onnxSettingSchema>;

export const DEFAULT_DESCRIPTOR: DescriptorSetting = { kind: 'human-faceres' };

/** The id the setting's descriptor stamps on its templates (known without loading the model: the 1:N index opens by it). */
export function descriptorId(s: DescriptorSetting): string {
  return s.kind === 'human-faceres' ? 'human-faceres+flip' : s.kind === 'faceapi-resnet34' ? 'faceapi-resnet34' : `onnx:${s.name}`;
}
