// Visible text comes only from the page's #kp-messages JSON block (the server renders its locale's client.* keys),
// so the bundle carries no strings of its own and one build serves every language.
let table: Record<string, unknown> | undefined;

function read(): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(document.getElementById('kp-messages')?.textContent ?? '{}');
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The message for `key` with `{name}` placeholders filled in; a missing key shows the key (visible in tests). */
export function t(key: string, vars: Record<string, string | number> = {}): string {
  table ??= read();
  const text = table[key];
  return (typeof text === 'string' ? text : key).replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
