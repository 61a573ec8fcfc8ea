import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  asciiIfReadable,
  cleanLine,
  discordText,
  emailSubject,
  normaliseUrl,
  plainSnippet,
  plainText,
  slackMrkdwn,
  slackSnippet,
  snsAlertSubject,
  teamsMarkdown,
} from '../../../functions/core/alerts/channel-text.ts';
import { cutGraphemes, graphemesOf, isGraphemeBoundary } from '../../../functions/core/graphemes.ts';

const ajv = new Ajv2020({ strict: true });
addFormats.default(ajv);
const isUri = ajv.compile({ type: 'string', format: 'uri' });

const FAMILY = '👨‍👩‍👧‍👦';
const wellFormed = (s: string) => s.isWellFormed() && !/\p{Cs}/u.test(s);

describe('Function: cutGraphemes', () => {
  it.each([
    ['10 000 emoji', '😀'.repeat(10_000)],
    ['ZWJ families', FAMILY.repeat(500)],
    ['combining marks', 'e\u0301\u0323'.repeat(2_000)],
    ['flags', '🇦🇿🇰🇷'.repeat(800)],
  ])('should cut %s between graphemes, never leaving half a character', (_what, text) => {
    // Act
    const outs = [1, 2, 3, 10, 255, 256, 299, 2000].map((max) => ({ max, out: cutGraphemes(text, max) }));

    // Assess
    for (const { max, out } of outs) {
      expect(out.length).toBeLessThanOrEqual(max);
      expect(wellFormed(out)).toBe(true);
      const kept = graphemesOf(out.replace(/…$/, ''));
      // Every kept cluster is a whole cluster of the input.
      expect(kept.every((g) => g === graphemesOf(text.slice(0, 64))[0] || text.includes(g))).toBe(true);
      expect(text.startsWith(out.replace(/…$/, ''))).toBe(true);
    }
    expect(outs.find((o) => o.max === 256)?.out.endsWith('…')).toBe(true);
  });

  it('should keep a ZWJ family whole or not at all', () => {
    // Act
    const out = cutGraphemes(`ab${FAMILY}${FAMILY}`, 2 + FAMILY.length + 3);

    // Assess
    expect(out).toBe(`ab${FAMILY}…`);
  });
});

describe('Function: isGraphemeBoundary', () => {
  /** Offsets inside `text` at which the segmenter starts a grapheme. */
  const segmenterBoundaries = (text: string) =>
    new Set(graphemesOf(text).map((_, i, all) => all.slice(0, i).join('').length));

  it('should agree with the segmenter between any two ASCII characters', () => {
    // Prepare
    const ascii = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
    const pairs = ascii.flatMap((a) => ascii.map((b) => `${a}${b}`));

    // Act
    const disagreements = pairs.filter((p) => isGraphemeBoundary(p, 1) !== segmenterBoundaries(p).has(1));

    // Assess
    expect(disagreements).toEqual([]);
    expect(isGraphemeBoundary('\r\n', 1)).toBe(false);
  });

  it('should find no boundary inside CR LF, nor before a combining mark, a ZWJ or a variation selector', () => {
    // Prepare
    const texts = ['e\u0301x', 'a\u200dx', '#\ufe0f\u20e3', 'x\r\ny'];

    // Act
    const cuts = texts.map((t) => Array.from({ length: t.length + 1 }, (_, i) => isGraphemeBoundary(t, i)));

    // Assess
    texts.forEach((t, k) => {
      const expected = segmenterBoundaries(t);
      expect(cuts[k]).toEqual(
        Array.from({ length: t.length + 1 }, (_, i) => i === t.length || expected.has(i)),
      );
    });
  });
});

