// Every class of secret the redactor promises to remove (issue 15), one or more samples each, written
// from the issue and the vendors' documented token formats (fake values in the real shapes). For
// each: the secret is gone, the text after it survives (no redaction eats past a secret's end), and
// the kind says what it was.
import { describe, expect, it } from 'vitest';
import { REDACTED, redact } from '../../src/core/redact.js';

interface Sample {
  name: string;
  text: string;
  /** Pieces that must not survive. */
  secret: string[];
  /** Text right after the secret that must survive. */
  keepAfter?: string;
  kind: string;
}

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiJzdmMtbWRhIiwiYXVkIjoiYXBpOi8vY29ubmVjdG9yIiwiZXhwIjoxNzY0NTg1MDYwfQ.iCDOh377Uzbj2NJxMvNpV3LSL5C6S_y97r0Etljwi9M';
const JWT_PAYLOAD = 'eyJzdWIiOiJzdmMtbWRhIiwiYXVkIjoiYXBpOi8vY29ubmVjdG9yIiwiZXhwIjoxNzY0NTg1MDYwfQ';
const AWS_ID = 'AKIA4QUAUKHDOKMJ2FTS';
const AWS_SECRET = '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';
const GHP = 'ghp_SxrnFOvdTe1iFDc9ACkBEpnC8WFLqBHQQDZA';
const GH_FINE = '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';
const XOXB = 'xoxb-997055404832-5258196940643-zbmQUlmmsZkeTdyM3XgOANhG';
const XOXP = 'xoxp-920733207652-722230924663-4463327614923-dfd3327dedcb89113b8808f8de5d0a30';
const XAPP = 'xapp-1-A99SBEYTOFY-7179669428787-2d011ca733ac65d32092106e9ac147f25ca5475defcdf477afd7208808fcf4f5';
const XOXE = 'xoxe.xoxp-1-u2vO3j1AyaDtD0ynDwUvZwrIEcVYFi8tMaKiFdPCLZ4FrStxsJMk544ueB0oO48RZyLbihzv4TFF5X3JOtv70TqLThTLYZQ8k5r93gg2v6WHC30ucm2wzuO8uYwR0L4mMJiihHovWLWh';
const AIZA = 'AIza61_42fQJbKQXsxL6TdBL5l82PqeRW8lfHrY';
const ATATT = 'ATATT3xFfGF0IyzuOZHUrZ1UTiIigLd134SPDXeBuaxJ7TGK8LGQ92Cq01iJY-gKlNotENtwW-ruk2Eu14lx0YGmmf-vhIC76bp1Jq_FUdffWAjjiFgaN6bLsHUa0j-6j09FS61QWLjGibY2ppOSNGHiVWw-_5F7is-pSwhUL3_t94RuMiPaW7=C7892A61';
const OPENAI = 'sk-proj-mzlHSxp2TCDjz-pmeJKbAePdw_tPIaJXRfl8i0La_VCfH3qzSQ_tJNpmYzsObo4wT3BlbkFJGrIxQVa7WHOF3q2sv7y5BLcQ69GE-fJyxP-udMHyvigS8KxuaLp8XYIPE3tToWom';
const OKTA = '00EWtTpUsz8gXkTvUEX0Su4o_OJF3vWKnzvfDiVfCn';
const DROPBOX = 'sl.B_W4VBObGITmXCRq9-uc75_A4P0-X35AnYOYESwg8-o2st6qXlLOCigYq_js5jcO8UqDlRwB3M-bSiGXnMeb8FcUFn9vNkSgdC23GXB1Ng0HJ_8dUZW_JkQA9yAiyRiWBt8Xl7TG';
const ZENDESK = 'CqlE6TmJe0T9XlW30M1aLYphnCZ1wOqPNQLBxAUb';
const SENDGRID = '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';
const NPM = 'npm_uxEFOV3quO8azPGTk3zYnf9J26VIngfoANbX';
const AZURE_KEY = 'mewnTKR8wDADafP4ZOrcRuz5i0+R83VLevQDW9heRG15Co7tGPJKJurKdzGYwguHFLkBDMKb4hSnrxxDx8uOAh==';
const SAS_SIG = 'dMUFLTekQH%2BI86k3s3G61QELj10fZoX%2BFzuOCYr90uD%3D';
const SALESFORCE = '00Doi2Pm9whhunw!DnWu4npS7t4P3dLkEuUw_mpj1lWGN5Y2KJH1I9230yz_NH0.AElgeZEui5bmkPhMlBr7sGDV3cEhtgo_MPyM6uL9bklI9X_G';
const BEDROCK = 'ABSKtq7BlrpnD273er1LSlV4nWFQNft4hrC9tvv+izzGl52ShUcE+lEeoB0xlQNfEFYy2tEQiK1pZ6LvApCi1871fod4QOaYf/07ywkS+0EpnPVpZtfjsm9x2g9raMUk4o6cve=';
const GOCSPX = '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';
const PEM_BODY = [
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
  'NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ',
];
const PEM = `-----BEGIN PRIVATE KEY-----\n${PEM_BODY.join('\n')}\n-----END PRIVATE KEY-----`;

