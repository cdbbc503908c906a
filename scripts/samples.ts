// Test mode's sample images (public/samples/, listed at /docs/samples): rendered with the test suite's document
// generator (ICAO specimen state UTO, the bundled OCR-B font) and portraits cropped from photos shipped in the
// @vladmandic/human and @vladmandic/face-api packages (MIT). `npm run samples` rewrites the files and the
// manifest; test/verification/sandbox/samples.test.ts runs every sample through the engine with a test key.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { generateIdCard, generatePassport, PORTRAITS, type GenerateOptions } from '../test/support/documents/index.js';
import { files, gridCell } from '../test/verification/engine/face/samples.js';

const OUT = path.resolve(import.meta.dirname, '../public/samples');
// Fixed dates so the committed images don't change on every run; the valid ones stay valid until 2035.
const NOW = new Date('2026-12-01T00:00:00Z');

export interface SampleManifest {
  source: string;
  samples: {
    name: string;
    title: string;
    description: string;
    level: 't1' | 't2';
    files: { document: string; document_back?: string; selfie?: string };
    expected: { outcome: 'approved' | 'rejected' | 'manual_review' | 'resubmission_requested'; reason?: string };
  }[];
}

const passport = (o: GenerateOptions) => generatePassport({ now: NOW, specimen: true, portrait: 'personA_webcam', ...o });

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const write = async (name: string, bytes: Buffer | Promise<Buffer>) => fs.writeFileSync(path.join(OUT, name), await bytes);
  const jpeg = (png: Buffer) => sharp(png).jpeg({ quality: 90 }).toBuffer();

  await write('passport-valid.jpg', jpeg((await passport({})).image));
  await write('selfie-match.jpg', jpeg(await gridCell(0, 15)()));
  await write('passport-expired.jpg', jpeg((await passport({ fields: { issueDate: '2011-04-16', expiryDate: '2021-04-15' } })).image));
  await write('passport-tampered-mrz.jpg', jpeg((await passport({ tamper: { birthDate: '1984-08-12' } })).image));
  await write(
    'selfie-impostor.jpg',
    jpeg(await sharp(PORTRAITS.personC.path).extract(PORTRAITS.personC.crop).png().toBuffer()),
  );
  await write(
    'passport-sanctioned.jpg',
    jpeg((await passport({ fields: { surname: 'Vukasinov', givenNames: 'Drago', birthDate: '1969-04-12', sex: 'M' } })).image),
  );
  const card = await generateIdCard({ now: NOW, specimen: true, portrait: 'personA_webcam' });
  await write('id-card-front.jpg', jpeg(card.front));
  await write('id-card-back.jpg', jpeg(card.back));

  const manifest: SampleManifest = {
    source:
      'Documents: ICAO Doc 9303 specimens (issuing state UTO) drawn by test/support/documents. Face photos: cropped from ' +
      `${path.basename(files.facematch)} and ${path.basename(PORTRAITS.personA_webcam.path)} of @vladmandic/human and ` +
      `${path.basename(PORTRAITS.personC.path)} of @vladmandic/face-api (both MIT licensed, shipped in their npm packages).`,
    samples: [
      { name: 'valid_passport', title: 'Valid passport and matching selfie', description: 'A specimen passport and a different photo of the same man.', level: 't2', files: { document: 'passport-valid.jpg', selfie: 'selfie-match.jpg' }, expected: { outcome: 'approved' } },
      { name: 'expired_passport', title: 'Expired passport', description: 'The same passport, expired in 2021.', level: 't2', files: { document: 'passport-expired.jpg', selfie: 'selfie-match.jpg' }, expected: { outcome: 'rejected', reason: 'document_expired' } },
      { name: 'tampered_mrz', title: 'Tampered MRZ', description: 'The birth date was changed in the MRZ without its check digit.', level: 't2', files: { document: 'passport-tampered-mrz.jpg', selfie: 'selfie-match.jpg' }, expected: { outcome: 'rejected', reason: 'check_digit_mismatch' } },
      { name: 'impostor_selfie', title: 'Impostor selfie', description: 'The valid passport with a selfie of someone else.', level: 't2', files: { document: 'passport-valid.jpg', selfie: 'selfie-impostor.jpg' }, expected: { outcome: 'rejected', reason: 'face_mismatch' } },
      { name: 'sanctioned_name', title: 'Sanctioned name', description: "A passport in the name of Drago Vukasinov, who is on test mode's sample sanctions list: a possible match goes to the operator's reviewers.", level: 't2', files: { document: 'passport-sanctioned.jpg', selfie: 'selfie-match.jpg' }, expected: { outcome: 'manual_review', reason: 'sanctions_match' } },
      { name: 'id_card', title: 'Two-sided ID card', description: 'A specimen TD1 identity card: the MRZ is on the back.', level: 't1', files: { document: 'id-card-front.jpg', document_back: 'id-card-back.jpg' }, expected: { outcome: 'approved' } },
      { name: 'id_card_front_only', title: 'ID card, front only', description: 'The same ID card without its back: a capture problem, so the case asks for a retake (upload the back to the same case) instead of rejecting.', level: 't1', files: { document: 'id-card-front.jpg' }, expected: { outcome: 'resubmission_requested', reason: 'mrz_missing_back' } },
    ],
  };
  fs.writeFileSync(path.join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${manifest.samples.length} samples to ${path.relative(process.cwd(), OUT)}`);
}

await main();
