import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ArticleErrorKind } from '../../../functions/core/articles/article.ts';
import { htmlDepth, MAX_HTML_DEPTH } from '../../../functions/core/articles/formats/html-text.ts';
import {
  decodeXmlReferences,
  MAX_XML_DEPTH,
  NEWSML_NAMESPACE,
  xmlRefusal,
  xmlRoot,
} from '../../../functions/core/articles/formats/xml.ts';
import { type FileReading, readArticleFile } from '../../../functions/core/articles/read-file.ts';

const receivedAt = '2026-12-01T08:00:00Z';
const enc = (s: string) => new TextEncoder().encode(s);
const read = (key: string, text: string): Promise<FileReading> =>
  readArticleFile({ key, bytes: enc(text), receivedAt });

/** Reads a file and says how long it took. */
const timed = async (key: string, text: string) => {
  const started = performance.now();
  const reading = await read(key, text);
  return { reading, ms: performance.now() - started };
};

/** A well-formed document of each kind read, its root holding `inner`, after a `prolog`. */
const ROOTS: Record<string, (inner: string, prolog?: string) => string> = {
  rss: (inner, prolog = '') =>
    `<?xml version="1.0"?>${prolog}<rss version="2.0"><channel><title>t</title><item><description>${inner}</description></item></channel></rss>`,
  atom: (inner, prolog = '') =>
    `<?xml version="1.0"?>${prolog}<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><summary>${inner}</summary></entry></feed>`,
  newsml: (inner, prolog = '') =>
    `<?xml version="1.0"?>${prolog}<newsItem xmlns="${NEWSML_NAMESPACE}" guid="g"><contentSet><inlineXML><p>${inner}</p></inlineXML></contentSet></newsItem>`,
  nitf: (inner, prolog = '') =>
    `<?xml version="1.0"?>${prolog}<nitf><body><body.content><p>${inner}</p></body.content></body></nitf>`,
  unknown: (inner, prolog = '') => `<?xml version="1.0"?>${prolog}<catalog><book>${inner}</book></catalog>`,
};

const BILLION_LAUGHS_DTD = (root: string) =>
  `<!DOCTYPE ${root} [\n <!ENTITY lol "lol">\n${Array.from(
    { length: 9 },
    (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
  ).join('\n')}\n]>`;
const EXTERNAL_DTD = (root: string) => `<!DOCTYPE ${root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>`;
const rootName = { rss: 'rss', atom: 'feed', newsml: 'newsItem', nitf: 'nitf', unknown: 'catalog' } as const;

const errorOf = (reading: FileReading): { kind: ArticleErrorKind; message: string } | undefined =>
  reading.kind === 'error' ? reading.error : undefined;

