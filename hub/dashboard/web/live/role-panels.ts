import { h } from '../lib/dom.ts';
import { assemblyPanel } from './roles/assembly.ts';
import type { PanelContext } from './roles/form-kit.ts';
import { clockControls, placePanel, policyPanel } from './roles/operator.ts';
import { pinBiasPanel } from './roles/pin-bias.ts';
import { redTeamPanel } from './roles/red-team.ts';
import { regulatorPanel } from './roles/regulator.ts';
import { residentPanel } from './roles/resident.ts';
import { supplierPanel } from './roles/supplier.ts';

/** The panels a role gets (the broker's ACLs allow the same controls and refuse all others). */
export function panelsFor(context: PanelContext): HTMLElement[] {
  const [role, id] = context.session.role.split(':');
  switch (role) {
    case 'regulator':
      return [clockControls(context), regulatorPanel(context)];
    case 'operator':
      return [
        clockControls(context),
        policyPanel(context),
        placePanel(context),
        pinBiasPanel(context),
        redTeamPanel(context),
      ];
    case 'supplier':
      return id ? [supplierPanel(context, id)] : [];
    case 'resident':
      return id ? [residentPanel(context, id)] : [];
    case 'assembly':
      return [assemblyPanel(context)];
    default:
      return [
        h(
          'p',
          { class: 'small muted' },
          `Role ${context.session.role} only watches: the panels are for the regulator, suppliers, residents, the assembly and the operator.`,
        ),
      ];
  }
}
