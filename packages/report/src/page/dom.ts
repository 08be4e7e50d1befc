/** What {@link el} sets on a new element. Text goes in as text (`textContent`), never as markup. */
export interface ElementOptions {
  readonly className?: string;
  readonly text?: string;
  /** Attributes, set with `setAttribute` (values are text). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A new element with its class, text, attributes and children: the only way the page builds DOM. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, children: readonly (Node | null)[] = []): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attributes ?? {})) element.setAttribute(name, value);
  for (const child of children) if (child) element.append(child);
  return element;
}
