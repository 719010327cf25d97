import { gridflexTopics, ResidentPlanSchema } from '../../../protocol/gridflex.js';
import { planExchange } from '../../agents/plan-exchange.js';
import type { ControlAnswer, ControlRequest, Extension, HubContext } from './extension.js';

/**
 * Bring your own agent (policy `external`): carries each home's plan requests to its outside agent on
 * `gridflex/v1/agents/<home>/plan-request` and takes the plans it sends back on
 * `gridflex/control/v1/resident/<home>/plan` (the broker lets only the home's resident send them); a plan
 * that answers an old request or breaks a device limit is refused with the reason.
 */
export class ExternalAgentsExtension implements Extension {
  readonly name = 'external-agents';

  constructor(private readonly hub: HubContext) {}

  start(): void {
    planExchange.install((request) => {
      this.hub
        .publishJson(gridflexTopics.agentPlanRequest(request.home), request, false, 1)
        .catch((error: Error) => {
          this.hub.log('warn', `plan request for ${request.home} not sent: ${error.message}`);
        });
    });
    this.hub.controls.handle('resident-plan', (request) => this.takePlan(request));
  }

  stop(): void {
    planExchange.uninstall();
    this.hub.controls.remove('resident-plan');
  }

  private takePlan({ id, body }: ControlRequest): ControlAnswer {
    return planExchange.deliver(id as string, ResidentPlanSchema.parse(body));
  }
}
