import { describe, expect, it } from 'vitest';
import { checkTemplateSyntax, renderTemplate, type Template } from '#shared/templates.ts';

const context = (traits: Record<string, unknown> = {}) => ({
  profile: { firstName: '<script>alert("x")</script>', ...traits },
  trigger: { properties: { plan: '<Advanced>', startsAt: '2026-11-30T07:30:00Z' } },
  journey: { id: 'j' },
});

function email(html: string, text = 'x', subject = 'x'): Extract<Template, { channel: 'email' }> {
  return { channel: 'email', subject, html, text };
}

describe('template rendering', () => {
  it('escapes every value in the HTML part and leaves text, subject and SMS as written', async () => {
    const out = await renderTemplate(
      email(
        '<p>Hi {{ profile.firstName }}, {{ trigger.properties.plan }}</p>',
        'Hi {{ profile.firstName }}',
        '{{ trigger.properties.plan }}',
      ),
      context(),
    );
    expect(out.html).toBe('<p>Hi &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;, &lt;Advanced&gt;</p>');
    expect(out.text).toBe('Hi <script>alert("x")</script>');
    expect(out.subject).toBe('<Advanced>');
    const sms = await renderTemplate(
      { channel: 'sms', body: 'Plan {{ trigger.properties.plan }}' },
      context(),
    );
    expect(sms.body).toBe('Plan <Advanced>');
  });

  it('inserts trusted HTML only through an explicit raw filter', async () => {
    const out = await renderTemplate(email('{{ profile.banner | raw }}'), context({ banner: '<b>Sale</b>' }));
    expect(out.html).toBe('<b>Sale</b>');
  });

  it.each([
    ['{{ profile.name | escape }}', 'an explicit escape'],
    ['{% capture who %}{{ profile.name }}{% endcapture %}{{ who }}', 'a capture of escaped output'],
    ['{% assign who = profile.name | escape %}{{ who }}', 'an escaped assign'],
  ])('escapes a value once in the HTML part: %s (%s)', async (html) => {
    const out = await renderTemplate(email(html), context({ name: "O'Brien & <Sons>" }));
    expect(out.html).toBe('O&#39;Brien &amp; &lt;Sons&gt;');
  });

  it('escapes text like any other entity; a value holding one of the five Liquid writes shows its character', async () => {
    const out = await renderTemplate(
      email('{{ profile.a }}|{{ profile.b }}|{{ profile.c | raw }}'),
      context({ a: '&copy; &#60;', b: '<&lt;>', c: '<b>&lt;</b>' }),
    );
    expect(out.html).toBe('&amp;copy; &amp;#60;|&lt;&lt;&gt;|<b>&lt;</b>');
  });

  it('keeps the unsubscribe link out of click tracking, and every other link as written', async () => {
    const unsubscribeUrl = 'https://u.example.com/unsubscribe?s=1&t=abc.def';
    const out = await renderTemplate(
      email(
        '<a href="{{ unsubscribeUrl }}">Unsubscribe</a> <A class="x" HREF=\'{{ unsubscribeUrl }}\'>Stop</A> <a href="https://shop.example.com/?t=abc.def">Shop</a> <a ses:no-track href="{{ unsubscribeUrl }}">Again</a>',
        'Unsubscribe: {{ unsubscribeUrl }}',
      ),
      { ...context(), unsubscribeUrl },
    );
    expect(out.html).toBe(
      '<a ses:no-track href="https://u.example.com/unsubscribe?s=1&amp;t=abc.def">Unsubscribe</a> <a ses:no-track class="x" HREF=\'https://u.example.com/unsubscribe?s=1&amp;t=abc.def\'>Stop</A> <a href="https://shop.example.com/?t=abc.def">Shop</a> <a ses:no-track href="https://u.example.com/unsubscribe?s=1&amp;t=abc.def">Again</a>',
    );
    expect(out.text).toBe(`Unsubscribe: ${unsubscribeUrl}`);
  });

  it('finds the unsubscribe link whatever its tag holds before the href: a quoted >, a /, an unquoted value', async () => {
    const unsubscribeUrl = 'https://u.example.com/unsubscribe?t=abc.def';
    const out = await renderTemplate(
      // An unquoted value is written as text: a value is never written unquoted in a tag.
      email(
        `<a title="Emails > too many" href="{{ unsubscribeUrl }}">Stop</a> <a/href=${unsubscribeUrl}>Stop</a> <a title="ses:no-track" href="{{ unsubscribeUrl }}">Stop</a>`,
      ),
      { ...context(), unsubscribeUrl },
    );
    expect(out.html).toBe(
      `<a ses:no-track title="Emails > too many" href="${unsubscribeUrl}">Stop</a> <a ses:no-track/href=${unsubscribeUrl}>Stop</a> <a ses:no-track title="ses:no-track" href="${unsubscribeUrl}">Stop</a>`,
    );
  });

  it('keeps a subject and a push title on one line whatever the values hold', async () => {
    const name = 'Ann\r\nBcc: someone@example.com\n\nBody';
    const out = await renderTemplate(
      email('x', 'Hi {{ profile.name }}\nsecond line', '{{ profile.name }},\r\n  your cart\u2028waits'),
      context({ name }),
    );
    const push = await renderTemplate(
      { channel: 'push', title: '{{ profile.name }}', body: '{{ profile.name }}' },
      context({ name }),
    );
    expect(out.subject).toBe('Ann Bcc: someone@example.com Body, your cart waits');
    expect(out.text).toBe(`Hi ${name}\nsecond line`);
    expect(push.title).toBe('Ann Bcc: someone@example.com Body');
    expect(push.body).toBe(name);
  });

  it('reads a value of 250,000 blanks in a subject, a push title and a push url in time linear in it', async () => {
    // arrange: an event property as large as an event may be, all blanks. Each expression that looked for a
    // line break or a tab after blanks read the run again from every blank: minutes of CPU per render
    // (30,000 blanks took 2.7 s), on every retry of the send.
    const note = `a${' '.repeat(250_000)}b`;
    const trigger = { properties: { note } };
    const values = { ...context(), trigger };
    // act
    const subject = renderTemplate(email('x', 'x', 'About {{ trigger.properties.note }}'), values);
    const title = renderTemplate(
      { channel: 'push', title: 'T {{ trigger.properties.note }}', body: 'b' },
      values,
    );
    const url = renderTemplate(
      { channel: 'push', title: 'T', body: 'b', url: 'https://x.example/{{ trigger.properties.note }}' },
      values,
    );
    // assert: as written (no line break, no tab), each over its field's limit
    await expect(subject).rejects.toThrow(`subject renders to ${6 + note.length} characters`);
    await expect(title).rejects.toThrow(`title renders to ${2 + note.length} characters`);
    await expect(url).rejects.toThrow(`url renders to ${18 + 2 + 3 * 250_000} characters`);
  });

  it('drops control characters from every field: a one-line field reads a tab as a space, a body keeps tabs and line breaks', async () => {
    // arrange: C0 and C1 controls as a trait or an event property may hold them
    const name = 'Ann\u0000\tBee\u0007\u001b[31m\u007f\u0085\u009bX\u2028Y';
    // act
    const out = await renderTemplate(
      email('<p>{{ profile.name }}</p>', '{{ profile.name }}\r\n\tend', 'Hi {{ profile.name }}'),
      context({ name }),
    );
    const push = await renderTemplate(
      { channel: 'push', title: '{{ profile.name }}', body: '{{ profile.name }}' },
      context({ name }),
    );
    const sms = await renderTemplate({ channel: 'sms', body: '{{ profile.name }}\nbye' }, context({ name }));
    // assert
    expect(out.subject).toBe('Hi Ann Bee[31m X Y');
    expect(push.title).toBe('Ann Bee[31m X Y');
    const body = 'Ann\tBee[31m\u0085X\u2028Y';
    expect(out.html).toBe(`<p>${body}</p>`);
    expect(out.text).toBe(`${body}\r\n\tend`);
    expect(push.body).toBe(body);
    expect(sms.body).toBe(`${body}\nbye`);
  });

  it('sends a push deep link on one line, without blanks or control characters, whatever the values hold', async () => {
    // arrange: a link from event data with a line break, a tab, blanks and a NUL
    const link = ' https://shop.example/p/1?q=red shoes\r\nX-Injected: 1\t\u0000\u2028 ';
    const push = (url: string) => ({ channel: 'push' as const, title: 't', body: 'b', url });
    // act
    const out = await renderTemplate(push('{{ profile.link }}'), context({ link }));
    const laidOut = await renderTemplate(
      push('https://shop.example/cart\n  ?id={{ profile.id }}\n'),
      context({ id: 7 }),
    );
    const none = await renderTemplate(push('{% if profile.missing %}x{% endif %}  \n'), context());
    // assert
    expect(out.url).toBe('https://shop.example/p/1?q=red%20shoesX-Injected:%201');
    expect(laidOut.url).toBe('https://shop.example/cart?id=7');
    expect(none.url).toBe('');
  });

  it.each([
    ['javascript:alert(1)', 'javascript:'],
    [' JaVa\tScript:alert(1)', 'javascript:'],
    ['vbscript:msgbox(1)', 'vbscript:'],
    ['data:text/html;base64,PHNjcmlwdD4=', 'data:'],
  ])('refuses a push deep link that renders to %j', async (link, scheme) => {
    const push = { channel: 'push' as const, title: 't', body: 'b', url: '{{ profile.link }}' };
    await expect(renderTemplate(push, context({ link }))).rejects.toThrow(`url: renders to a ${scheme} link`);
  });

  it.each([
    ['<a href="{{ profile.site }}">site</a>', 'javascript:alert(1)', 'href', 'javascript:'],
    ['<a href=javascript:alert(1)>site</a>', 'unused', 'href', 'javascript:'],
    ["<A HREF='{{ profile.site }}'>site</A>", ' java\nscript:alert(1)', 'href', 'javascript:'],
    ['<a href="{{ profile.site | raw }}">site</a>', '&#x6A;avascript&colon;alert(1)', 'href', 'javascript:'],
    ['<a href="{{ profile.site | default: "x" }}">site</a>', 'vbscript:x', 'href', 'vbscript:'],
    ['<a href="{{ profile.site }}">site</a>', 'data:text/html,<script>x</script>', 'href', 'data:'],
    ['<img src="{{ profile.site }}">', 'javascript:alert(1)', 'src', 'javascript:'],
    ['<form action="{{ profile.site }}"></form>', 'javascript:x', 'action', 'javascript:'],
    // Read as a browser's tokenizer reads a tag: a quoted value may hold `>`, and `/` separates attributes.
    [
      '<a title="Deals > 20%" href="{{ profile.site }}">site</a>',
      'javascript:alert(1)',
      'href',
      'javascript:',
    ],
    ["<a alt='a>b' href=javascript:alert(1)>site</a>", 'unused', 'href', 'javascript:'],
    ['<object data="{{ profile.site }}"></object>', 'javascript:alert(1)', 'data', 'javascript:'],
    ['<object data="{{ profile.site }}"></object>', 'data:text/html,<script>x</script>', 'data', 'data:'],
    // A frame or an embed opens its src as a document of its own, scripts and all: a link, not a picture.
    ['<iframe src="{{ profile.site }}"></iframe>', 'data:text/html,<script>x</script>', 'src', 'data:'],
    ['<IFRAME SRC="{{ profile.site }}"></IFRAME>', ' DATA:text/html;base64,PHNjcmlwdD4=', 'src', 'data:'],
    ['<frameset><frame src="{{ profile.site }}"></frameset>', 'data:text/html,x', 'src', 'data:'],
    ['<embed src="{{ profile.site }}">', 'data:image/svg+xml,<svg onload=alert(1)>', 'src', 'data:'],
    [
      '<svg><a><set attributeName="href" to="{{ profile.site | raw }}"/></a></svg>',
      'javascript:alert(1)',
      'to',
      'javascript:',
    ],
    ['<a/href="{{ profile.site }}">site</a>', 'javascript:alert(1)', 'href', 'javascript:'],
    ['<img alt="x"/src="{{ profile.site }}">', 'javascript:alert(1)', 'src', 'javascript:'],
    ['<a\ntitle="1 > 0"\nhref = "{{ profile.site }}"\n>site</a>', 'vbscript:x', 'href', 'vbscript:'],
  ])(
    'refuses an email whose html links a value to script: %s with %j',
    async (html, site, attribute, scheme) => {
      await expect(renderTemplate(email(html), context({ site }))).rejects.toThrow(
        `html: a ${attribute} renders to a ${scheme} link`,
      );
    },
  );

  it.each([
    ['<a href={{ profile.site }}>site</a>', '{{ profile.site }}', 9],
    ['<img alt=x src=https://img.example/{{ profile.site }}.png>', '{{ profile.site }}', 36],
    ['<div title={{ profile.site | default: "x" }}>x</div>', '{{ profile.site | default: "x" }}', 12],
    ['<p>Hi</p><div {{ profile.site }}>x</div>', '{{ profile.site }}', 15],
    ['<td\n  class="a" {% echo profile.site %}>x</td>', '{% echo profile.site %}', 13],
    ['<{{ profile.site }}>x', '{{ profile.site }}', 2],
  ])(
    'refuses an html value written inside a tag outside quotes, where its blanks add attributes: %s',
    async (html, written, column) => {
      // arrange: a customer's value that would add an event handler to the tag
      const site = 'https://shop.example/ onmouseover=alert(1) x';
      const line = html.includes('\n') ? 2 : 1;
      const where = `${written} (line ${line}, column ${column}) stands inside a tag outside quotes`;
      // act, assert: refused before any send, and at the send of a template pinned before
      expect(checkTemplateSyntax(email(html))).toStrictEqual([
        { field: 'html', kind: 'html-value', message: expect.stringContaining(where) },
      ]);
      await expect(renderTemplate(email(html), context({ site }))).rejects.toThrow(`html: ${where}`);
    },
  );

  it.each([
    [`<a href="#" onclick="go('{{ profile.site }}')">x</a>`, '{{ profile.site }}', 26],
    ['<p>Hi</p><script>var site = "{{ profile.site }}";</script>', '{{ profile.site }}', 30],
    ['<SCRIPT src="https://cdn.example/{{ profile.site }}.js">', '{{ profile.site }}', 34],
  ])(
    'refuses an html value in script, which a browser decodes before running it: %s',
    async (html, written, column) => {
      // arrange: a customer's value that ends the string and runs its own code
      const site = "');alert(document.cookie);('";
      const where = `${written} (line 1, column ${column}) stands in script`;
      // act, assert
      expect(checkTemplateSyntax(email(html))).toStrictEqual([
        { field: 'html', kind: 'html-value', message: expect.stringContaining(where) },
      ]);
      await expect(renderTemplate(email(html), context({ site }))).rejects.toThrow(`html: ${where}`);
    },
  );

  it.each([
    [
      '<p style="color: {{ profile.site }}">x</p>',
      'red;background:url(https://tracker.example/o.gif)',
      '<p style="color: red\\3b background:url\\28 https://tracker.example/o.gif\\29 ">x</p>',
    ],
    [
      "<td style='width:{{ profile.site }}'>x</td>",
      'expression(alert(1))',
      "<td style='width:expression\\28 alert\\28 1\\29 \\29 '>x</td>",
    ],
    [
      '<style>a { color: {{ profile.site }}; }</style>',
      'red}</style><img src=x onerror=alert(1)>@import "https://tracker.example/x.css";',
      '<style>a { color: red\\7d \\3c /style\\3e \\3c img src=x onerror=alert\\28 1\\29 \\3e \\40 import \\22 https://tracker.example/x.css\\22 \\3b ; }</style>',
    ],
    [
      '<style>\n<!-- a { font-family: "{{- profile.site -}}"; } -->\n</style>',
      'A\\"; } * { background: url(x); } b { x:"\n',
      '<style>\n<!-- a { font-family: "A\\5c \\22 \\3b  \\7d  \\2a  \\7b  background: url\\28 x\\29 \\3b  \\7d  b \\7b  x:\\22 \\a "; } -->\n</style>',
    ],
    [
      '<svg><style>a{fill:{{ profile.site }}}</style></svg>',
      '&#59;&#x7d;*{fill:url(/x)',
      '<svg><style>a{fill:\\26 #59\\3b \\26 #x7d\\3b \\2a \\7b fill:url\\28 /x\\29 }</style></svg>',
    ],
  ])(
    'CSS-escapes a value in CSS so it cannot end the declaration or open url(: %s',
    async (html, site, rendered) => {
      // act
      const out = await renderTemplate(email(html), context({ site }));
      // assert: taken at validation, and the value is one piece of the declaration it is written in
      expect(checkTemplateSyntax(email(html))).toStrictEqual([]);
      expect(out.html).toBe(rendered);
    },
  );

  it('keeps a plain colour, size, font or link in CSS as it is, and escapes values elsewhere for HTML', async () => {
    // arrange
    const html =
      '<style>h1{color:{{ profile.color }}}</style><p style="color: {{ profile.color }}; font: {{ profile.size }} {{ profile.font }}; background-image: url(\'{{ profile.image }}\')" title="{{ profile.plan }}">{{ profile.plan }}</p>';
    const traits = {
      color: '#ff6600',
      size: '14.5px',
      font: 'Helvetica Neue, Arial, sans-serif',
      image: 'https://img.example/a-1_b.png?w=600',
      plan: 'a;b(c)',
    };
    // act
    const out = await renderTemplate(email(html), context(traits));
    // assert
    expect(out.html).toBe(
      '<style>h1{color:#ff6600}</style><p style="color: #ff6600; font: 14.5px Helvetica Neue, Arial, sans-serif; background-image: url(\'https://img.example/a-1_b.png?w=600\')" title="a;b(c)">a;b(c)</p>',
    );
  });

  it('reads a value in an HTML comment as text, as a browser does, and writes it so that it cannot end the comment', async () => {
    // arrange: tag-like spots inside comments (a tag, a script), a value before the comment's own >, text after an empty comment
    const html =
      '<!-- <a href={{ profile.site }}> --><p>{{ profile.site }}</p><!--<div {{ profile.site }} onclick="{{ profile.site }}"><script>{{ profile.site }}</script>--!><!-->{{ profile.site }}<!---->';
    const site = '--> <img src=x onerror=alert(1)> --!';
    // act
    const out = await renderTemplate(email(html), context({ site }));
    // assert: taken; in a comment the value's - and ! are references, so the comment ends where the template ends it
    const text = '--&gt; &lt;img src=x onerror=alert(1)&gt; --!';
    const comment = '&#45;&#45;&#62; &#60;img src=x onerror=alert(1)&#62; &#45;&#45;&#33;';
    expect(checkTemplateSyntax(email(html))).toStrictEqual([]);
    expect(out.html).toBe(
      `<!-- <a href=${comment}> --><p>${text}</p><!--<div ${comment} onclick="${comment}"><script>${comment}</script>--!><!-->${text}<!---->`,
    );
  });

  it.each([
    ['<!-- {{ profile.site }}> <img src="https://shop.example/old.png"> -->', '--'],
    ['<!-- note -{{ profile.site }}!> <img src="https://shop.example/old.png"> -->', '-'],
    ['<!--{{ profile.site }}> <img src="https://shop.example/old.png"> -->', '-'],
    ['<!-{{ profile.site }}- <img src="https://shop.example/old.png"> -->', '-'],
    ['<!-- a --{{ profile.site }}> <img src="https://shop.example/old.png"> -->', '!'],
  ])(
    "keeps a comment whole where a customer's value before its > would end it: %s with %j",
    async (html, site) => {
      // act
      const out = await renderTemplate(email(html), context({ site }));
      // assert: the value's - and ! are written as references, and the comment's markup stays in it
      expect(checkTemplateSyntax(email(html))).toStrictEqual([]);
      expect(out.html).toBe(
        html.replace('{{ profile.site }}', site.replaceAll('-', '&#45;').replace('!', '&#33;')),
      );
    },
  );

  it.each([
    ['<p style="color: {% echo profile.site %}">x</p>', '{% echo profile.site %}', 18],
    ['<style>a{color:{%- liquid echo profile.site -%}}</style>', '{%- liquid echo profile.site -%}', 16],
    ['<!-- {% echo profile.site %}> -->', '{% echo profile.site %}', 6],
  ])(
    'refuses a printing tag in CSS or a comment, which is not escaped for it, before any send and at the send: %s',
    async (html, written, column) => {
      const where = `${written} (line 1, column ${column}) prints with a tag in CSS`;
      expect(checkTemplateSyntax(email(html))).toStrictEqual([
        { field: 'html', kind: 'html-value', message: expect.stringContaining(where) },
      ]);
      await expect(renderTemplate(email(html), context({ site: '--' }))).rejects.toThrow(`html: ${where}`);
    },
  );

  it('still reads a tag after a comment, and a comment-like text inside a quoted value is no comment', async () => {
    const html = '<!-- x --><a href={{ profile.site }}>x</a><p title="<!--"><b {{ profile.site }}>-->';
    expect(checkTemplateSyntax(email(html))).toStrictEqual([
      {
        field: 'html',
        kind: 'html-value',
        message: expect.stringContaining('(line 1, column 19) stands inside a tag outside quotes'),
      },
    ]);
    const later = '<p title="<!--"><b {{ profile.site }}>-->';
    expect(checkTemplateSyntax(email(later))).toStrictEqual([
      {
        field: 'html',
        kind: 'html-value',
        message: expect.stringContaining('(line 1, column 20) stands inside a tag outside quotes'),
      },
    ]);
  });

  it('takes values within quotes, in text, in other fields, and conditions around whole attributes', async () => {
    // arrange
    const html =
      '<a href="{{ profile.site }}" title=\'{{ profile.site }}\' {% if profile.site %}class="x"{% endif %}>{{ profile.site }}</a> a={{ profile.site }}';
    const site = 'x onmouseover=alert(1)';
    // act
    const out = await renderTemplate(
      email(html, '<a href={{ profile.site }}>', '<b {{ profile.site }}>'),
      context({ site }),
    );
    // assert: the value stays inside its quotes or is text
    expect(checkTemplateSyntax(email(html))).toStrictEqual([]);
    expect(out.html).toBe(`<a href="${site}" title='${site}' class="x">${site}</a> a=${site}`);
  });

  it('keeps every other link of the html as written: web, mail, phone, relative, anchors, embedded images', async () => {
    const html =
      '<a href="{{ profile.site }}">a</a><a href="mailto:x@example.com">b</a><a href="tel:+3912">c</a><a href="/p?x=javascript:1">d</a><a href="#top">e</a><img src="data:image/png;base64,iVBO"><p title="javascript:">javascript: is text here</p>';
    const out = await renderTemplate(email(html), context({ site: 'https://shop.example/?q=a&b' }));
    expect(out.html).toBe(html.replace('{{ profile.site }}', 'https://shop.example/?q=a&amp;b'));
    // Escaped, a value's character references are text: it links nowhere.
    const escaped = await renderTemplate(email(html), context({ site: '&#106;avascript&colon;alert(1)' }));
    expect(escaped.html).toContain('href="&amp;#106;avascript&amp;colon;alert(1)"');
  });

  it.each([
    "{% include 'package.json' %}",
    "{% render '../../package.json' %}",
    "{% layout 'package.json' %}x",
  ])('never reads files: %s fails', async (html) => {
    await expect(renderTemplate(email(html), context())).rejects.toThrow();
  });

  it('stops a runaway loop at the step bound', async () => {
    const html =
      '{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}';
    await expect(renderTemplate(email(html), context())).rejects.toThrow(/more than 200,000 render steps/);
  });

  it('stops a loop over a huge range at the memory limit', async () => {
    const html = '{% for i in (1..100000000) %}{{ i }}{% endfor %}';
    await expect(renderTemplate(email(html), context())).rejects.toThrow(
      /html: the template makes more than 20,000,000 characters or list items/,
    );
  });

  it('fails a field that renders past its size limit, naming the field', async () => {
    const html = `{% for i in (1..20000) %}${'x'.repeat(100)}{% endfor %}`;
    await expect(renderTemplate(email(html), context())).rejects.toThrow(
      /html renders to 2000000 characters/,
    );
    const sms = { channel: 'sms' as const, body: `{% for i in (1..40) %}${'y'.repeat(50)}{% endfor %}` };
    await expect(renderTemplate(sms, context())).rejects.toThrow(
      /body renders to 2000 characters, over the limit of 1600/,
    );
  });

  it.each(['America/Los_Angeles', 'Europe/Rome', 'Pacific/Kiritimati'])(
    'formats a calendar day (a trial end, a birthday) as that day in %s, not the day of its UTC midnight',
    async (zone) => {
      // arrange: "2026-03-10" is a day, as untilDate reads it; liquid alone reads it as UTC midnight
      const template = email(
        'x',
        "{{ trigger.properties.ends | date: '%Y-%m-%d %H:%M' }}|{{ trigger.properties.ends | date_to_xmlschema }}|{{ trigger.properties.ends | date_to_long_string }}|{{ trigger.properties.ends | date: '%d', 'Asia/Tokyo' }}",
      );
      const trigger = { properties: { ends: '2026-03-10' } };
      // act
      const out = await renderTemplate(template, { ...context(), trigger }, zone);
      // assert: the day itself, from its midnight in the zone it is shown in
      const [day, xml, long, tokyo] = out.text.split('|');
      expect(day).toBe('2026-03-10 00:00');
      expect(xml).toMatch(/^2026-03-10T00:00:00[+-]\d{2}:\d{2}$/);
      expect(long).toBe('10 March 2026');
      expect(tokyo).toBe('10');
    },
  );

  it.each([
    { zone: 'America/New_York', shown: '2026-03-20 18:00' },
    { zone: 'Europe/Rome', shown: '2026-03-20 18:00' },
  ])(
    'formats a time without an offset as that time in the customer zone, as a wait reads it ($zone)',
    async (row) => {
      // arrange: a trial that ends at 18:00, written by a shop form without an offset
      const sms = { channel: 'sms' as const, body: "{{ profile.trialEnd | date: '%Y-%m-%d %H:%M' }}" };
      // act
      const out = await renderTemplate(sms, context({ trialEnd: '2026-03-20T18:00:00' }), row.zone);
      // assert: 18:00 where the customer is, not 18:00 UTC shown in their zone
      expect(out.body).toBe(row.shown);
    },
  );

  it.each(['03/20/2026', 'March 20, 2026', '1774029600'])(
    'fails a render with a reason for a date a wait would refuse (%s), rather than guess at it',
    async (value) => {
      // arrange
      const sms = { channel: 'sms' as const, body: "Ends {{ profile.trialEnd | date: '%b %-d' }}" };
      // act
      const render = renderTemplate(sms, context({ trialEnd: value }), 'America/New_York');
      // assert
      await expect(render).rejects.toThrow(`date: "${value}" is not a date: write it as an ISO 8601 date`);
    },
  );

  it('reads a number as epoch milliseconds, as a wait and a condition read it', async () => {
    // arrange: 20 March 2026 22:00Z kept in milliseconds, as JavaScript's getTime() gives it
    const sms = {
      channel: 'sms' as const,
      body: "{{ profile.trialEnd | date: '%Y-%m-%d %H:%M' }}|{{ profile.trialEnd | date_to_xmlschema }}",
    };
    // act
    const out = await renderTemplate(
      sms,
      context({ trialEnd: Date.parse('2026-03-20T22:00:00Z') }),
      'America/New_York',
    );
    // assert: the same instant untilDate waits for, shown in the customer zone (not the year 58000)
    expect(out.body).toBe('2026-03-20 18:00|2026-03-20T18:00:00-04:00');
  });

  it('keeps date arithmetic in seconds working once it multiplies back to milliseconds', async () => {
    // arrange: the documented form of "a day from now"
    const sms = {
      channel: 'sms' as const,
      body: '{{ "now" | date: "%s" | plus: 86400 | times: 1000 | date: "%Y-%m-%d %H:%M" }}',
    };
    // act
    const out = await renderTemplate(sms, context(), 'Europe/Rome', new Date('2026-03-28T09:00:00Z'));
    // assert: 24 hours later, across the change to summer time
    expect(out.body).toBe('2026-03-29 11:00');
  });

  it('reads "now" and "today" as the instant the message is sent, on journey time, in the customer zone', async () => {
    // arrange: on the journey clock (journeys test, simulate, npm start) a send happens at journey time
    const sms = {
      channel: 'sms' as const,
      body: "{{ 'now' | date: '%Y-%m-%d %H:%M' }}|{{ 'today' | date: '%A' }}",
    };
    const sentAt = new Date('2026-03-02T09:00:00Z');
    // act
    const out = await renderTemplate(sms, context(), 'Asia/Tokyo', sentAt);
    // assert
    expect(out.body).toBe('2026-03-02 18:00|Monday');
  });

  it('formats dates in the customer time zone', async () => {
    const template = email('x', "{{ trigger.properties.startsAt | date: '%H:%M' }}");
    expect((await renderTemplate(template, context(), 'Australia/Sydney')).text).toBe('18:30');
    expect((await renderTemplate(template, context(), 'Europe/Rome')).text).toBe('08:30');
    expect((await renderTemplate(template, context())).text).toBe('07:30');
  });

  it('prints data whose keys are the names of conversions as any other data, and reads those keys', async () => {
    // arrange: a trait, an event property and a list element under the names a conversion to text calls
    const item = { toString: 'sale', valueOf: 3, name: 'Shoe' };
    const bare = Object.assign(Object.create(null), { a: 1 });
    const ctx = {
      ...context({ toString: 'trait' }),
      event: { properties: { item, bare, list: [1, { valueOf: 'v' }] } },
    };
    // act
    const sms = await renderTemplate(
      {
        channel: 'sms',
        body: '{{ event.properties.item }}|{{ event.properties.bare }}|{{ event.properties.list }}|{{ event.properties.item.toString }}|{{ profile.toString }}|{{ event.properties.item | upcase }}|{{ event.properties.item | json }}',
      },
      ctx,
    );
    const mail = await renderTemplate(
      email('{{ event.properties.item }} {{ event.properties.item.valueOf }}'),
      ctx,
    );
    // assert: printed as a map prints, the data read as data, the caller's objects untouched
    expect(sms.body).toBe(
      '[object Object]|[object Object]|1[object Object]|sale|trait|[OBJECT OBJECT]|{"toString":"sale","valueOf":3,"name":"Shoe"}',
    );
    expect(mail.html).toBe('[object Object] 3');
    expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
    expect(Object.keys(item)).toEqual(['toString', 'valueOf', 'name']);
  });

  it('keeps a `__proto__` key of copied data as data, beside keys that need the copy', async () => {
    // arrange: a map copied for what it holds (a map with toString) that also holds `__proto__` as a key
    const item = JSON.parse('{"name":"Shoe","__proto__":{"name":"inner"},"tag":{"toString":"sale"}}');
    // act
    const sms = await renderTemplate(
      {
        channel: 'sms',
        body: '{{ event.properties.item.tag }}|{{ event.properties.item.name }}|{{ event.properties.item | json }}',
      },
      { ...context(), event: { properties: { item } } },
    );
    // assert: the inner map prints as a map, the own name is read, and `__proto__` stays one of the keys
    expect(sms.body).toBe(
      '[object Object]|Shoe|{"name":"Shoe","__proto__":{"name":"inner"},"tag":{"toString":"sale"}}',
    );
  });

  it.each([
    ["<p>Hi</p>{% render 'footer' %}", "{% render 'footer' %}", 10],
    ["{% if x %}{%- include 'shared/header' -%}{% endif %}", "{%- include 'shared/header' -%}", 11],
    ["{% layout 'base' %}x", "{% layout 'base' %}", 1],
  ])('refuses a partial before any send, since templates read no files: %s', (html, written, column) => {
    // arrange: the partial would fail every send that reaches it
    const template = email(html);
    // act
    const problems = checkTemplateSyntax(template);
    // assert: named with the tag, the partial and where it is written
    expect(problems).toStrictEqual([
      {
        field: 'html',
        kind: 'partial',
        message: `${written} (line 1, column ${column}) loads another template, and templates read no other file: write its content here`,
      },
    ]);
  });

  it('reports broken Liquid syntax per field without rendering', () => {
    const problems = checkTemplateSyntax(email('{% if x %}unclosed', 'ok', '{{ bad '));
    expect(problems.map((p) => p.field).sort()).toEqual(['html', 'subject']);
  });
});
