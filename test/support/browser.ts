// A minimal browser for driving the hosted pages over HTTP: a cookie jar (path-aware) and manual redirects.
export class Browser {
  private readonly jar = new Map<string, { value: string; path: string }>();

  async fetch(url: string, init: { method?: string; form?: Record<string, string>; multipart?: FormData; headers?: Record<string, string> } = {}): Promise<Response> {
    const u = new URL(url);
    const cookie = [...this.jar.entries()]
      .filter(([, c]) => u.pathname.startsWith(c.path))
      .map(([k, c]) => `${k.split('|')[0]}=${c.value}`)
      .join('; ');
    const headers: Record<string, string> = { ...init.headers };
    if (cookie) headers.cookie = cookie;
    let body: string | FormData | undefined = init.multipart;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) this.store(line);
    return res;
  }

  /** Follows redirects until one leaves `origin` (e.g. to the RP's redirect_uri) or a page is returned. */
  async follow(url: string, origin: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ res: Response; url: string }> {
    let res = await this.fetch(url, init);
    let current = url;
    for (let i = 0; i < 10 && res.status >= 300 && res.status < 400; i++) {
      current = new URL(res.headers.get('location')!, current).href;
      if (!current.startsWith(origin)) return { res, url: current };
      res = await this.fetch(current);
    }
    return { res, url: current };
  }

  /** Values of the cookies named `name` (any path). */
  cookies(name: string): string[] {
    return [...this.jar.entries()].filter(([k]) => k.split('|')[0] === name).map(([, c]) => c.value);
  }

  private store(line: string): void {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq);
    const value = pair!.slice(eq + 1);
    const path = attrs.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
    const expired = attrs.some((a) => /^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now()) || attrs.some((a) => /^max-age=0$/i.test(a));
    const key = `${name}|${path}`;
    if (expired || value === '') this.jar.delete(key);
    else this.jar.set(key, { value, path });
  }
}

export function csrfOf(html: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no csrf field on page');
  return m[1]!;
}

export function formAction(html: string): string {
  const m = /<form method="post" action="([^"]+)"/.exec(html);
  if (!m) throw new Error('no form on page');
  return m[1]!;
}
