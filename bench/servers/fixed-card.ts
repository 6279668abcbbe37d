// The one Adaptive Card the reference servers answer with: shaped and sized like Connector Doctor's
// diagnosis card (title, the paste, cause, four steps, facts, state, buttons), so that the bots'
// figures differ by the work behind the card, not by the bytes of it.

const step = (n: number, text: string) => ({ type: 'TextBlock', text: `${n}\\. ${text}`, wrap: true, spacing: 'Small' });

const executeWithFallback = (title: string, verb: string, style?: string) => ({
  type: 'Action.Execute',
  title,
  verb,
  data: { verb, incidentId: '00000000-0000-4000-8000-000000000000' },
  fallback: { type: 'Action.Submit', title, data: { verb, incidentId: '00000000-0000-4000-8000-000000000000' } },
  ...(style ? { style } : {}),
});

export const FIXED_CARD = {
  type: 'AdaptiveCard',
  version: '1.5',
  msteams: { width: 'Full' },
  body: [
    { type: 'TextBlock', text: 'Box connector error', wrap: true, size: 'Large', weight: 'Bolder' },
    { type: 'TextBlock', text: 'Known as: AuthFatalFailureException: BoxServerException: invalid\\_grant', wrap: true, isSubtle: true, spacing: 'None' },
    { type: 'TextBlock', text: 'What you pasted', weight: 'Bolder', size: 'Small', spacing: 'Medium' },
    {
      type: 'Container',
      style: 'emphasis',
      items: [{ type: 'TextBlock', text: 'AuthFatalFailureException: com\\.box\\.boxjavalibv2\\.exceptions\\.BoxServerException: invalid\\_grant', wrap: true, fontType: 'Monospace', size: 'Small', spacing: 'None' }],
    },
    { type: 'TextBlock', text: 'Why it happens', weight: 'Bolder', spacing: 'Medium' },
    {
      type: 'TextBlock',
      text: 'Box no longer accepts the refresh token Defender for Cloud Apps keeps for your Box enterprise. Box refresh tokens are single-use and lapse after 60 days without use.',
      wrap: true,
    },
    { type: 'TextBlock', text: 'How to fix it', weight: 'Bolder', spacing: 'Medium' },
    step(1, 'The Box admin confirms that the account which authorized the connector is still active and is a Box admin or co-admin.'),
    step(2, 'The Defender for Cloud Apps admin opens Settings \\> Cloud Apps \\> Connected apps \\> App Connectors and chooses Edit settings on the Box connector.'),
    step(3, 'Sign in to Box with that admin account when asked and grant Defender for Cloud Apps access.'),
    step(4, 'Choose Test now and check that the connector shows Connected.'),
    {
      type: 'FactSet',
      spacing: 'Medium',
      facts: [
        { title: 'Who acts', value: 'Your Defender for Cloud Apps admin' },
        { title: 'Does retrying help?', value: 'No, it needs the fix above' },
        { title: 'Confidence', value: '96%' },
      ],
    },
    { type: 'TextBlock', text: 'Open — reported by Ada at 18:52 UTC', wrap: true, weight: 'Bolder', color: 'Accent', spacing: 'Medium' },
  ],
  actions: [
    executeWithFallback('Mark resolved', 'resolve', 'positive'),
    {
      type: 'Action.ShowCard',
      title: 'Escalate to support',
      card: {
        type: 'AdaptiveCard',
        body: [{ type: 'Input.Text', id: 'note', label: 'Note for support (optional)', isMultiline: true, maxLength: 500 }],
        actions: [executeWithFallback('Send to support', 'escalate')],
      },
    },
    { type: 'Action.OpenUrl', title: 'Learn more', url: 'https://learn.microsoft.com/defender-cloud-apps/troubleshooting-api-connectors-using-error-messages' },
  ],
};

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
