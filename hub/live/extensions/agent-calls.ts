import { ResidentAgentCallSchema } from '../../../protocol/gridflex.js';
import type { ControlAnswer, ControlRequest, Extension, HubContext } from './extension.js';

/**
 * Residents' AI agents (`gridflex mcp`): each tool call they make is reported on
 * `gridflex/control/v1/resident/<home>/agent-call`, kept in the audit log with who made it, and shown in the
 * room's event feed. The broker's ACL lets only the home's resident report for that home.
 */
export class AgentCallsExtension implements Extension {
  readonly name = 'agent-calls';

  constructor(private readonly hub: HubContext) {}

  start(): void {
    this.hub.controls.handle('resident-agent-call', (request) => this.record(request));
  }

  stop(): void {
    this.hub.controls.remove('resident-agent-call');
  }

  private record({ id, who, body }: ControlRequest): ControlAnswer {
    const home = id as string;
    const call = ResidentAgentCallSchema.parse(body);
    const verb = call.outcome === 'ok' ? '' : ` (${call.outcome})`;
    this.hub.activity.event({
      kind: 'agent-call',
      severity: call.outcome === 'ok' ? 'info' : 'warning',
      message: `${home}’s agent: ${call.tool}${verb}: ${call.summary}`,
      home,
    });
    return { accepted: true, reason: `${who}: ${call.tool} ${call.outcome}` };
  }
}
