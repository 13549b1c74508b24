/**
 * Putting content on the page. The renderer's HTML (every piece of result data already escaped by the gate's
 * renderer) is parsed in an inert document and its nodes moved in, so no script of it could run even with an
 * escaping bug (and the page's CSP allows no inline script anyway). Everything the views write themselves goes in
 * as text.
 */

/** The nodes of an HTML fragment produced by the gate's renderer. */
export function fragmentOf(html: string): DocumentFragment {
  const parsed = new DOMParser().parseFromString(`<!DOCTYPE html><body>${html}</body>`, "text/html");
  const fragment = document.createDocumentFragment();
  for (const node of Array.from(parsed.body.childNodes)) fragment.append(document.adoptNode(node));
  return fragment;
}

/** An element with text content (never parsed as HTML) and an optional class. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

/** Replaces the page's content with one message (loading, nothing attached, an error). */
export function showMessage(root: HTMLElement, text: string, className = "message"): void {
  root.replaceChildren(element("p", text, className));
}

/**
 * Links from the renderer (the portal link, http or https only) open in a new window: inside the host's frame the
 * portal would refuse to load.
 */
export function openLinksInNewWindow(root: ParentNode): void {
  for (const link of Array.from(root.querySelectorAll<HTMLAnchorElement>("a[href]"))) {
    link.target = "_blank";
    link.rel = "noopener noreferrer";
  }
}
