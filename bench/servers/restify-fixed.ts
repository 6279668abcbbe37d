// Reference server 1: bare restify (the same body parser as the bot) answering every POST with one
// fixed ~3 KB JSON body, shaped like an expectReplies answer. The floor for "an HTTP server in Node".
import restify from 'restify';
import { ADAPTIVE_CARD_CONTENT_TYPE, FIXED_CARD } from './fixed-card.js';

const ANSWER = JSON.stringify({ activities: [{ type: 'message', attachmentLayout: 'list', attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: FIXED_CARD }] }] });

const server = restify.createServer({ name: 'bench-restify', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false, mapFiles: false }));
server.post('/api/messages', async (_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.writeHead(200);
  res.end(ANSWER);
});
server.get('/readyz', async (_req, res) => {
  res.json(200, { status: 'ready' });
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
