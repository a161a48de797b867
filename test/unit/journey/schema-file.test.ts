import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { journeySchemaText } from '#infra/cli/commands/schema.ts';

describe('journeys/journey.schema.json', () => {
  it('is the JSON Schema generated from the zod schema (run `npm run schema:write` when it is stale)', async () => {
    const committed = await readFile(
      fileURLToPath(new URL('../../../journeys/journey.schema.json', import.meta.url)),
      'utf8',
    );
    expect(committed).toBe(journeySchemaText());
  });

  it('documents fields for editors', () => {
    const schema = JSON.parse(journeySchemaText());
    expect(schema.properties.start.description).toBe('The first step.');
    expect(schema.properties.steps.additionalProperties.oneOf.length).toBe(12);
  });
});

describe('the JSON Schema editors use', () => {
  it('accepts every example journey and rejects a broken one', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    // A CommonJS module: its namespace's default is `module.exports`, whose `default` is the plugin.
    const { default: formats } = await import('ajv-formats');
    // Editors check `format` too (date-time, uri): the examples must pass them as an editor reads them.
    const ajv = new Ajv2020({ strict: false });
    formats.default(ajv);
    const validate = ajv.compile(JSON.parse(journeySchemaText()));
    const dir = fileURLToPath(new URL('../../../journeys/', import.meta.url));
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const journey = JSON.parse(await readFile(`${dir}${file}`, 'utf8'));
      expect({ file, valid: validate(journey), errors: validate.errors ?? null }).toEqual({
        file,
        valid: true,
        errors: null,
      });
    }
    expect(validate({ id: 'x', name: 'x', trigger: { type: 'event' }, start: 'a', steps: {} })).toBe(false);
    const example = JSON.parse(await readFile(`${dir}${files[0]}`, 'utf8'));
    expect(validate({ ...example, settings: { ...example.settings, endAt: 'next Tuesday' } })).toBe(false);
    expect(validate.errors).toContainEqual(expect.objectContaining({ instancePath: '/settings/endAt' }));
  });
});
