import { join } from 'node:path';
import type { Command } from 'commander';
import { protocolJsonSchema, protocolMarkdown } from '../docs/protocol-docs.js';
import { makeOutputDir, writeOutput } from './flags.js';

/** `gridflex protocol-docs`: regenerates docs/protocol.schema.json and docs/protocol.md from the zod schemas. */
export function registerProtocolCommand(program: Command): void {
  program
    .command('protocol-docs')
    .description('write the wire protocol as JSON Schema (protocol.schema.json) and Markdown (protocol.md)')
    .option('--out-dir <dir>', 'where to write them', 'docs')
    .action((flags: { outDir: string }) => {
      const schemaFile = join(flags.outDir, 'protocol.schema.json');
      const markdownFile = join(flags.outDir, 'protocol.md');
      makeOutputDir(flags.outDir);
      writeOutput(schemaFile, `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`);
      writeOutput(markdownFile, protocolMarkdown());
      process.stdout.write(`${schemaFile}\n${markdownFile}\n`);
    });
}
