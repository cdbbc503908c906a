// Small DOM builders: the enhancement adds a handful of elements, not worth a framework.
type Props = Record<string, string | boolean>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'text') node.textContent = String(value);
    else if (value === true) node.setAttribute(name, '');
    else if (value !== false) node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/** A real button (never a styled div): keyboard, screen readers and the form's submit all behave. */
export function button(text: string, onClick: () => void, cls = ''): HTMLButtonElement {
  const b = el('button', { type: 'button', class: cls, text });
  b.addEventListener('click', onClick);
  return b;
}

export function show(node: HTMLElement, visible: boolean): void {
  node.hidden = !visible;
}

/** Where focus goes once a photo is in the form: the form's own submit button. */
export function submitButton(form: HTMLFormElement): HTMLElement | null {
  return form.querySelector<HTMLElement>('button[type=submit], button:not([type]), input[type=submit]');
}

export const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