describe('Function: cleanLine', () => {
  it.each([
    ['an RTL override', 'report\u202Eexe.pdf', 'reportexe.pdf'],
    ['zero-width spaces and a BOM', 'W\u200bH\u200bO\ufeff', 'WHO'],
    ['NUL and other controls', 'a\u0000b\u0007c\u009bd', 'abcd'],
    ['line breaks and tabs', ' one\r\ntwo\tthree\u2028four ', 'one two three four'],
    ['a lone surrogate', 'x\ud83dy', 'xy'],
    ['bidi isolates', '\u2067abc\u2069', 'abc'],
  ])('should remove %s', (_what, text, clean) => {
    // Act & Assess
    expect(cleanLine(text)).toBe(clean);
  });

  it('should keep emoji sequences, ZWNJ and accents written in any form', () => {
    // Act & Assess
    expect(cleanLine(`${FAMILY} می\u200cخواهم e\u0301`)).toBe(`${FAMILY} می\u200cخواهم é`);
  });

  it('should cut a stack of thousands of combining marks to its base and a few marks', () => {
    // Act
    const out = cleanLine(`Zalgo a${'\u0301'.repeat(5_000)} end`);

    // Assess
    expect(out.length).toBeLessThan(30);
    // NFC writes a + U+0301 as á.
    expect(out.startsWith('Zalgo á\u0301')).toBe(true);
    expect(out.endsWith(' end')).toBe(true);
  });
});

describe('Function: plainText', () => {
  it('should cap a 60 000-character field without reading all of it', () => {
    // Act
    const out = plainText('x'.repeat(60_000), 200);

    // Assess
    expect(out).toBe(`${'x'.repeat(199)}…`);
  });

  it('should show a field was cut even when the cut part was invisible characters', () => {
    // Act
    const out = plainText(`abc${'\u200b'.repeat(10_000)}def`, 20);

    // Assess
    expect(out).toBe('abc…');
  });
});

describe('Function: normaliseUrl', () => {
  it.each([
    ['https://example.com/a b/c', 'https://example.com/a%20b/c'],
    ['https://例え.jp/パス?q=ü', 'https://xn--r8jz45g.jp/%E3%83%91%E3%82%B9?q=%C3%BC'],
    ['https://x.example/<>|\\^`{}"', 'https://x.example/%3C%3E%7C/%5E%60%7B%7D%22'],
    ['https://x.example/a?q=a|b^c{d}#f#g', 'https://x.example/a?q=a%7Cb%5Ec%7Bd%7D#f%23g'],
    ['https://x.example/%zz%41', 'https://x.example/%25zz%41'],
    ['HTTP://EXAMPLE.com:80/./a/../b', 'http://example.com/b'],
    [' https://x.example/\u202Efdp.exe ', 'https://x.example/fdp.exe'],
  ])('should make %j a valid RFC 3986 URI', (raw, url) => {
    // Act
    const out = normaliseUrl(raw);

    // Assess
    expect(out).toEqual({ ok: true, url });
    expect(isUri(url)).toBe(true);
  });

  it.each([
    ['a javascript: link', 'javascript:alert(1)', 'javascript links are not sent'],
    ['a data: link', 'data:text/html,<b>x</b>', 'data links are not sent'],
    ['a link with a user name', 'https://who.int@evil.example/', 'user name or password'],
    ['text that is no link', 'not a url', 'not a URL'],
    ['a link of 3000 characters', `https://x.example/${'a'.repeat(3000)}`, 'longer than 2048'],
  ])('should drop %s and say why', (_what, raw, reason) => {
    // Act
    const out = normaliseUrl(raw);

    // Assess
    expect(out.ok).toBe(false);
    expect(out.ok ? '' : out.reason).toContain(reason);
  });
});

