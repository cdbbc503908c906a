// The decision model: checks in, outcome + risk + reasons out. Pure and table-driven (thresholds.decision), so
// every outcome can be traced to the checks and the table row that produced it.
import type { CheckResult } from '../engine/types.js';
import { thresholds } from '../thresholds.js';
import type { Decision, Level, Outcome, Reason, RiskLevel } from './model.js';

type Severity = 'reject' | 'review';
interface Rule {
  severity: Severity;
  risk: RiskLevel;
}

const RISK_ORDER: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 };
const TIERS = ['t1', 't2', 't3'] as const;

export function ruleFor(check: CheckResult): Rule {
  const table = thresholds.decision.codes as Record<string, Rule>;
  const rule = (check.code && table[check.code]) || { severity: 'review', risk: 'medium' };
  // Advisory checks can hold an approval back; they can never reject on their own.
  return check.advisory ? { severity: 'review', risk: rule.risk } : rule;
}

/** Check names a level needs, lower levels included. */
export function requiredChecks(level: Level): string[] {
  const r = thresholds.decision.required;
  return TIERS.slice(0, TIERS.indexOf(level) + 1).flatMap((t) => [...r[t]]);
}

function notPerformed(name: string, level: Level): CheckResult {
  const advisory = name.startsWith('liveness.');
  return {
    name,
    passed: false,
    score: null,
    threshold: null,
    code: 'not_performed',
    reason: `Required for ${level} but could not be performed (an earlier step failed or the input was missing).`,
    ...(advisory ? { advisory: true } : {}),
  };
}

/** Highest tier (capped at t2: t3 always needs a human) whose required checks all passed. */
function automationTier(checks: CheckResult[]): Decision['automation_tier'] {
  const passed = new Set(checks.filter((c) => c.passed).map((c) => c.name));
  const ok = (level: Level) => requiredChecks(level).every((n) => passed.has(n));
  return ok('t2') ? 't2' : ok('t1') ? 't1' : 't0';
}

function reasonOf(check: CheckResult): Reason {
  const dup = check.code === 'possible_duplicate' ? (check.details as { case_id?: string; other_tenant?: boolean } | undefined) : undefined;
  return {
    code: check.code ?? 'check_failed',
    message: check.reason,
    check: check.name,
    ...(dup?.case_id ? { case_id: dup.case_id } : {}),
    ...(dup?.other_tenant ? { other_tenant: true } : {}),
  };
}

/**
 * Rules: any failing check whose rule is `reject` → rejected; else any failing check, or level t3 → manual_review;
 * else approved. Risk = the highest risk among failing checks (low when none). Reasons list failing checks, worst
 * first. Passing is judged only by engines' own results; nothing here reads client input.
 */
export function decide(level: Level, input: CheckResult[]): Decision {
  const checks = [...input];
  const present = new Set(checks.map((c) => c.name));
  for (const name of requiredChecks(level)) if (!present.has(name)) checks.push(notPerformed(name, level));

  const failing = checks.filter((c) => !c.passed).map((c) => ({ check: c, rule: ruleFor(c) }));
  if (level === 't3') {
    failing.push({
      check: {
        name: 'review.human', passed: false, score: null, threshold: null, code: 'human_review_required',
        reason: 'Tier t3 requires a human reviewer to confirm the automated checks.',
      },
      rule: thresholds.decision.codes.human_review_required,
    });
  }
  failing.sort((a, b) => sev(b.rule) - sev(a.rule) || RISK_ORDER[b.rule.risk] - RISK_ORDER[a.rule.risk]);

  const outcome: Outcome = failing.some((f) => f.rule.severity === 'reject') ? 'rejected' : failing.length ? 'manual_review' : 'approved';
  const risk = failing.reduce<RiskLevel>((r, f) => (RISK_ORDER[f.rule.risk] > RISK_ORDER[r] ? f.rule.risk : r), 'low');
  return {
    outcome,
    risk_level: risk,
    human_verified: false,
    automation_tier: automationTier(checks),
    checks,
    reasons: failing.map((f) => reasonOf(f.check)),
  };
}

const sev = (r: Rule) => (r.severity === 'reject' ? 1 : 0);
