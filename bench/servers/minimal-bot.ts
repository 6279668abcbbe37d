// Reference server 2: the least a botbuilder bot can be. CloudAdapter without authentication behind
// restify; a message gets one fixed Adaptive Card, an adaptiveCard/action invoke gets a fixed card.
// What Connector Doctor does beyond this (match, store, render, limits, metrics) is its own cost.
import { ActivityHandler, CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication, MessageFactory, type InvokeResponse, type TurnContext } from 'botbuilder';
import restify from 'restify';
import { ADAPTIVE_CARD_CONTENT_TYPE, FIXED_CARD } from './fixed-card.js';

class MinimalBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(FIXED_CARD)));
      await next();
    });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    return { status: 200, body: { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: FIXED_CARD } };
  }
}

const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
const bot = new MinimalBot();
const server = restify.createServer({ name: 'bench-minimal-bot', handleUncaughtExceptions: false });
server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false, mapFiles: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, (context) => bot.run(context));
});
server.get('/readyz', async (_req, res) => {
  res.json(200, { status: 'ready' });
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
