import type { Command } from 'commander';
import { planExchange } from '../agents/plan-exchange.js';
import { startStdioAgent } from '../agents/stdio-agent.js';
import { integerFlag } from './flags.js';

/** The flags of {@link addAgentOptions}. */
export interface AgentFlags {
  agent?: string;
  agentDeadlineMs: string;
}

/** `--agent` and `--agent-deadline-ms`: the team agent that plans for policy `external` (docs/agents.md). */
export function addAgentOptions(command: Command): Command {
  return command
    .option(
      '--agent <command>',
      'policy external: the team agent to start, plan requests on its stdin (docs/agents.md)',
    )
    .option(
      '--agent-deadline-ms <ms>',
      'policy external: how long each plan request waits for the agent',
      '2000',
    );
}

/**
 * Runs `body` with the team's agent started and answering this thread's plan requests (when `--agent` is
 * given), and stops the agent afterwards, also when `body` fails.
 */
export async function withAgent<T>(flags: AgentFlags, body: () => Promise<T>): Promise<T> {
  if (flags.agent === undefined) return body();
  const deadlineMs = integerFlag(flags.agentDeadlineMs, '--agent-deadline-ms', 1, 600_000);
  const agent = startStdioAgent(flags.agent, deadlineMs, planExchange, (message) =>
    process.stderr.write(`agent: ${message}\n`),
  );
  planExchange.install((request) => agent.ask(request));
  try {
    return await body();
  } finally {
    planExchange.uninstall();
    await agent.stop();
  }
}
