// The Node flags the bot runs with, read from package.json's start script so `npm start`, the dev
// loop, the benches and the tests that spawn the bot run it the same way. restify's dependencies
// touch process.binding('http_parser') when loaded, which makes Node print a DEP0111 deprecation
// warning (three lines) before the bot's own one-line messages; `--disable-warning=DEP0111` (Node
// >= 20.11) silences exactly that code and keeps every other warning.
import pkg from '../package.json' with { type: 'json' };

export const BOT_NODE_FLAGS: readonly string[] = Object.freeze(pkg.scripts.start.split(/\s+/).filter((arg) => arg.startsWith('--')));