describe('Function: slackMrkdwn', () => {
  it('should escape &, < and > so that no mention, channel ping or link can form', () => {
    // Act
    const out = slackMrkdwn(
      '<!channel> <!here> <@U123> <#C42> <https://phish.example|Official WHO notice> & co',
      500,
    );

    // Assess
    expect(out).toBe(
      '&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt; &lt;#C42&gt; &lt;https://phish.example|Official WHO notice&gt; &amp; co',
    );
    expect(out).not.toMatch(/<[!@#]|<https?:/);
  });

  it('should neutralise formatting characters where they could format, and leave them inside words', () => {
    // Act
    const out = slackMrkdwn('*bold* _it_ ~gone~ `code` snake_case 5*3', 500);

    // Assess
    expect(out).toBe('∗bold∗ ˍitˍ ∼gone∼ ˋcodeˋ snake_case 5*3');
  });

  it('should keep "@channel" written out from being read as a mention', () => {
    // Act & Assess
    expect(slackMrkdwn('hi @channel and @here', 100)).toBe('hi @\u200bchannel and @\u200bhere');
  });

  it('should count escapes in the limit and never split one', () => {
    // Act
    const out = slackMrkdwn('&'.repeat(100), 23);

    // Assess
    expect(out).toBe(`${'&amp;'.repeat(4)}…`);
    expect(out.length).toBeLessThanOrEqual(23);
  });
});

describe('Function: slackSnippet and plainSnippet', () => {
  it('should mark matches for each channel and keep markers whole when cutting', () => {
    // Prepare
    const snippet = '…medical **masks** arrived <here> from **Seoul**…';

    // Act
    const slack = slackSnippet(snippet, 500);
    const email = plainSnippet(snippet, 500);
    const short = slackSnippet(snippet, 20);

    // Assess
    expect(slack).toBe('…medical *masks* arrived &lt;here&gt; from *Seoul*…');
    expect(email).toBe('…medical *masks* arrived <here> from *Seoul*…');
    expect(short).toBe('…medical *masks* ar…');
    expect(short.length).toBeLessThanOrEqual(20);
  });
});

describe('Function: discordText', () => {
  it('should escape markdown, masked links and mentions', () => {
    // Act
    const out = discordText(
      '@everyone <@&123> [Official WHO notice](https://phish.example) **x** ||s|| # h',
      500,
    );

    // Assess
    expect(out).toBe(
      '@\u200beveryone \\<@&123\\> \\[Official WHO notice\\]\\(https\\://phish.example\\) \\*\\*x\\*\\* \\|\\|s\\|\\| # h',
    );
    expect(out).not.toMatch(/(?<!\\)\[[^\]]*(?<!\\)\]\(/);
  });

  it('should escape a heading or list marker at the start', () => {
    // Act & Assess
    expect(discordText('# Breaking', 100)).toBe('\\# Breaking');
    expect(discordText('- item', 100)).toBe('\\- item');
  });
});

describe('Function: teamsMarkdown', () => {
  it('should escape what TextBlock markdown reads as a link, emphasis or list', () => {
    // Act
    const out = teamsMarkdown('[Official WHO notice](https://phish.example) **x** _y_', 500);

    // Assess
    expect(out).toBe('\\[Official WHO notice\\]\\(https\\://phish.example\\) \\*\\*x\\*\\* \\_y\\_');
    expect(teamsMarkdown('1. first', 100)).toBe('1\\. first');
    expect(teamsMarkdown('- first', 100)).toBe('\\- first');
  });
});

describe('Function: emailSubject and snsAlertSubject', () => {
  it('should keep a CJK title in the UTF-8 subject', () => {
    // Act
    const subject = emailSubject('[newswatch] International health aid: 韩国向阿塞拜疆运送口罩');

    // Assess
    expect(subject).toBe('[newswatch] International health aid: 韩国向阿塞拜疆运送口罩');
  });

  it('should give SNS an ASCII subject that says the title is in the message instead of dropping it', () => {
    // Act
    const subject = snsAlertSubject(
      '[newswatch]',
      { id: 'aid', name: 'International health aid' },
      '韩国向阿塞拜疆运送口罩',
    );

    // Assess
    expect(subject).toBe('[newswatch] International health aid: (title in message)');
    expect(subject).toMatch(/^[\x20-\x7e]{1,99}$/);
  });

  it('should name a topic whose name is not ASCII by its id, and transliterate Latin text', () => {
    // Act
    const subject = snsAlertSubject(
      '[newswatch]',
      { id: 'gesundheit', name: '国际卫生' },
      'Über Łódź – “Hilfe”',
    );

    // Assess
    expect(subject).toBe('[newswatch] gesundheit: Uber Lodz - "Hilfe"');
  });

  it('should not pass a mixed title off as its ASCII part', () => {
    // Act & Assess
    expect(asciiIfReadable('新聞 Seoul')).toBeUndefined();
    expect(asciiIfReadable('Crème brûlée 😀')).toBe('Creme brulee');
  });

  it('should never put a line break or control character in a subject', () => {
    // Act
    const subject = emailSubject('a\r\nBcc: x@evil.example\u0000');

    // Assess
    expect(subject).toBe('a Bcc: x@evil.example');
  });
});
