import { type AuditEntry, CONTROL_ROOT, controlTopics } from '../../protocol/gridflex.js';

/** What a control topic is for, and whose it is. */
export interface ControlTarget {
  action: AuditEntry['action'];
  /** The role the broker's ACL lets publish here (e.g. `supplier:octo`). */
  topicRole: string;
  /** The supplier or home named in the topic, if any. */
  id?: string;
}

/** Classifies a topic under `gridflex/control/v1/`; `unknown` when no control lives there. */
export function controlTarget(topic: string): ControlTarget {
  const parts = topic.slice(CONTROL_ROOT.length + 1).split('/');
  const [area, id, leaf] = parts;
  if (topic === controlTopics.regulatorRules()) return { action: 'regulator-rules', topicRole: 'regulator' };
  if (topic === controlTopics.clock()) return { action: 'clock', topicRole: 'operator or regulator' };
  if (topic === controlTopics.tablePlace()) return { action: 'table-place', topicRole: 'operator' };
  if (topic === controlTopics.tableWire()) return { action: 'table-wire', topicRole: 'operator' };
  if (topic === controlTopics.tablePolicy()) return { action: 'table-policy', topicRole: 'operator' };
  if (topic === controlTopics.tableRedTeam()) return { action: 'table-red-team', topicRole: 'operator' };
  if (topic === controlTopics.tablePinBias()) return { action: 'table-pin-bias', topicRole: 'operator' };
  if (topic === controlTopics.assemblyBatteryRules())
    return { action: 'assembly-battery-rules', topicRole: 'assembly' };
  if (parts.length === 3 && area === 'supplier' && id && leaf === 'tariff') {
    return { action: 'supplier-tariff', topicRole: `supplier:${id}`, id };
  }
  if (parts.length === 3 && area === 'resident' && id && leaf === 'preferences') {
    return { action: 'resident-preferences', topicRole: `resident:${id}`, id };
  }
  if (parts.length === 3 && area === 'resident' && id && leaf === 'boost') {
    return { action: 'resident-boost', topicRole: `resident:${id}`, id };
  }
  if (parts.length === 3 && area === 'resident' && id && leaf === 'tariff') {
    return { action: 'resident-tariff', topicRole: `resident:${id}`, id };
  }
  if (parts.length === 3 && area === 'resident' && id && leaf === 'agent-call') {
    return { action: 'resident-agent-call', topicRole: `resident:${id}`, id };
  }
  if (parts.length === 3 && area === 'resident' && id && leaf === 'plan') {
    return { action: 'resident-plan', topicRole: `resident:${id}`, id };
  }
  return { action: 'unknown', topicRole: 'unknown' };
}

/** The sender's role in a broker's "<role> may not publish here" refusal, if it names one. */
export function roleInDenial(reason: string): string | undefined {
  return /^(\S+) may not publish here$/.exec(reason)?.[1];
}
