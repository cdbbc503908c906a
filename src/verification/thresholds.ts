// Every threshold the verification engine uses, in one place. Each value says how it was chosen.
// Sections are owned by the module named in their comment.
export const thresholds = {
  // document/ — image quality and forensics
  document: {},
  // face/ — detection, match, liveness
  face: {},
  // dedup/ — 1:N search
  dedup: {},
  // screening/ — sanctions & PEP name matching
  screening: {},
  // decision — how checks combine into outcome and risk
  decision: {},
} as const;
