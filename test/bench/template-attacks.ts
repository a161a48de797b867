import { forbiddenHtmlLink } from '#shared/template-links.ts';
import { checkTemplateSyntax, renderTemplate, type Template } from '#shared/templates.ts';

/**
 * `npm run bench -- templates`: hostile templates and hostile customer data
 * through the renderer. Each must end rendered safely or refused with a
 * reason — never a file read, never raw markup from data in HTML (text, a
 * comment, <noscript>, <textarea>, <title>), never a declaration of its own
 * in CSS (`rgb(…)` among it), never a script link, never a
 * crash or a render past the step or memory bound.
 */
const HOSTILE_VALUES = [
  '<script>alert("x")</script>',
  '"><img src=x onerror=alert(1)>',
  "<a href='javascript:alert(1)'>x</a>",
  '{{ 7 | times: 7 }}',
  '{% include "package.json" %}',
  'red;background:url(https://tracker.example/o.gif)',
  'x}</style><img src=x onerror=alert(1)>@import "https://tracker.example/x.css";',
  'expression(alert(1))',
  '-- --!',
  '</title><script>alert(1)</script>',
  '</noscript><img src=x onerror=alert(1)>',
  '</textarea><img src=x onerror=alert(1)>',
  '--!><svg><style><img src=x onerror=alert(1)>',
  '0);background:url(https://tracker.example/o.gif',
  '&#x6a;avascript:alert(1)',
];

/** Markup a customer's value must never add in text: a tag, or the end of the element it stands in. */
const addsMarkup = (html: string, element: string) =>
  /<(?:script|img|a |svg)/i.test(html) || html.split(`</${element}`).length > 2;

/** Where a value stands in the html, and whether what rendered let it out of there. */
const PLACES: { html: string; leaked: (html: string) => boolean }[] = [
  {
    html: '<p>{{ profile.name }}</p>',
    leaked: (html) => html.includes('<script') || html.includes('<img') || html.includes('<a '),
  },
  { html: '<p style="color: {{ profile.name }}">x</p>', leaked: (html) => /[;(]/.test(html) },
  {
    html: '<style>a{color:{{ profile.name }}}</style>',
    leaked: (html) => /[;(<]|}.*}/.test(html.slice(7, -8)),
  },
  {
    html: '<!-- {{ profile.name }}> <img src="https://img.example/old.png"> -->',
    leaked: (html) => /--!?>/.exec(html)?.index !== html.length - 3,
  },
  { html: '<noscript><p>{{ profile.name }}</p></noscript>', leaked: (html) => addsMarkup(html, 'noscript') },
  { html: '<textarea>{{ profile.name }}</textarea>', leaked: (html) => addsMarkup(html, 'textarea') },
  { html: '<title>{{ profile.name }}</title>', leaked: (html) => addsMarkup(html, 'title') },
  {
    html: '<p style="color: rgb({{ profile.name }})">x</p>',
    leaked: (html) => /[;()]/.test(html.slice(html.indexOf('rgb(') + 4, html.lastIndexOf(')'))),
  },
];

const ATTACKS: { name: string; html: string }[] = [
  { name: 'include a file', html: "{% include 'package.json' %}" },
  { name: 'render a file', html: "{% render '../../package.json' %}" },
  { name: 'layout a file', html: "{% layout '/etc/passwd' %}x" },
  {
    name: '1e9-iteration nested loop',
    html: '{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}',
  },
  { name: '1e8 range', html: '{% for i in (1..100000000) %}{{ i }}{% endfor %}' },
  { name: '10 MB output', html: `{% for i in (1..100000) %}${'x'.repeat(100)}{% endfor %}` },
  { name: 'broken syntax', html: '{% if x %}never closed' },
  { name: 'unknown filter', html: '{{ profile.name | exec }}' },
  { name: 'prototype walk', html: '{{ profile.constructor.constructor }}{{ profile.__proto__ }}' },
  {
    name: 'script link after a comment',
    html: '<!-- <a title=" --> <a href="javascript:alert(1)">x</a> " -->',
  },
  { name: 'script link in srcset', html: '<img srcset="a.png 1x, JaVa&#x53;cript:alert(1) 2x">' },
  { name: 'refresh to script', html: '<meta http-equiv=refresh content="0;url=javascript:alert(1)">' },
  {
    name: 'script link in srcdoc',
    html: '<iframe srcdoc="&lt;a href=&quot;javascript:x&quot;&gt;"></iframe>',
  },
  {
    name: 'value unquoted once noscript ends early',
    html: '<noscript><p title="</noscript><a href={{ profile.name }}>"></p></noscript>',
  },
  { name: 'value in a tag within svg style', html: '<svg><style><a href={{ profile.name }}></style></svg>' },
  { name: 'no-break space before a quote', html: '<a title=\u00a0"{{ profile.name }}">x</a>' },
];

export async function runTemplateAttacksBench(): Promise<void> {
  let tried = 0;
  let refused = 0;
  let escaped = 0;
  let leaked = 0;
  let crashed = 0;
  let slowest = 0;
  for (const attack of ATTACKS) {
    tried += 1;
    const template: Template = { channel: 'email', subject: 's', html: attack.html, text: 't' };
    const started = performance.now();
    try {
      if (checkTemplateSyntax(template).length > 0) throw new Error('syntax');
      const out = await renderTemplate(template, { profile: { name: 'n' }, journey: { id: 'j' } });
      // Every attack here must be refused: one that renders has got through.
      if (out.html.length > 0) {
        leaked += 1;
        console.log(`  ${attack.name}: rendered ${out.html.length} characters`);
      } else refused += 1;
    } catch (error) {
      if (error instanceof Error && error.message.length > 0) refused += 1;
      else crashed += 1;
    }
    slowest = Math.max(slowest, performance.now() - started);
  }
  for (const value of HOSTILE_VALUES)
    for (const place of PLACES) {
      tried += 1;
      const template: Template = { channel: 'email', subject: 's', html: place.html, text: 't' };
      try {
        const out = await renderTemplate(template, { profile: { name: value }, journey: { id: 'j' } });
        if (place.leaked(out.html)) leaked += 1;
        else escaped += 1;
      } catch {
        crashed += 1;
      }
    }
  console.log('tried  refused-with-reason  escaped  leaked  crashed  slowest-ms');
  console.log(
    [tried, refused, escaped, leaked, crashed, Math.round(slowest)]
      .map((n, i) => String(n).padStart(i === 0 ? 5 : ([19, 7, 6, 7, 10][i - 1] ?? 6)))
      .join('  '),
  );
  readerFigures();
}

/** Rendered html at the size limit built to slow the link check: each read must stay linear in it. */
const READER_INPUTS: Record<string, string> = {
  'nested svg': '<svg width=1><foreignObject><style>a</style>'.repeat(12_000),
  attributes: `<a ${'b=c '.repeat(120_000)}`,
  'script comments': '<script><!--<script>'.repeat(25_000),
  tags: '<a href="https://shop.example/" title=x>'.repeat(12_000),
};

function readerFigures(): void {
  console.log('link check over                characters  ms');
  for (const [name, html] of Object.entries(READER_INPUTS)) {
    const started = performance.now();
    forbiddenHtmlLink(html);
    const ms = Math.round(performance.now() - started);
    console.log(`${name.padEnd(30)} ${String(html.length).padStart(10)}  ${ms}`);
  }
}
