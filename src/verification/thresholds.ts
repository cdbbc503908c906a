// Every threshold the verification engine uses, in one place. Each value says how it was chosen.
// Sections are owned by the module named in their comment.
import { screeningThresholds } from '../screening/thresholds.js';

export const thresholds = {
  // document/ — image quality and forensics (owner: src/verification/engine/document; see docs/document-checks.md)
  document: {
    /** Quality metrics are taken on a copy scaled to this width, so they do not depend on upload resolution. */
    analysisWidth: 1000,
    /**
     * Min short side in px. Generated passports read exactly 10/10 at short side 634 and 704 but 8/10 at 563 (TD3
     * 800 px wide); single clean renders still read at 338. Real captures add noise and perspective, and the face
     * check needs the portrait, so 600. Default renders: TD3 1056, TD1 631.
     */
    minShortSidePx: 600,
    /**
     * Min variance of the Laplacian at analysisWidth. Sharp renders measure 630–990; MRZ OCR starts failing on a
     * TD3 at Gaussian σ≈2 px (variance 115), a TD1 front at σ=2 measures 21. Real photos add sensor noise, which
     * raises the variance, so this only catches clearly blurred captures.
     */
    minLaplacianVariance: 100,
    /** Luminance at or above which a pixel counts as blown out by glare. */
    glareLevel: 250,
    /**
     * Max share of blown-out pixels. Clean renders measure ≤ 0.9%; a glare patch over 8% of the page hides a VIZ
     * block or the portrait. A flatbed scan with a white margin exceeds it too (known limitation, see docs).
     */
    maxGlareFraction: 0.08,
    /**
     * Min applicant-name vs MRZ-name similarity (0..1, applicantNameScore over every ICAO spelling). Measured:
     * transliterations and typed subsets (Müller/Muller/MUELLER, Anna/ANNA MARIA) 1.0; one-letter typos 0.93–0.98
     * (Erikson, Ivanov, Jon); different but close names MILLER/MUELLER 0.90, MEYER 0.84, ANDERSSON/ERIKSSON 0.81.
     * 0.92 keeps typos and rejects those; HANNA vs ANNA (0.93) still passes (see docs/document-checks.md).
     */
    applicantNameMin: 0.92,
    /**
     * Printed zone vs MRZ (document.viz_mrz; bench/viz-mrz.ts, docs/document-checks.md). A text line is data, not a
     * caption, when its glyphs are ≥ dataGlyphRatio × the lower-quartile line (generated pages: captions 13 px,
     * data 28–30 px at 1000 px wide; real pages print captions smaller too). A printed name agrees with up to one
     * slip per nameLettersPerSlip letters, and differs only when ≥ nameDiffersFraction of its letters (min 3) are
     * off: between the two it is left unread, never a mismatch. A number-shaped token within 1..nearNumberEdits
     * edits of the MRZ number (confusion classes folded) is an edited number. bench/viz-mrz.ts, generated TD3 + TD1:
     * altered date of birth 12/12, surname 12/12, expiry 11/12, number 8/12 detected; false mismatches on unaltered
     * clean and degraded renders 0/68 (docs/document-checks.md).
     */
    vizMrz: { dataGlyphRatio: 1.4, nameLettersPerSlip: 6, nameDiffersFraction: 1 / 3, nearNumberEdits: 3 },
  },
  // face/ — detection, match, liveness
  face: {
    // Human's face score (mesh confidence) below which a detection is ignored. Human's demos use 0.2–0.6; 0.5 kept
    // every face in the sample group photos (scores 0.63–1.00) and no false detections on them.
    detectMinConfidence: 0.5,
    // face.match, cosine similarity of the engine's default descriptor (human-faceres+flip), doc portrait vs selfie.
    // Measured by bench/calibrate-face.ts (2026-12-03) on held-out pairs: 36 genuine / 573 impostor photo pairs and
    // 72 genuine / 768 impostor document-portrait-vs-photo pairs (genuine: essentially one man; docs/face-checks.md).
    // approve: the lowest 0.01 step with FAR ≤ 0.1% on each held-out impostor set, i.e. above every held-out impostor
    //   (max 0.612 photo, 0.648 document): 0 of 1341 accepted, which only bounds FAR < 0.5% (0.4% on documents) at
    //   95%. FRR there: photo 47% (17/36), document 64% (46/72) — most genuine cases go to review.
    // review: the highest 0.01 step with FRR ≤ 5% on each held-out genuine set: document FRR 2.8% (2/72), photo 0%
    //   (0/36); FAR at review 11.5% photo / 12.4% document pairs (those go to a person, not to approval). The 1:N dedup
    //   flags at review, so it finds ≥ 95% of these re-enrolments.
    match: { approve: 0.65, review: 0.49 },
    // Same rule for the alternative built-in faceapi-resnet34 (FACE_DESCRIPTOR): held-out approve ≥ max impostor
    // 0.956 (FRR photo 83%, document 90%); review at document FRR ≤ 5% (0.888) lets 26–27% of impostor pairs into
    // review. Worse than faceres on this data at every operating point (docs/face-checks.md).
    faceApiMatch: { approve: 0.96, review: 0.88 },
    // A selfie "face" counts when it is at least this fraction of the largest face's width: a group photo fails,
    // a tiny far-away passer-by does not. Judgement call, not measured.
    selfieMinRelativeFaceWidth: 0.25,
    // Human's antispoof ("real") and liveness ("live") outputs. 0.5 = the models' own decision boundary; ADVISORY.
    // bench/liveness-attacks.ts (117 bona fide sample photos, 110 generated print/screen/recapture attacks): at
    // 0.5/0.5 88% of attacks pass (APCER) and 20% of bona fide fail (BPCER), 17% on antispoof alone, which scores
    // attacks higher than bona fide. Antispoof ≤ 0.3 would give BPCER 2.6%, APCER 89%; kept at 0.5 because the
    // bona fide photos are screenshot crops, not live captures (see docs/face-checks.md).
    passiveLiveness: { antispoofMin: 0.5, liveMin: 0.5 },
    // Head-turn challenge, degrees of yaw from Human's facemesh. Person A's sample photos span −25°…+9°, frontal
    // photos sit within ±12°; 15° is a deliberate turn a phone user can do. ADVISORY.
    activeLiveness: { minTurnDegrees: 15, maxCenterDegrees: 12, jitterDegrees: 5, maxFrames: 30 },
  },
  // dedup/ — 1:N search
  dedup: {
    // Neighbours returned per search. A selfie is flagged possible_duplicate when one of them, of another person,
    // scores at or above the 1:1 review threshold (dedup/index.ts duplicateThreshold): what 1:1 would not reject,
    // 1:N must not pass silently.
    searchK: 5,
  },
  // screening/ — sanctions & PEP name matching (owned and defined in src/screening/thresholds.ts)
  screening: screeningThresholds,
  // decision — how checks combine into outcome and risk
  decision: {
    // What each failing check does, by its code. reject = a hard fail (the document or face is wrong, or the
    // check is impossible and a retake is needed); review = a soft issue a human should look at. Risk is the
    // level reported with it; the case takes the highest. Advisory checks (liveness) are capped at review: they
    // can stop an approval, never cause a rejection, and never approve. Unknown codes default to review/medium.
    codes: {
      check_digit_mismatch: { severity: 'reject', risk: 'high' },
      // Printed zone disagrees with a valid MRZ (an edited data page). Review, not reject: one OCR read of printed
      // text on a photo is not proof (bench/viz-mrz.ts); a reviewer compares the page with the MRZ.
      viz_mrz_mismatch: { severity: 'review', risk: 'high' },
      // ICAO specimen (UTO, Doc 9303 specimen numbers) outside sandbox mode: not a real person's document.
      specimen_document: { severity: 'reject', risk: 'high' },
      document_already_verified: { severity: 'reject', risk: 'high' },
      face_mismatch: { severity: 'reject', risk: 'high' },
      // Between face.match review and approve: neither a confident match nor a confident mismatch; a person compares.
      face_uncertain: { severity: 'review', risk: 'medium' },
      document_expired: { severity: 'reject', risk: 'medium' },
      expiry_unreadable: { severity: 'reject', risk: 'medium' },
      mrz_format: { severity: 'reject', risk: 'medium' },
      mrz_not_found: { severity: 'reject', risk: 'medium' },
      mrz_missing_back: { severity: 'reject', risk: 'low' },
      no_face: { severity: 'reject', risk: 'medium' },
      multiple_faces: { severity: 'reject', risk: 'medium' },
      unreadable_image: { severity: 'reject', risk: 'medium' },
      not_performed: { severity: 'reject', risk: 'medium' },
      // Name screening favours recall (see screening.hitThreshold): a hit is for a compliance officer to confirm,
      // so it goes to manual review rather than an automatic rejection of everyone with a similar name.
      sanctions_match: { severity: 'review', risk: 'high' },
      watchlist_match: { severity: 'review', risk: 'high' },
      pep_match: { severity: 'review', risk: 'medium' },
      screening_unavailable: { severity: 'review', risk: 'medium' },
      possible_duplicate: { severity: 'review', risk: 'high' },
      editing_software: { severity: 'review', risk: 'high' },
      applicant_mismatch: { severity: 'review', risk: 'high' },
      inconsistent_dates: { severity: 'review', risk: 'medium' },
      low_resolution: { severity: 'review', risk: 'medium' },
      blurred: { severity: 'review', risk: 'medium' },
      glare: { severity: 'review', risk: 'medium' },
      human_review_required: { severity: 'review', risk: 'low' },
    },
    // Checks each level requires (a level includes the ones below it). Missing = failed with code not_performed.
    required: {
      t1: [
        'document.quality_resolution', 'document.quality_blur', 'document.quality_glare', 'document.exif_software',
        'document.mrz_read', 'document.mrz_check_digits', 'document.expiry',
      ],
      t2: ['face.document_portrait', 'face.selfie_single_face', 'face.match', 'liveness.passive', 'screening.sanctions_pep'],
      t3: ['liveness.active'],
    },
    // An approval is valid for this long, or until the document expires if that is sooner.
    maxValidityDays: 365,
  },
} as const;
