import { Command } from 'commander';
import { compileCommand } from './commands/compile.ts';
import { graphCommand } from './commands/graph.ts';
import { schemaCommand } from './commands/schema.ts';
import { validateCommand } from './commands/validate.ts';
import { fail } from './output.ts';

const program = new Command()
  .name('journeys')
  .description('Customer journeys on AWS Step Functions: validate, visualise, compile and run journeys.')
  .showHelpAfterError();

program
  .command('validate')
  .description('check journey files: every problem, with its path; exit 1 on any')
  .argument('<files...>', 'journey JSON files (journeys/*.json)')
  .option('--json', 'machine-readable report')
  .option('--templates <dir>', 'templates folder (default: templates/ beside each journey)')
  .action(validateCommand);

program
  .command('graph')
  .description('print a Mermaid flowchart of a journey')
  .argument('<file>', 'journey JSON file')
  .option('--markdown', 'wrap it in a ```mermaid block')
  .action(graphCommand);

program
  .command('compile')
  .description('print the Amazon States Language definition of a journey')
  .argument('<file>', 'journey JSON file')
  .option('--out <file>', 'write it to a file instead')
  .option('--templates <dir>', 'templates folder (default: templates/ beside the journey)')
  .action(compileCommand);

program
  .command('schema')
  .description('print the JSON Schema of the journey language')
  .option('--out <file>', 'write it to a file instead')
  .action(schemaCommand);

program.parseAsync(process.argv).catch((error: unknown) => {
  fail(error instanceof Error ? error.message : String(error));
});