const samples: Record<string, Sample[]> = {
  '1. token formats by their own shape': [
    { name: 'AWS access key id in an S3 XML error', text: `<Error><Code>InvalidAccessKeyId</Code><AWSAccessKeyId>${AWS_ID}</AWSAccessKeyId><RequestId>4442587FB7D0A2F9</RequestId></Error>`, secret: [AWS_ID], keepAfter: '</AWSAccessKeyId><RequestId>4442587FB7D0A2F9</RequestId>', kind: 'aws-access-key' },
    { name: 'AWS access key id bare in a log sentence', text: `WARN retrying with ${AWS_ID} after 403`, secret: [AWS_ID], keepAfter: ' after 403', kind: 'aws-access-key' },
    { name: 'Amazon Bedrock long-term key', text: `{"key": "${BEDROCK}", "region": "us-east-1"}`, secret: [BEDROCK.slice(0, 40)], keepAfter: '", "region": "us-east-1"}', kind: 'aws-bedrock-key' },
    { name: 'Google API key in a URL', text: `GET https://maps.googleapis.com/maps/api/geocode/json?address=Redmond&key=${AIZA} 403 Forbidden`, secret: [AIZA], keepAfter: ' 403 Forbidden', kind: 'google-api-key' },
    { name: 'Google OAuth client secret', text: `"client_secret": "${GOCSPX}",`, secret: [GOCSPX], keepAfter: '",', kind: 'google-client-secret' },
    { name: 'GitHub classic token under a neutral key', text: `{"value": "${GHP}", "ok": false}`, secret: [GHP], keepAfter: '", "ok": false}', kind: 'github-token' },
    { name: 'GitHub fine-grained token in a sentence', text: `I used ${GH_FINE} and it still says 401`, secret: [GH_FINE], keepAfter: ' and it still says 401', kind: 'github-token' },
    { name: 'Slack bot token in YAML', text: `slack:\n  bot: ${XOXB}\n  channel: C024BE91L`, secret: [XOXB], keepAfter: '\n  channel: C024BE91L', kind: 'slack-token' },
    { name: 'Slack user token in a query string', text: `https://slack.com/api/conversations.list?token=${XOXP}&limit=200`, secret: [XOXP], keepAfter: '&limit=200', kind: 'slack-token' },
    { name: 'Slack app-level token', text: `socket mode with ${XAPP}: invalid_auth`, secret: [XAPP], keepAfter: ': invalid_auth', kind: 'slack-token' },
    { name: 'Slack configuration token', text: `export CFG=${XOXE}\nnext`, secret: [XOXE.slice(12, 60)], keepAfter: '\nnext', kind: 'slack-token' },
    { name: 'Atlassian API token', text: `jira says 401 for ${ATATT} today`, secret: [ATATT.slice(0, 40), ATATT.slice(-30)], keepAfter: ' today', kind: 'atlassian-token' },
    { name: 'OpenAI project key', text: `{"data": "${OPENAI}"}`, secret: [OPENAI.slice(0, 40)], keepAfter: '"}', kind: 'openai-key' },
    { name: 'Okta API token bare', text: `token rotated: ${OKTA} (old)`, secret: [OKTA], keepAfter: ' (old)', kind: 'okta-token' },
    { name: 'Dropbox short-lived token', text: `dropbox ${DROPBOX} expired`, secret: [DROPBOX.slice(0, 40)], keepAfter: ' expired', kind: 'dropbox-token' },
    { name: 'SendGrid key', text: `mail: ${SENDGRID}, retry`, secret: [SENDGRID], keepAfter: ', retry', kind: 'sendgrid-key' },
    { name: 'npm token in .npmrc', text: `//registry.npmjs.org/:_authToken=${NPM}\nalways-auth=true`, secret: [NPM], keepAfter: '\nalways-auth=true', kind: 'npm-token' },
    { name: 'Azure storage account key bare', text: `key1 ${AZURE_KEY} key2`, secret: [AZURE_KEY.slice(0, 40)], keepAfter: ' key2', kind: 'azure-storage-key' },
    { name: 'Azure storage connection string', text: `DefaultEndpointsProtocol=https;AccountName=contosologs;AccountKey=${AZURE_KEY};EndpointSuffix=core.windows.net`, secret: [AZURE_KEY.slice(0, 40)], keepAfter: ';EndpointSuffix=core.windows.net', kind: 'azure-storage-key' },
    { name: 'Azure SAS signature', text: `https://contoso.blob.core.windows.net/logs?sv=2022-11-02&ss=b&sp=rl&se=2026-12-01&sig=${SAS_SIG}&spr=https`, secret: [SAS_SIG], keepAfter: '&spr=https', kind: 'secret-pair' },
    { name: 'Salesforce session id', text: `Access Token     ${SALESFORCE}\nInstance Url     https://contoso.my.salesforce.com`, secret: [SALESFORCE.slice(0, 30)], keepAfter: '\nInstance Url', kind: 'salesforce-session' },
    { name: 'Zendesk token after a secret word', text: `zendesk api token ${ZENDESK} stopped working`, secret: [ZENDESK], keepAfter: ' stopped working', kind: 'random-secret' },
  ],
  '2. secrets inside URLs': [
    { name: 'Slack incoming webhook', text: `posting to https://hooks.slack.com/services/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 failed: 404`, secret: ['qt9q8tBnbBoA9s9QbqZmE5Dh', 'T024BE91L/B07FJ3N4KQ2'], keepAfter: ' failed: 404', kind: 'slack-webhook' },
    { name: 'Teams incoming webhook', text: `https://contoso.webhook.office.com/webhookb2/7aa49aa6-7840-443d-806c-08ebe8f59966@c662313f-14fc-43a2-9a7a-d2e27f4f3478/IncomingWebhook/dad1756503c5fa61785b305993d05845/eff4cd58-1bb8-4899-94de-795f656b4a18/V2qt9q8tBnbBoA9s9QbqZmE5DhFtRnTUqerFBC8KAsPzkQL1 returned 400`, secret: ['dad1756503c5fa61785b305993d05845', 'V2qt9q8tBnbBoA9s9QbqZmE5Dh'], keepAfter: ' returned 400', kind: 'teams-webhook' },
    { name: 'token as the user of a git URL', text: `git clone https://${GHP}@github.com/contoso/connector.git`, secret: [GHP], keepAfter: '@github.com/contoso/connector.git', kind: 'github-token' },
    { name: 'token as the password of a URL whose user looks like a key', text: `https://x-access-token:${GHP}@github.com/contoso/app.git`, secret: [GHP], keepAfter: '@github.com/contoso/app.git', kind: 'github-token' },
    { name: 'random token as the user of a URL', text: `remote: https://${ZENDESK}@git.contoso.example/repo.git`, secret: [ZENDESK], keepAfter: '@git.contoso.example/repo.git', kind: 'url-credential' },
    { name: 'password holding @ in user:pass@host', text: 'proxy https://svc-mda:Pa@ss#w0rd@proxy.contoso.example:8443/ refused', secret: ['Pa@ss#w0rd'], keepAfter: '@proxy.contoso.example:8443/ refused', kind: 'url-password' },
  ],
  '3. PEM private keys anywhere': [
    { name: 'plain', text: `key:\n${PEM}\nthen the error`, secret: PEM_BODY, keepAfter: '\nthen the error', kind: 'private-key' },
    { name: 'YAML block scalar |', text: `tls:\n  key: |\n    ${PEM.split('\n').join('\n    ')}\n  cert: none`, secret: PEM_BODY, keepAfter: '\n  cert: none', kind: 'private-key' },
    { name: 'YAML folded >', text: `key: >\n  ${PEM.split('\n').join('\n  ')}\nnext: 1`, secret: PEM_BODY, keepAfter: '\nnext: 1', kind: 'private-key' },
    { name: 'JSON with \\n escapes', text: `{"type": "service_account", "pk": "${PEM.split('\n').join('\\n')}\\n", "client_email": "x@p.iam.gserviceaccount.com"}`, secret: PEM_BODY, keepAfter: '\\n", "client_email"', kind: 'private-key' },
    { name: 'one line with spaces', text: `${PEM.split('\n').join(' ')} was rejected`, secret: PEM_BODY, keepAfter: ' was rejected', kind: 'private-key' },
  ],
  '4. command-line credentials': [
    { name: 'curl -u user:pass', text: 'curl -u admin:Tr0ub4dor&3x https://api.contoso.example/v1/health -v', secret: ['Tr0ub4dor&3x'], keepAfter: ' https://api.contoso.example/v1/health -v', kind: 'command-line-credential' },
    { name: "--user 'api:...'", text: `curl -s --user 'api:key-${ZENDESK}' https://api.mailgun.net/v3/domains`, secret: [ZENDESK], keepAfter: "' https://api.mailgun.net/v3/domains", kind: 'command-line-credential' },
    { name: '-u email/token:...', text: `curl https://contoso.zendesk.com/api/v2/users.json -u admin@contoso.com/token:${ZENDESK} -H "Accept: application/json"`, secret: [ZENDESK], keepAfter: ' -H "Accept: application/json"', kind: 'command-line-credential' },
    { name: 'shell quotes around the password stay', text: "curl --user bob:'Qz7vG2h1L8nQkW9x' -X PATCH https://api.contoso.example/items/42", secret: ['Qz7vG2h1L8nQkW9x'], keepAfter: "' -X PATCH https://api.contoso.example/items/42", kind: 'command-line-credential' },
    { name: 'token user with a literal password', text: `curl -u ${ZENDESK}:api_token -X GET https://api.contoso.example/me`, secret: [ZENDESK], keepAfter: ':api_token -X GET https://api.contoso.example/me', kind: 'command-line-credential' },
    { name: 'az login -u app -p secret', text: 'az login --service-principal -u 7aa49aa6-7840-443d-806c-08ebe8f59966 -p Qm9vbXNoYWthbGFrYQ --tenant contoso', secret: ['Qm9vbXNoYWthbGFrYQ'], keepAfter: ' --tenant contoso', kind: 'command-line-credential' },
    { name: '--client-secret X', text: 'connector-cli register --client-secret h7Jk2-LmN9pQ --verbose', secret: ['h7Jk2-LmN9pQ'], keepAfter: ' --verbose', kind: 'command-line-credential' },
  ],
  '5. assignment syntaxes': [
    { name: ':=', text: 'apiToken := "Zx81-qwe0-ASDl-99pp"\nfmt.Println(x)', secret: ['Zx81-qwe0-ASDl-99pp'], keepAfter: '"\nfmt.Println(x)', kind: 'secret-pair' },
    { name: '::=', text: 'password ::= s3cr3t-V4lue ;; end', secret: ['s3cr3t-V4lue'], keepAfter: ' ;; end', kind: 'password' },
    { name: '=>', text: "'client_secret' => 'Kx0-77aa-Qp', 'scope' => 'read'", secret: ['Kx0-77aa-Qp'], keepAfter: "', 'scope' => 'read'", kind: 'secret-pair' },
    { name: '?=', text: 'DB_PASSWORD ?= Wint3r-is-c0ming\nall: build', secret: ['Wint3r-is-c0ming'], keepAfter: '\nall: build', kind: 'password' },
    { name: '+=', text: 'secret += "Pq9-zz81"; done()', secret: ['Pq9-zz81'], keepAfter: '"; done()', kind: 'secret-pair' },
    { name: 'typed declaration (the type is not the secret)', text: 'var apiKey: string = "k-88aZ-Qw12-pp0"; connect();', secret: ['k-88aZ-Qw12-pp0'], keepAfter: '"; connect();', kind: 'secret-pair' },
    { name: 'Go typed declaration', text: 'var token string = "tkn-Aa81-9xQ"\nreturn', secret: ['tkn-Aa81-9xQ'], keepAfter: '"\nreturn', kind: 'secret-pair' },
    { name: 'setProperty call', text: 'System.setProperty("BOX_CLIENT_SECRET", "bx-99Qa-ZZ01");\nlog.info("ok");', secret: ['bx-99Qa-ZZ01'], keepAfter: '");\nlog.info("ok");', kind: 'secret-pair' },
    { name: 'id/data record', text: '{"id": "smtp_password", "data": "Rr5-Data-Qq1"}, {"id": "host", "data": "mail"}', secret: ['Rr5-Data-Qq1'], keepAfter: '"}, {"id": "host", "data": "mail"}', kind: 'password' },
    { name: 'name/value JSON record', text: '[{"name":"slack_token","value":"st-1a2B-3c4D"},{"name":"region","value":"eu"}]', secret: ['st-1a2B-3c4D'], keepAfter: '"},{"name":"region","value":"eu"}]', kind: 'secret-pair' },
    { name: 'Kubernetes env name/value', text: 'env:\n  - name: API_TOKEN\n    value: "k8s-Tok-9911"\n  - name: LOG_LEVEL\n    value: debug', secret: ['k8s-Tok-9911'], keepAfter: '"\n  - name: LOG_LEVEL\n    value: debug', kind: 'secret-pair' },
    { name: 'ARM parameter object', text: '"adminPassword": {"value": "Orbit3#Meadow149"}, "location": {"value": "westeurope"}', secret: ['Orbit3#Meadow149'], keepAfter: '"}, "location": {"value": "westeurope"}', kind: 'password' },
    { name: 'XML element', text: '<credentials><password>Hunter2-Xml!</password><user>svc</user></credentials>', secret: ['Hunter2-Xml!'], keepAfter: '</password><user>svc</user>', kind: 'password' },
    { name: 'XML value attribute', text: '<add key="ServiceNowApiToken" value="sn-5521-AAbb" />\n<add key="Region" value="eu" />', secret: ['sn-5521-AAbb'], keepAfter: '" />\n<add key="Region" value="eu" />', kind: 'secret-pair' },
    { name: 'XML entry element', text: '<entry key="okta.client.token">ok-771-Xyz-a</entry><entry key="okta.org">contoso</entry>', secret: ['ok-771-Xyz-a'], keepAfter: '</entry><entry key="okta.org">contoso</entry>', kind: 'secret-pair' },
    { name: 'YAML block scalar', text: 'client_secret: |\n  first-Part-881\n  second-Part-992\nscope: read', secret: ['first-Part-881', 'second-Part-992'], keepAfter: '\nscope: read', kind: 'secret-pair' },
    { name: 'XML element with attributes', text: '<secret name="smtp" encrypted="false">Sx-4410-Qrt!</secret><host>mail</host>', secret: ['Sx-4410-Qrt!'], keepAfter: '</secret><host>mail</host>', kind: 'secret-pair' },
    { name: 'XML element named password with an attribute', text: '<Password encrypted="false">Pw-8812-Zz!</Password><User>svc</User>', secret: ['Pw-8812-Zz!'], keepAfter: '</Password><User>svc</User>', kind: 'password' },
    { name: 'ODBC braced value holding ;', text: 'Driver={ODBC Driver 18 for SQL Server};Server=tcp:db,1433;Uid=admin;Pwd={Sup3r;S3cr}}et};Encrypt=yes;', secret: ['Sup3r', 'S3cr}}et'], keepAfter: '};Encrypt=yes;', kind: 'password' },
    { name: 'JDBC SQL Server braced password', text: 'jdbc:sqlserver://db:1433;user=sa;password={Jd;bc-Pw-77};encrypt=true', secret: ['Jd;bc-Pw-77'], keepAfter: '};encrypt=true', kind: 'password' },
    { name: 'JDBC Oracle thin user/password@host', text: 'jdbc:oracle:thin:scott/Tiger-Or4cle@//db.contoso.example:1521/ORCL failed', secret: ['Tiger-Or4cle'], keepAfter: '@//db.contoso.example:1521/ORCL failed', kind: 'password' },
    { name: 'sqlplus user/password@db', text: 'sqlplus -s system/Manag3r-77@orcl @health.sql', secret: ['Manag3r-77'], keepAfter: '@orcl @health.sql', kind: 'password' },
    { name: 'CSV rows under a header', text: `User name,Password,Access key ID,Secret access key\nmda-reader,Rd-8812-pass,${AWS_ID},${AWS_SECRET}\n\nnext line`, secret: ['Rd-8812-pass', AWS_SECRET, AWS_ID], keepAfter: '\n\nnext line', kind: 'password' },
    { name: 'CSV with ; under a header', text: 'id;secret;created\n7;Cs-Semi-77Qq;2026-11-30\n8;Cs-Semi-88Rr;2026-12-01', secret: ['Cs-Semi-77Qq', 'Cs-Semi-88Rr'], keepAfter: ';2026-12-01', kind: 'secret-pair' },
    { name: 'comment', text: '# token: cm-1122-Zq  (rotate monthly)', secret: ['cm-1122-Zq'], keepAfter: '  (rotate monthly)', kind: 'secret-pair' },
    { name: 'password in prose', text: 'the temporary password is Orbit3#Meadow149. please rotate', secret: ['Orbit3#Meadow149'], keepAfter: '. please rotate', kind: 'password' },
  ],
  '6. key names anywhere in the identifier': [
    { name: 'numbered', text: 'access_token2=at2-99aa-ZZ&next=1', secret: ['at2-99aa-ZZ'], keepAfter: '&next=1', kind: 'secret-pair' },
    { name: 'camelCase with a trailer', text: 'mySecretString = "ms-22QQ-ab"; other = 1', secret: ['ms-22QQ-ab'], keepAfter: '"; other = 1', kind: 'secret-pair' },
    { name: 'prefixed and numbered', text: 'some_api_token_123: sat-12Ab-99\nregion: eu', secret: ['sat-12Ab-99'], keepAfter: '\nregion: eu', kind: 'secret-pair' },
    { name: 'hyphenated', text: 'private-key=pk-Zz91-aa other=1', secret: ['pk-Zz91-aa'], keepAfter: ' other=1', kind: 'secret-pair' },
    { name: 'vendor name aws_secret_access_key', text: `aws_secret_access_key = ${AWS_SECRET}\nregion = eu-west-1`, secret: [AWS_SECRET], keepAfter: '\nregion = eu-west-1', kind: 'secret-pair' },
    { name: 'vendor name AWSAccessKeyId', text: 'AWSAccessKeyId=id-not-in-shape-01&Expires=1764585060', secret: ['id-not-in-shape-01'], keepAfter: '&Expires=1764585060', kind: 'secret-pair' },
    { name: 'secret word not last', text: 'SMTP_PASSWORD_PRIMARY=Kp9-rr22-Lm; EXPIRES=never', secret: ['Kp9-rr22-Lm'], keepAfter: '; EXPIRES=never', kind: 'password' },
    { name: 'secret word in the middle', text: 'github_token_readonly: ghro-Zz71-aa9Q\nowner: ops', secret: ['ghro-Zz71-aa9Q'], keepAfter: '\nowner: ops', kind: 'secret-pair' },
    { name: 'session cookie names', text: 'Cookie: JSESSIONID=9F3Ac7D21bE04a8C6f5B1d2E3c4A5b6C; lang=en', secret: ['9F3Ac7D21bE04a8C6f5B1d2E3c4A5b6C'], keepAfter: '; lang=en', kind: 'secret-pair' },
    { name: 'header-style key', text: 'Ocp-Apim-Subscription-Key: 0f3a9b7c2d1e4f5a6b7c8d9e0f1a2b3c\nHost: x', secret: ['0f3a9b7c2d1e4f5a6b7c8d9e0f1a2b3c'], keepAfter: '\nHost: x', kind: 'secret-pair' },
  ],
  '7. glued, unsigned and wrapped tokens': [
    { name: 'glued to /', text: `GET /repos/contoso/app/${GHP}/status 401`, secret: [GHP], keepAfter: '/status 401', kind: 'github-token' },
    { name: 'glued to %2F', text: `redirect=https%3A%2F%2Fapp%2F${GHP}%2Fcallback&x=1`, secret: [GHP], keepAfter: '%2Fcallback&x=1', kind: 'github-token' },
    { name: 'unsigned JWT (alg none, trailing dot)', text: 'id_token eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJvd25lciJ9. was accepted', secret: ['eyJzdWIiOiJhZG1pbiIsInJvbGUiOiJvd25lciJ9'], keepAfter: ' was accepted', kind: 'jwt' },
    { name: 'base64-wrapped JWT', text: 'blob ZXlKaGJHY2lPaUpTVXpJMU5pSXNJblI1Y0NJNklrcFhWQ0lzSW10cFpDSTZJbXN4SW4wLmV5SnpkV0lpT2lKemRtTXRiV1JoSWl3aVlYVmtJam9pWVhCcE9pOHZZMjl1Ym1WamRHOXlJaXdpWlhod0lqb3hOelkwTlRnMU1EWXdmUS5pQ0RPaDM3N1V6YmoyTkp4TXZOcFYzTFNMNUM2U195OTdyMEV0bGp3aTlN end', secret: ['ZXlKaGJHY2lPaUpTVXpJMU5p'], keepAfter: ' end', kind: 'jwt' },
  ],
  '8. Authorization values end where the credential ends': [
    { name: 'curl header in double quotes, URL after', text: `curl -H "Authorization: Bearer ${JWT}" -H "Accept: application/json" https://graph.microsoft.com/v1.0/me`, secret: [JWT_PAYLOAD], keepAfter: '" -H "Accept: application/json" https://graph.microsoft.com/v1.0/me', kind: 'authorization-header' },
    { name: 'curl header in single quotes', text: `curl --header 'Authorization: SSWS ${OKTA}' https://contoso.okta.com/api/v1/users`, secret: [OKTA], keepAfter: "' https://contoso.okta.com/api/v1/users", kind: 'authorization-header' },
    { name: 'raw header line, words after the token', text: `DEBUG Authorization: Bearer ${JWT} for request 42`, secret: [JWT_PAYLOAD], keepAfter: ' for request 42', kind: 'authorization-header' },
    { name: 'JSON header', text: `{"Authorization":"Basic c3ZjOmh1bnRlcjI=","Accept":"*/*"}`, secret: ['c3ZjOmh1bnRlcjI='], keepAfter: '","Accept":"*/*"}', kind: 'authorization-header' },
    // Auth-params: each value on its own; the credential scope and the signed header names are no secret.
    { name: 'AWS signature V4 parameters', text: `Authorization: AWS4-HMAC-SHA256 Credential=${AWS_ID}/20261130/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024\nHost: s3.amazonaws.com`, secret: [AWS_ID, 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024'], keepAfter: '\nHost: s3.amazonaws.com', kind: 'aws-access-key' },
    { name: 'AWS signature V4: the scope stays', text: `Credential=${AWS_ID}/20261201/eu-west-1/sts/aws4_request, SignedHeaders=host`, secret: [AWS_ID], keepAfter: '/20261201/eu-west-1/sts/aws4_request, SignedHeaders=host', kind: 'aws-access-key' },
    { name: 'presigned URL: the escaped scope stays', text: `?X-Amz-Credential=${AWS_ID}%2F20261201%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Expires=900`, secret: [AWS_ID], keepAfter: '%2F20261201%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Expires=900', kind: 'aws-access-key' },
    { name: 'a cookie keeps its attributes', text: `Set-Cookie: session_token=${JWT}; Path=/; HttpOnly`, secret: [JWT_PAYLOAD], keepAfter: '; Path=/; HttpOnly', kind: 'jwt' },
    { name: 'a value not opening with a quote keeps the quote closing it, curl flags and the URL', text: `Authorization: Bearer ${OKTA}" -H "Accept: application/json" https://contoso.okta.com/api/v1/users`, secret: [OKTA], keepAfter: '" -H "Accept: application/json" https://contoso.okta.com/api/v1/users', kind: 'authorization-header' },
    { name: 'a cookie-style header keeps its attributes', text: `Authorization=Bearer ${OKTA}; Path=/; Secure`, secret: [OKTA], keepAfter: '; Path=/; Secure', kind: 'authorization-header' },
    { name: 'a shell-escaped space after the scheme', text: `curl -H Authorization:Bearer\\ qZ81-mXv0_LpT4rS9 https://contoso.okta.com/api/v1/users`, secret: ['qZ81-mXv0_LpT4rS9'], keepAfter: ' https://contoso.okta.com/api/v1/users', kind: 'authorization-header' },
    { name: 'a sentence keeps its full stop', text: `Access key: ${AWS_ID}. Verify the key in the portal.`, secret: [AWS_ID], keepAfter: '. Verify the key in the portal.', kind: 'aws-access-key' },
  ],
};

describe('every class of secret is removed, and nothing after it', () => {
  for (const [cls, list] of Object.entries(samples)) {
    describe(cls, () => {
      for (const s of list) {
        it(s.name, () => {
          const r = redact(s.text);
          for (const piece of s.secret) expect(r.text).not.toContain(piece);
          expect(r.text).toContain(REDACTED);
          if (s.keepAfter !== undefined) expect(r.text).toContain(`${REDACTED}${s.keepAfter}`);
          expect(r.kinds).toContain(s.kind);
          // Idempotent: a second pass finds nothing more.
          expect(redact(r.text)).toEqual({ text: r.text, count: 0, kinds: [] });
        });
      }
    });
  }
});

describe('placeholders and names that hold no secret are left alone', () => {
  it.each([
    ['aws_access_key: AKIAIOSFODNN7EXAMPLE'],
    ['github_pat_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    [`publicToken = "${ZENDESK}"`],
    ['token_expires_at: 1764585060'],
    ['passwordPolicy: strict'],
    ["credentialsId: '29f63271-dc2f-4734-8221-5b31b5169bac'"],
    ['TokenResponseException: 400 Bad Request'],
    ['Idempotency-Key: 3f0c2b8e-5d1a-4e8b-9a57-0c1d2e3f4a5b.e1.webhook'],
    ['const secret = process.env.SUPPORT_WEBHOOK_SECRET;'],
    ['Box rejected the stored refresh\n      token: it expired after a long pause, was already used'],
    ['`Authorization: Bearer <token>` where the token is a Bot Framework channel token'],
    ['| corpus | after `token=` | neutral JSON key |'],
    ['`MicrosoftAppPassword`, `MicrosoftAppType` (`MultiTenant`, `SingleTenant`)'],
    ['"token_type":"Bearer","expires_in":3599'],
    ['Authorization: Bearer $API_KEY'],
    ['curl -H "Authorization: Bearer XXXXXXXXXXXX" https://example.com'],
    ['Authorization: Bearer <token>'],
    ['token=${SLACK_BOT_TOKEN}'],
    ['password: {{ vault_password }}'],
    ['api_key = "YOUR_API_KEY"'],
    ['key = AKIAXXXXXXXXXXXXXXXX'],
    ['ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    ['curl -u <user:password> https://test.example/endpoint'],
    ['"private_key": "-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n"'],
    ['password: ********'],
    // Typed declarations without a value: the type is no secret.
    ['password: str'],
    ['apiKey: string;'],
    ['token: string | undefined;'],
    ['client_secret: Optional[str] = None'],
    ['export interface Creds { password: string; apiToken?: string }'],
    ['def connect(password: str, token: Option<String>) -> None:'],
    // A path after a driver-like word, with no `@host`: no logon.
    ['see docs/readme and thin:client/path'],
  ])('%s', (text) => {
    expect(redact(text)).toEqual({ text, count: 0, kinds: [] });
  });
});

describe('prototype-ish keys in JSON pastes do not break redaction', () => {
  it.each([
    ['{"__proto__":{"password":"Pr0to-Pw-881"},"constructor":{"prototype":{"token":"Pr0to-Tk-992"}}}', ['Pr0to-Pw-881', 'Pr0to-Tk-992']],
    ['{"constructor": "x", "hasOwnProperty": 1, "toString": "y", "client_secret": "Pr0to-Cs-113"}', ['Pr0to-Cs-113']],
    ['[{"name":"__proto__","value":"x"},{"name":"api_token","value":"Pr0to-Nv-224"}]', ['Pr0to-Nv-224']],
    ['__proto__: x\nconstructor: y\npassword: Pr0to-Ym-335', ['Pr0to-Ym-335']],
  ])('%s', (text, secrets) => {
    const r = redact(text);
    for (const piece of secrets) expect(r.text).not.toContain(piece);
    expect(r.count).toBe(secrets.length);
    // The keys themselves stay.
    for (const name of ['__proto__', 'constructor']) if (text.includes(name)) expect(r.text).toContain(name);
  });
});

// What a redaction must not take: the error a paste is about. Error and exception names are
// CamelCase words of letters only, and a secret word speaks for its own sentence and its own value.
describe('the error after a secret word, a filler or a placeholder survives', () => {
  it.each([
    ['Okta: API token expired. HttpRequestFailure: Server returned: 401 Unauthorized'],
    ['the secret HttpRequestFailure: Server returned: 401 Unauthorized'],
    ['token SMTPAuthenticationError: 535 5.7.3 Authentication unsuccessful'],
    ['api key XMLHttpRequestError while calling getPagesInConfluenceSpace'],
    ['refresh token AuthFatalFailureException: invalid_grant'],
  ])('an error name is no secret: %s', (text) => {
    expect(redact(text)).toEqual({ text, count: 0, kinds: [] });
  });

  it('a secret word does not reach past the end of its sentence', () => {
    const random = 'a1B2c3D4e5F6g7H8i9';
    expect(redact(`the API token ${random} failed`).text).toBe(`the API token ${REDACTED} failed`);
    const text = `the API token expired. Request ${random} failed`;
    expect(redact(text)).toEqual({ text, count: 0, kinds: [] });
  });
  it.each([
    ['token: null HttpRequestFailure: Server returned: 401 Unauthorized'],
    ['apiKey: undefined, error: HttpRequestFailure: Server returned: 401 Unauthorized'],
    ['token: null, password: (empty), apiKey: undefined'],
    ['secret: "" HttpRequestFailure: Server returned: 403 Forbidden'],
  ])('a key with a filler value keeps the rest of its line: %s', (text) => {
    expect(redact(text)).toEqual({ text, count: 0, kinds: [] });
  });

  it('a YAML-style value of its own (digits, symbols) ends at its first space; plain words read as a passphrase', () => {
    expect(redact('Password: hunter2 (copied from vault) then Box said AuthFatalFailureException: invalid_grant').text).toBe(
      `Password: ${REDACTED} (copied from vault) then Box said AuthFatalFailureException: invalid_grant`,
    );
    expect(redact('Password: lpvwjbulWrUXXkYiPpj5MA, then HttpRequestFailure').text).toBe(`Password: ${REDACTED}, then HttpRequestFailure`);
    expect(redact('password: correct horse battery staple').text).toBe(`password: ${REDACTED}`);
  });
  it('a query string under a secret key keeps its parameters; only the secret ones go', () => {
    const sig = 't58Kfu%2F%2FVVqt7iXfUKVj9UR3s36jHZuvEgDV9yjbq4s%3D';
    expect(redact(`SAS: ?sp=r&st=2026-12-01&se=2026-12-31&spr=https&sv=2022-11-02&sr=c&sig=${sig} then HttpRequestFailure: Server returned: 403 Forbidden`).text).toBe(
      `SAS: ?sp=r&st=2026-12-01&se=2026-12-31&spr=https&sv=2022-11-02&sr=c&sig=${REDACTED} then HttpRequestFailure: Server returned: 403 Forbidden`,
    );
    expect(redact(`AZURE_SAS_TOKEN=sv=2022-11-02&sp=rl&sig=${sig}&spr=https ok`).text).toBe(`AZURE_SAS_TOKEN=sv=2022-11-02&sp=rl&sig=${REDACTED}&spr=https ok`);
    // A padded base64 value is no query.
    expect(redact('token=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5==&next=1').text).toBe(`token=${REDACTED}&next=1`);
  });
  it.each([
    ['api_key=<your-api-key> a1B2c3D4e5F6g7H8i9 failed'],
    ['token: ${{ secrets.GITHUB_TOKEN }} a1B2c3D4e5F6g7H8i9 failed'],
    ['api_key=<your-api-key> HttpRequestFailure: Server returned: 401 Unauthorized'],
    ['doc example key AKIAIOSFODNN7EXAMPLE HttpRequestFailure: Server returned: 403 Forbidden'],
  ])('a kept placeholder is the key\'s value: the word after it survives: %s', (text) => {
    expect(redact(text)).toEqual({ text, count: 0, kinds: [] });
  });
});
