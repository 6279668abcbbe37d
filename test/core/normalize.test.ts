// What Teams and other paste sources turn into before matching.
import { describe, expect, it } from 'vitest';
import { decodeEntities, normalize } from '../../src/core/normalize.js';

describe('normalize', () => {
  it('turns Teams paragraphs and line breaks into lines and drops the bot mention', () => {
    const html = '<p><at id="0">Connector Doctor</at>&nbsp;help?</p><p>BoxRestException: Failed to parse response.<br/>second line</p>';
    expect(normalize(html)).toBe('help?\nBoxRestException: Failed to parse response.\nsecond line');
  });

  it('decodes named, decimal and hex entities once', () => {
    expect(decodeEntities('{&quot;error&quot;:&quot;invalid_grant&quot;} &amp; &#123;&#x7D; &amp;quot;')).toBe('{"error":"invalid_grant"} & {} &quot;');
  });

  it('keeps code blocks line by line', () => {
    const html = '<pre><code>line one\nline two</code></pre>';
    expect(normalize(html)).toBe('line one\nline two');
  });

  it('reads Teams code blocks line by line, keeping indentation', () => {
    const html = '<codeblock class=""><code>java.lang.NullPointerException<br>&nbsp;&nbsp;&nbsp; at com.x.Y.z(Y.java:1)</code></codeblock>';
    expect(normalize(html)).toBe('java.lang.NullPointerException\n    at com.x.Y.z(Y.java:1)');
  });

  it('leaves angle brackets that are not HTML tags', () => {
    expect(normalize('<p>List&lt;String&gt; failed</p>')).toBe('List<String> failed');
    expect(normalize('Map<String, Object> x')).toBe('Map<String, Object> x');
  });

  it('folds smart quotes, odd spaces, zero-width characters and Windows line endings', () => {
    expect(normalize('“invalid_grant”\u00a0‘x’\u200b\r\nnext\r\n\r\n\r\nlast')).toBe('"invalid_grant" \'x\'\nnext\n\nlast');
  });

  it('is safe on empty and unterminated markup', () => {
    expect(normalize('')).toBe('');
    expect(normalize('<p>unterminated <div class="x')).toBe('unterminated <div class="x');
    expect(normalize('&#xFFFFFFFF; &#55296; &bogus;')).toBe('&#xFFFFFFFF; &#55296; &bogus;');
  });

  it('does not take the names of JavaScript object properties for entities', () => {
    expect(normalize('<p>a &constructor; b &__proto__; c &tostring;</p>')).toBe('a &constructor; b &__proto__; c &tostring;');
  });
});
