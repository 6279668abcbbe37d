// Whose code an error comes from. Stack frames and exception class names say where an error was
// thrown: in the product (com.adallom), a language runtime (java., System.), a library the
// connectors use (the packages of the catalog's own exceptions), an app's SDK (com.box, Okta.Sdk)
// or somebody else's code (com.acme.billing). Built once per catalog.

import { PRODUCT_HINTS } from './catalog.js';
import type { Catalog } from './types.js';
import { codeAt } from './chars.js';

/** Namespaces of the language runtimes the connectors run on; the product's vendor's own among them. */
const RUNTIME_ROOTS = ['java', 'javax', 'jdk', 'sun', 'com.sun', 'kotlin', 'scala', 'system', 'microsoft'];

export interface Provenance {
  /** Lower-cased namespace roots of code that is not somebody else's (runtime, product, libraries, apps' SDKs). */
  knownRoots: string[];
  /** Lower-cased package-like roots of each app (`com.box`, `okta`), by app id. */
  appRoots: Map<string, string[]>;
}

function isPackageLike(hint: string): boolean {
  // `com.box`, `Microsoft.Office.Compliance`, `boxjavalibv2`: no spaces; hosts (`okta.com`) never
  // start a frame's class name, so keeping them does no harm.
  return hint.length > 0 && !hint.includes(' ');
}

/** Package of a qualified class name, at most three segments deep (`org.apache.http`). */
function packageRoot(qualified: string): string | undefined {
  const parts = qualified.toLowerCase().split('.');
  if (parts.length < 2) return undefined;
  return parts.slice(0, Math.min(3, parts.length - 1)).join('.');
}

export function buildProvenance(catalog: Catalog): Provenance {
  const known = new Set<string>(RUNTIME_ROOTS);
  for (const hint of PRODUCT_HINTS) if (isPackageLike(hint)) known.add(hint.toLowerCase());
  const appRoots = new Map<string, string[]>();
  for (const app of catalog.apps) {
    const roots = [app.name, ...app.aliases, ...app.hints].filter(isPackageLike).map((r) => r.toLowerCase());
    appRoots.set(app.id, roots);
    for (const root of roots) known.add(root);
  }
  for (const entry of catalog.entries) {
    for (const name of entry.signals?.exceptions ?? []) {
      const root = packageRoot(name);
      if (root) known.add(root);
    }
  }
  return { knownRoots: [...known], appRoots };
}

function startsWithRoot(name: string, roots: readonly string[]): boolean {
  return roots.some((root) => name === root || (name.startsWith(root) && codeAt(name, root.length) === 46));
}

/**
 * The class a stack frame runs in, lower-cased (`com.acme.billing.invoicejob.run`), without a
 * Java module (`java.base/`); undefined for frames that name no package (Node, Python).
 */
function frameClass(body: string): string | undefined {
  if (!body.startsWith('at ')) return undefined;
  let i = 3;
  while (codeAt(body, i) === 32) i++;
  let start = i;
  while (i < body.length && i - start < 300) {
    const c = codeAt(body, i);
    if (c === 47 /* / */) start = i + 1;
    else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c === 46)) break;
    i++;
  }
  const name = body.slice(start, i);
  return name.includes('.') ? name.toLowerCase() : undefined;
}

/** A frame in somebody else's code: not the runtime's, the product's, a connector library's or an app SDK's. */
export function isForeignFrame(provenance: Provenance, body: string): boolean {
  const name = frameClass(body);
  return name !== undefined && !startsWithRoot(name, provenance.knownRoots);
}

/** A class of a language runtime (`java.io.IOException`, `System.TimeoutException`): everybody's code throws it. */
export function isRuntimeClass(qualified: string): boolean {
  return startsWithRoot(qualified.toLowerCase(), RUNTIME_ROOTS);
}

/**
 * The app whose own class `qualified` is (`com.box...BoxServerException` is Box's), or undefined
 * for the runtime's, the product's and libraries' (`java.lang.NullPointerException`, the
 * product's `HttpRequestFailure`).
 */
export function exceptionOwner(provenance: Provenance, qualified: string): string | undefined {
  const name = qualified.toLowerCase();
  for (const [appId, roots] of provenance.appRoots) if (startsWithRoot(name, roots)) return appId;
  return undefined;
}
