import { journeyJsonSchema } from '#shared/journey/schema.ts';
import { writeOutputFile } from '../files.ts';

/** The JSON Schema text exactly as committed in journeys/journey.schema.json. */
export function journeySchemaText(): string {
  return `${JSON.stringify(journeyJsonSchema(), null, 2)}\n`;
}

/** `journeys schema [--out file]`: print or write the JSON Schema of the journey language. */
export async function schemaCommand(options: { out?: string }): Promise<void> {
  if (options.out === undefined) process.stdout.write(journeySchemaText());
  else await writeOutputFile(options.out, journeySchemaText());
}