describe('Safe XML: entities', () => {
  for (const [kind, doc] of Object.entries(ROOTS)) {
    const root = rootName[kind as keyof typeof rootName];

    it(`should refuse a billion-laughs ${kind} file quickly, expanding nothing`, async () => {
      // Prepare
      const file = doc('&lol9;', BILLION_LAUGHS_DTD(root));

      // Act
      const { reading, ms } = await timed(`incoming/lol-${kind}.xml`, file);

      // Assess
      expect(errorOf(reading)).toMatchObject({
        kind: 'UnsupportedFormat',
        message: expect.stringMatching(/declares entities \(<!ENTITY at line 2, column 2\)/),
      });
      expect(ms).toBeLessThan(250);
    });

    it(`should refuse a ${kind} file declaring an external entity, fetching nothing`, async () => {
      // Prepare
      const file = doc('&x;', EXTERNAL_DTD(root));

      // Act
      const reading = await read(`incoming/xxe-${kind}.xml`, file);

      // Assess
      expect(errorOf(reading)).toMatchObject({
        kind: 'UnsupportedFormat',
        message: expect.stringContaining('entities'),
      });
      expect(JSON.stringify(reading)).not.toContain('root:');
    });

    it(`should refuse a ${kind} file nested 10,000 levels deep quickly, with the place`, async () => {
      // Prepare
      const file = doc(`${'<a>'.repeat(10_000)}x${'</a>'.repeat(10_000)}`);

      // Act
      const { reading, ms } = await timed(`incoming/deep-${kind}.xml`, file);

      // Assess
      expect(reading).toMatchObject({
        kind: 'error',
        error: {
          kind: 'InvalidArticle',
          message: expect.stringContaining(`more than ${MAX_XML_DEPTH} levels deep at line 1`),
          at: { line: 1 },
        },
      });
      expect(ms).toBeLessThan(250);
    });
  }

  it('should refuse parameter entities and lowercase declarations, and find declarations anywhere', () => {
    // Act
    const refusals = [
      '<!DOCTYPE x [<!ENTITY % p "<!ENTITY y \'z\'>"> %p;]><x/>',
      '<!DOCTYPE x [<!entity y "z">]><x>&y;</x>',
      '<x/><!ENTITY y "z">',
    ].map((t) => xmlRefusal(t)?.kind);

    // Assess
    expect(refusals).toEqual(['UnsupportedFormat', 'UnsupportedFormat', 'UnsupportedFormat']);
  });

  it('should not take "<!ENTITY" in CDATA or a comment for a declaration, and allow a DOCTYPE without entities', async () => {
    // Prepare
    const file = ROOTS.rss?.(
      '<![CDATA[<p>The attack declares <!ENTITY lol "lol"> ten times.</p>]]>',
      '<!DOCTYPE rss SYSTEM "rss.dtd"><!-- no <!ENTITY here -->',
    ) as string;

    // Act
    const reading = await read('incoming/about-xml.rss', file);

    // Assess
    expect(reading.kind === 'container' && reading.items[0]?.result).toMatchObject({
      ok: true,
      value: { paragraphs: ['The attack declares ten times.'] },
    });
  });

  it('should decode the predefined entities and numeric references only', () => {
    // Act
    const decoded = decodeXmlReferences(
      '&amp;&lt;&gt;&quot;&apos; &#233;&#xE9;&#X1F600; &nbsp; &AMP; &#0; &#xD800; &lol;',
    );

    // Assess
    expect(decoded).toBe('&<>"\' éé😀 &nbsp; &AMP; \ufffd \ufffd &lol;');
  });

  it('should not let element or attribute names reach object prototypes', async () => {
    // Prepare
    const file = `<newsItem xmlns="${NEWSML_NAMESPACE}" guid="g" __proto__="x" constructor="y"><__proto__><polluted>yes</polluted></__proto__><contentSet><inlineData>Safe text.</inlineData></contentSet></newsItem>`;

    // Act
    const reading = await read('incoming/proto.xml', file);

    // Assess
    expect(reading).toMatchObject({ kind: 'article', article: { paragraphs: ['Safe text.'] } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('Safe XML: nesting and structure', () => {
  it('should count depth past quoted ">" and "/>" in attribute values and self-closing tags', () => {
    // Act
    const hidden = xmlRefusal(`<r>${'<a x="/>">'.repeat(100)}</r>`);
    const flat = xmlRefusal(`<r>${'<a x="1"/>'.repeat(10_000)}${'<b>x</b>'.repeat(10_000)}</r>`);
    const atLimit = xmlRefusal(`${'<a>'.repeat(MAX_XML_DEPTH)}${'</a>'.repeat(MAX_XML_DEPTH)}`);

    // Assess
    expect(hidden?.kind).toBe('InvalidArticle');
    expect(flat).toBeUndefined();
    expect(atLimit).toBeUndefined();
  });

  it('should find the root element past the declaration, instructions, comments and a DOCTYPE', () => {
    // Act
    const roots = [
      '<?xml version="1.0"?>\n<?xml-stylesheet href="a.xsl"?>\n<!-- c -->\n<rss version="2.0">',
      '<!DOCTYPE nitf PUBLIC "-//IPTC//DTD NITF 3.6//EN" "nitf.dtd"><nitf>',
      '<!DOCTYPE rss [\n<!ENTITY a "b">\n', // cut inside the subset: the DOCTYPE names the root
      '<nar:newsItem xmlns:nar="x">',
      'plain text',
      '<!-- unterminated',
    ].map((t) => xmlRoot(t));

    // Assess
    expect(roots).toEqual([
      { name: 'rss', local: 'rss', tag: '<rss version="2.0">' },
      { name: 'nitf', local: 'nitf', tag: '<nitf>' },
      { name: 'rss', local: 'rss', tag: '' },
      { name: 'nar:newsItem', local: 'newsItem', tag: '<nar:newsItem xmlns:nar="x">' },
      undefined,
      undefined,
    ]);
  });

  it('should still refuse plain XML of an unknown kind as UnsupportedFormat, naming its root', async () => {
    // Act
    const reading = await read(
      'incoming/catalog.xml',
      '<?xml version="1.0"?><catalog><book>x</book></catalog>',
    );

    // Assess
    expect(reading).toMatchObject({
      kind: 'error',
      error: { kind: 'UnsupportedFormat', message: expect.stringContaining('root element <catalog>') },
    });
  });
});

interface DomNode {
  nodeType: number;
  firstChild: DomNode | null;
  nextSibling: DomNode | null;
}
const { parseHTML } = await import('linkedom');
const { document } = parseHTML('<!doctype html><html><body></body></html>') as unknown as {
  document: { createElement(t: string): DomNode & { innerHTML: string } };
};

describe('Safe XML: HTML inside items', () => {
  /** The depth of the tree the HTML parser builds for a fragment. */
  const parsedDepth = (html: string): number => {
    const div = document.createElement('div');
    div.innerHTML = html;
    const walk = (n: DomNode, depth: number): number => {
      let max = depth;
      for (let c = n.firstChild; c; c = c.nextSibling)
        if (c.nodeType === 1) max = Math.max(max, walk(c, depth + 1));
      return max;
    };
    return walk(div, 0);
  };
  const TOKENS = [
    '<div>',
    '</div>',
    '<p>',
    '</p>',
    '<p/>',
    '<li>',
    '<ul>',
    '</li>',
    '<b>',
    '</b>',
    '<i>',
    '</ i>',
    '</i >',
    '<DIV>',
    '</DIV>',
    '<td>',
    '<tr>',
    '<tbody>',
    '<table>',
    '<dd>',
    '<dl>',
    '<h1>',
    '<select>',
    '<option>',
    '<input>',
    '<br>',
    '</br>',
    '<img src="a"/>',
    '<svg>',
    '<math>',
    '<desc>',
    '<title>',
    '</title>',
    '<script>',
    '</script>',
    '<script/>',
    '</scriptx>',
    '</script\n>',
    '<style>',
    '</style>',
    '<xmp>',
    '</xmp >',
    '<textarea x=y/>',
    '</textarea>',
    '<!--',
    '-->',
    '<!-->',
    '--!>',
    '<![CDATA[',
    ']]>',
    '<![CDATA',
    '<!->',
    '<!>',
    '<?',
    '<a href="',
    '"',
    "'",
    "<a x='>'>",
    '/>',
    '>',
    '<',
    '</',
    '=',
    '<div"x>',
    '<span ',
    'a=b',
    'x',
    ' ',
    '\n',
    '&amp;',
  ];

  it('should never count the HTML parser’s tree shallower than it is (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }), (parts) => {
        const html = parts.join('');
        expect(htmlDepth(html, 10_000)).toBeGreaterThanOrEqual(parsedDepth(html));
      }),
      { numRuns: 3000 },
    );
  });

  it('should count the depth of ordinary article markup exactly', () => {
    // Prepare
    const html =
      '<div><p>One <b>two</b><p>Three<ul><li>a<li>b</ul><table><tr><td>x<td>y<tr><td>z</table><br><img src="i.jpg"></div>';

    // Act
    const depth = htmlDepth(html, 100);

    // Assess
    expect(depth).toBe(parsedDepth(html));
  });

  it('should refuse an item whose HTML is nested past the limit quickly and keep the others', async () => {
    // Prepare
    const deep = '<div>'.repeat(50_000);
    const file = `<rss version="2.0"><channel><title>t</title>
      <item><guid>deep</guid><description><![CDATA[${deep}x]]></description></item>
      <item><guid>fine</guid><description><![CDATA[<p>Fine.</p>]]></description></item></channel></rss>`;

    // Act
    const { reading, ms } = await timed('incoming/deep-html.rss', file);

    // Assess
    if (reading.kind !== 'container') throw new Error(reading.kind);
    expect(reading.items.map((i) => [i.item, i.result.ok ? 'ok' : i.result.error.kind])).toEqual([
      ['deep', 'InvalidArticle'],
      ['fine', 'ok'],
    ]);
    expect(reading.items[0]?.result).toMatchObject({
      error: { message: expect.stringContaining(`more than ${MAX_HTML_DEPTH} levels deep`) },
    });
    expect(ms).toBeLessThan(1000);
  });
});

describe('Fuzz: the XML readers', () => {
  const TYPED: readonly string[] = [
    'EmptyFile',
    'UnsupportedFormat',
    'MalformedXml',
    'InvalidArticle',
    'NoBody',
  ];
  const pieces = fc.constantFrom(
    '<rss version="2.0">',
    '<channel>',
    '<item>',
    '</item>',
    '<title>',
    '</title>',
    '<description>',
    '</description>',
    '<guid>',
    '</guid>',
    '<pubDate>',
    '</pubDate>',
    `<newsItem xmlns="${NEWSML_NAMESPACE}">`,
    '<contentSet>',
    '<inlineXML>',
    '<p>',
    '</p>',
    '<nitf>',
    '<body.content>',
    '<![CDATA[<b>x</b>',
    ']]>',
    '<!--',
    '-->',
    '&amp;',
    '&#233;',
    '&nbsp;',
    '&lt;p&gt;',
    ' text ',
    'Sat, 28 Nov 2026 10:00:00 +0000',
    '<',
    '>',
    '"',
  );

  it('should turn any XML-like text into articles, items or a typed error, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(pieces, { maxLength: 40 }),
        fc.constantFrom('a.rss', 'a.xml', 'a.atom'),
        async (parts, name) => {
          const reading = await read(`incoming/${name}`, parts.join(''));
          if (reading.kind === 'error') expect(TYPED).toContain(reading.error.kind);
          if (reading.kind === 'container')
            for (const item of reading.items)
              if (!item.result.ok) expect(TYPED).toContain(item.result.error.kind);
        },
      ),
      { numRuns: 300 },
    );
  });
});
