import { afterEach, describe, expect, it, vi } from 'vitest';
import { STEP_LIMIT_REASON, TEMPLATE_LIMITS } from '#shared/template-bounds.ts';
import { checkTemplateSyntax, renderTemplate, type Template } from '#shared/templates.ts';

/**
 * A render is bounded by counts, never by the clock: the same template and
 * data pass or fail the same way on an idle laptop, a loaded CI machine and
 * AWS. A "slow machine" here is a clock that jumps a minute each time anyone
 * reads it: a bound that read the clock would fail every render under it.
 */

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ n: i, name: `item ${i}` }));
const context = (list: unknown[] = []) => ({ profile: { items: list }, journey: { id: 'j' } });
const email = (html: string): Template => ({ channel: 'email', subject: 'x', text: 'x', html });

/** `{% for %}` over a range with an empty body: one step for the output, one for the tag, one per pass. */
const emptyLoop = (passes: number) => `{% for i in (1..${passes}) %}{% endfor %}`;
const UNDER = TEMPLATE_LIMITS.steps - 2;

function slowClock(): void {
  let now = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => {
    now += 60_000;
    return now;
  });
}

async function outcome(template: Template, data = context()): Promise<string> {
  try {
    const rendered = await renderTemplate(template, data);
    return `rendered ${JSON.stringify(rendered).length} characters`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the render bound', () => {
  it('renders a loop just under the step bound, and fails one pass more with the step reason', async () => {
    // act
    const under = await outcome(email(emptyLoop(UNDER)));
    const over = await outcome(email(emptyLoop(UNDER + 1)));
    // assert
    expect(under).toMatch(/^rendered/);
    expect(over).toBe(`html: ${STEP_LIMIT_REASON}`);
  });

  it('gives the same outcomes on a clock that runs a minute per reading', async () => {
    // arrange
    const templates = [
      email(emptyLoop(UNDER)),
      email(emptyLoop(UNDER + 1)),
      email('<p>{{ journey.id }}</p>'),
    ];
    const calm = await Promise.all(templates.map((t) => outcome(t)));
    // act
    slowClock();
    const loaded = [];
    for (const template of templates) loaded.push(await outcome(template));
    // assert: the clock was read (liquidjs still hands it over) and changed nothing
    expect(vi.mocked(performance.now)).toHaveBeenCalled();
    expect(loaded).toEqual(calm);
    expect(loaded[0]).toMatch(/^rendered/);
  });

  it('counts every pass of nested loops over customer data', async () => {
    // arrange: 60 × 60 × 60 passes, though no range is written
    const html =
      '{% for a in profile.items %}{% for b in profile.items %}{% for c in profile.items %}{% endfor %}{% endfor %}{% endfor %}';
    // act / assert
    expect(await outcome(email(html), context(items(60)))).toBe(`html: ${STEP_LIMIT_REASON}`);
    expect(await outcome(email(html), context(items(20)))).toMatch(/^rendered/);
  });

  it('counts the cells of nested tablerows', async () => {
    // arrange
    const html =
      '{% tablerow a in profile.items %}{% tablerow b in profile.items %}{{ b.n }}{% endtablerow %}{% endtablerow %}';
    // act / assert
    expect(await outcome(email(html), context(items(320)))).toBe(`html: ${STEP_LIMIT_REASON}`);
    expect(await outcome(email(html), context(items(50)))).toMatch(/^rendered/);
  });

  it('renders a catalogue of a thousand items', async () => {
    // arrange
    const html =
      '{% for it in profile.items %}<tr><td>{{ it.n }}</td><td>{{ it.name | upcase }}</td><td>{% if it.n > 5 %}big{% else %}small{% endif %}</td></tr>{% endfor %}';
    // act
    const rendered = await renderTemplate(email(html), context(items(1000)));
    // assert
    expect('html' in rendered && rendered.html).toContain('<td>999</td><td>ITEM 999</td><td>big</td>');
  });

  it('counts what a capture holds: one that doubles itself fails on memory within a few passes', async () => {
    // arrange: 40 doublings would be a trillion characters
    const html =
      '{% assign s = "ab" %}{% for i in (1..40) %}{% capture s %}{{ s | raw }}{{ s | raw }}{% endcapture %}{% endfor %}{{ s | size }}';
    // act
    const result = await outcome(email(html));
    // assert
    expect(result).toMatch(/^html: the template makes more than 20,000,000 characters or list items/);
  });

  it('stops an assign that doubles itself on memory', async () => {
    // arrange
    const html =
      '{% assign s = "ab" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}';
    // act / assert
    expect(await outcome(email(html))).toMatch(/^html: the template makes more than 20,000,000 characters/);
  });
});

describe('the step bound at authoring time', () => {
  const WRITTEN = [
    emptyLoop(UNDER),
    emptyLoop(UNDER + 1),
    '{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}',
    '{% for i in (1..400) %}{% for j in (1..498) %}{% endfor %}{% endfor %}',
    '{% for i in (1..400) %}{% for j in (1..499) %}{% endfor %}{% endfor %}',
    '{% capture s %}{% tablerow i in (1..100000) %}{{ i }}{% endtablerow %}{% endcapture %}',
    '{% for i in (1..99999) %}{{ i }}{% endfor %}',
  ];

  it.each(WRITTEN)('refuses %s exactly when every render of it fails on steps', async (html) => {
    // act
    const refused = checkTemplateSyntax(email(html)).some((p) => p.kind === 'steps');
    const failed = (await outcome(email(html))) === `html: ${STEP_LIMIT_REASON}`;
    // assert
    expect(refused).toBe(failed);
  });

  it('says where the loops are and how many steps they take', () => {
    // act
    const problems = checkTemplateSyntax(email(`<p>hi</p>\n${emptyLoop(300_000)}`));
    // assert
    expect(problems).toEqual([
      {
        field: 'html',
        kind: 'steps',
        message:
          'its loops over written ranges (line 2, column 1) take at least 300,003 render steps whatever the data, over the 200,000 a render may take: every send would fail',
      },
    ]);
  });

  it.each([
    ['a loop over data', '{% for a in profile.items %}{% for b in profile.items %}{% endfor %}{% endfor %}'],
    ['a loop that may break', '{% for i in (1..900000) %}{% if i > 3 %}{% break %}{% endif %}{% endfor %}'],
    ['a loop with a limit', '{% for i in (1..900000) limit: 5 %}{% endfor %}'],
    ['a loop in a branch', '{% if profile.vip %}{% for i in (1..900000) %}{% endfor %}{% endif %}'],
  ])('leaves %s to the render', (_name, html) => {
    // act / assert
    expect(checkTemplateSyntax(email(html))).toEqual([]);
  });
});
