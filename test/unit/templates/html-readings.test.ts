import { describe, expect, it } from 'vitest';
import { checkTemplateSyntax, renderTemplate, type Template } from '#shared/templates.ts';

const context = (traits: Record<string, unknown> = {}, unsubscribeUrl?: string) => ({
  profile: traits,
  journey: { id: 'j' },
  ...(unsubscribeUrl === undefined ? {} : { unsubscribeUrl }),
});

function email(html: string): Extract<Template, { channel: 'email' }> {
  return { channel: 'email', subject: 's', html, text: 't' };
}

/** A customer's value that would add an event handler wherever it stands outside quotes in a tag. */
const HANDLER = 'https://shop.example/ onmouseover=location=name x';

describe('one HTML reader for values, links and click tracking', () => {
  it.each([
    '<!-- old: <a href="javascript:alert(1)">x</a> --><p>hi</p>',
    '<title><a href="javascript:alert(1)">x</a></title><p>hi</p>',
    '<textarea><a href="javascript:alert(1)">x</a></textarea>',
    '<p title="<a href=javascript:alert(1)>">hi</p>',
  ])('reads a tag in a comment, a <title> or a <textarea> as text, as a browser does: %s', async (html) => {
    // act
    const out = await renderTemplate(email(html), context());
    // assert: no link there, so nothing to refuse
    expect(checkTemplateSyntax(email(html))).toStrictEqual([]);
    expect(out.html).toBe(html);
  });

  it.each([
    '<!-- <a title=" --> <a href="javascript:alert(1)">x</a> " -->',
    '<!-- a > b --><a href="javascript:alert(1)">x</a>',
    '<title>x</title ><a href="javascript:alert(1)">x</a>',
    '<!---><a href="javascript:alert(1)">x</a>',
  ])('catches a script link after a comment or a raw-text element ends: %s', async (html) => {
    await expect(renderTemplate(email(html), context())).rejects.toThrow(
      'html: a href renders to a javascript: link',
    );
  });

  it('marks only the unsubscribe link a reader can click, not one in a comment', async () => {
    // arrange
    const url = 'https://shop.example/u?t=1';
    const html =
      '<!-- <a href="{{ unsubscribeUrl }}">old</a> --><textarea><a href="{{ unsubscribeUrl }}"></textarea><a href="{{ unsubscribeUrl }}">Unsubscribe</a>';
    // act
    const out = await renderTemplate(email(html), context({}, url));
    // assert
    expect(out.html).toBe(
      `<!-- <a href="${url}">old</a> --><textarea><a href="${url}"></textarea><a ses:no-track href="${url}">Unsubscribe</a>`,
    );
  });

  it.each([
    // A no-break space or a vertical tab is no blank to a tokenizer: the value is unquoted.
    ['<a title=\u00a0"{{ profile.site }}">x</a>', 12],
    ['<a title=\v"{{ profile.site }}">x</a>', 12],
    // A value within the tag's name adds attributes once rendered.
    ['<a{{ profile.site }} href="https://shop.example/">x</a>', 3],
    ['</{{ profile.site }}>', 3],
    // Raw text to a browser with script on, markup to a mail client: read both ways.
    ['<noscript><p title="</noscript><a href={{ profile.site }}>"></p></noscript>', 40],
    ['<noscript><a href={{ profile.site }}>x</a></noscript>', 19],
    // Markup in SVG to a browser, raw text to a reader that knows no SVG.
    ['<svg><style><a href={{ profile.site }}></a></style></svg>', 21],
    ['<svg><title><a href={{ profile.site }}></title></svg>', 21],
    ['<math><style><img src={{ profile.site }}></style></math>', 23],
    ['<math><title><a href={{ profile.site }}></title></math>', 22],
    ['<math><mtext><table><mglyph><style><a href={{ profile.site }}></style>', 44],
    ['<svg><desc><svg><style><a href={{ profile.site }}></style>', 32],
  ])('refuses a value a tokenizer reads inside a tag outside quotes: %s', async (html, column) => {
    const where = `(line 1, column ${column}) stands inside a tag outside quotes`;
    expect(checkTemplateSyntax(email(html))).toStrictEqual([
      { field: 'html', kind: 'html-value', message: expect.stringContaining(where) },
    ]);
    await expect(renderTemplate(email(html), context({ site: HANDLER }))).rejects.toThrow(where);
  });

  it.each([
    ['<script><!--<script></script><p title="{{ profile.site }}"></p></script>-->', 40],
    ['<script><!--</script><p title="{{ profile.site }}">', 0],
    ['<script><!-- x --><script></script><p title="{{ profile.site }}">', 0],
  ])(
    'reads where a script ends as a browser does, a <script> in a comment in it included: %s',
    (html, column) => {
      expect(checkTemplateSyntax(email(html))).toStrictEqual(
        column === 0
          ? []
          : [
              {
                field: 'html',
                kind: 'html-value',
                message: expect.stringContaining(`(line 1, column ${column}) stands in script`),
              },
            ],
      );
    },
  );

  it('reads <noscript> both ways and takes a value that is text or quoted in both', async () => {
    // arrange
    const html =
      '<noscript><p title="{{ profile.site }}">{{ profile.site }}</p><style>p{color:{{ profile.site }}}</style></noscript>';
    const site = '</noscript><img src=x onerror=alert(1)>';
    // act
    const out = await renderTemplate(email(html), context({ site }));
    // assert: escaped for HTML in the text and the attribute, for CSS in the style
    const text = '&lt;/noscript&gt;&lt;img src=x onerror=alert(1)&gt;';
    const css = '\\3c /noscript\\3e \\3c img src=x onerror=alert\\28 1\\29 \\3e ';
    expect(checkTemplateSyntax(email(html))).toStrictEqual([]);
    expect(out.html).toBe(
      `<noscript><p title="${text}">${text}</p><style>p{color:${css}}</style></noscript>`,
    );
  });

  it('refuses a value that one reading puts in CSS and another in a comment', () => {
    const html = '<svg><style><!-- {{ profile.site }}> --></style></svg>';
    expect(checkTemplateSyntax(email(html))).toStrictEqual([
      {
        field: 'html',
        kind: 'html-value',
        message: expect.stringContaining('is CSS to one reader and a comment'),
      },
    ]);
  });

  it('refuses a value in an iframe srcdoc, which a browser reads as a page', () => {
    const html = '<iframe srcdoc="<p>{{ profile.site }}</p>"></iframe>';
    expect(checkTemplateSyntax(email(html))).toStrictEqual([
      {
        field: 'html',
        kind: 'html-value',
        message: expect.stringContaining('(line 1, column 20) stands in an iframe'),
      },
    ]);
  });

  it.each([
    ['<a href="&#x6a;avascript:alert(1)">x</a>', 'href', 'javascript:'],
    ['<a href="&#0000106avascript&colon;alert(1)">x</a>', 'href', 'javascript:'],
    ['<a href="JAVASCRIPT:alert(1)">x</a>', 'href', 'javascript:'],
    ['<a href="java&Tab;script&NewLine;:alert(1)">x</a>', 'href', 'javascript:'],
    ['<a href="\u0001 javascript:alert(1)">x</a>', 'href', 'javascript:'],
    ['<img srcset="https://img.example/a.png 1x, javascript:alert(1) 2x">', 'srcset', 'javascript:'],
    ['<meta http-equiv="Refresh" content="0; URL=\'javascript:alert(1)\'">', 'content', 'javascript:'],
    ['<meta http-equiv=refresh content="0;url=data:text/html,<script>x</script>">', 'content', 'data:'],
    ['<base href="javascript:alert(1)//">', 'href', 'javascript:'],
    ['<form><button formaction="javascript:alert(1)">x</button></form>', 'formaction', 'javascript:'],
    ['<link rel=stylesheet href="javascript:alert(1)">', 'href', 'javascript:'],
    [
      '<iframe srcdoc="&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;"></iframe>',
      'href',
      'javascript:',
    ],
    ['<noscript><a href="javascript:alert(1)">x</a></noscript>', 'href', 'javascript:'],
    ['<svg><style><a href="javascript:alert(1)">x</a></style></svg>', 'href', 'javascript:'],
  ])(
    'refuses a template that links to script itself, with line and column: %s',
    async (html, attribute, scheme) => {
      // The column of the tag that holds the attribute.
      const column = html.lastIndexOf('<', html.indexOf(`${attribute}=`)) + 1;
      expect(checkTemplateSyntax(email(`<p>hi</p>\n${html}`))).toStrictEqual([
        {
          field: 'html',
          kind: 'html-link',
          message: `a ${attribute} (line 2, column ${column}) links to ${scheme}, which a message never opens`,
        },
      ]);
      await expect(renderTemplate(email(html), context())).rejects.toThrow(
        `html: a ${attribute} renders to a ${scheme} link`,
      );
    },
  );

  it('keeps a value in rgb() or hsl() one piece of the colour: numbers print, anything else is escaped', async () => {
    // arrange
    const html =
      '<p style="color: rgb({{ profile.rgb }}); background: rgba({{ profile.rgb }}, 0.5); border-color: hsl({{ profile.hsl }})">x</p>';
    // act
    const safe = await renderTemplate(email(html), context({ rgb: '255, 0, 0', hsl: '120 100% 50%' }));
    const hostile = await renderTemplate(
      email(html),
      context({ rgb: '0);background:url(https://t.example/o.gif', hsl: '0) } * { x: expression(1' }),
    );
    // assert
    expect(safe.html).toBe(
      '<p style="color: rgb(255, 0, 0); background: rgba(255, 0, 0, 0.5); border-color: hsl(120 100% 50%)">x</p>',
    );
    expect(hostile.html).not.toMatch(/[;(){}]0?\)?;?background|url\(https|expression\(/);
    expect(hostile.html).toContain('rgb(0\\29 \\3b background:url\\28 https://t.example/o.gif)');
  });
});
