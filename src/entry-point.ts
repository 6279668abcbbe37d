// The one way a module asks "am I the program?" (node dist/src/index.js, tsx src/cli/diagnose.ts,
// npm run bench), so importing it from a test never starts it. Symlinks and relative paths count.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True when the module whose `import.meta.url` is given is the script node was started with. */
export function isEntryPoint(moduleUrl: string, argv: readonly string[] = process.argv): boolean {
  const entry = argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
