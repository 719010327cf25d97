import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandToRun } from '../../../hub/commands/index.js';

const cli = (...args: string[]) => spawnSync('node', ['dist/hub/cli.js', ...args], { encoding: 'utf8' });

describe('gridflex loads only the subcommand it runs', () => {
  it.each(COMMANDS.map((command) => [command.name, command] as const))(
    '%s: the root help lists it as its module defines it',
    async (name, listed) => {
      const program = new Command('gridflex');
      for (const register of await listed.load()) register(program);
      const defined = program.commands.find((command) => command.name() === name);
      expect(defined?.description()).toBe(listed.description);
      expect((defined?.options.length ?? 0) > 0).toBe(listed.hasOptions);
    },
  );

  it('picks the command from the first word or the word after help, and none for root options', () => {
    expect(commandToRun(['powerflow', '--feeder', 'x'])?.name).toBe('powerflow');
    expect(commandToRun(['help', 'study'])?.name).toBe('study');
    expect(commandToRun(['--help'])).toBeUndefined();
    expect(commandToRun(['-h', 'powerflow'])).toBeUndefined();
    expect(commandToRun(['bogus'])).toBeUndefined();
    expect(commandToRun([])).toBeUndefined();
  });

  it('root help lists every command, with [options] where it takes them', () => {
    const help = cli('--help');
    expect(help.status).toBe(0);
    for (const command of COMMANDS) {
      const term = command.hasOptions ? `${command.name} \\[options\\]` : command.name;
      expect(help.stdout).toMatch(new RegExp(`^  ${term} +\\S`, 'm'));
    }
    expect(help.stdout).not.toContain('--listed');
  });

  it('an unknown command is refused with exit code 2, as before', () => {
    const result = cli('bogus');
    expect(result.stderr).toBe("error: unknown command 'bogus'\n");
    expect(result.status).toBe(2);
  });

  it('help NAME prints the full help of that command', () => {
    const result = cli('help', 'powerflow');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--feeder <dir>');
  });
});
