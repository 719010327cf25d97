/**
 * File loading of a community battery's assembly rules (the I/O edge of ./community-battery.ts).
 *
 * API:
 *   loadCommunityBatteryRules(file = DEFAULT_COMMUNITY_BATTERY_RULES) -> CommunityBatteryRules   throws InputError
 *   DEFAULT_COMMUNITY_BATTERY_RULES   path of scenarios/data/community-battery-assembly.yaml
 */
import { fileURLToPath } from 'node:url';
import { parseYamlInput, readInputFile } from '../read-input.js';
import { type CommunityBatteryRules, parseCommunityBatteryRules } from './community-battery.js';

export const DEFAULT_COMMUNITY_BATTERY_RULES = fileURLToPath(
  new URL(
    import.meta.url.includes('/dist/')
      ? '../../../scenarios/data/community-battery-assembly.yaml'
      : '../../scenarios/data/community-battery-assembly.yaml',
    import.meta.url,
  ),
);

/** Reads and validates an assembly's rules YAML. */
export function loadCommunityBatteryRules(
  file: string = DEFAULT_COMMUNITY_BATTERY_RULES,
): CommunityBatteryRules {
  const text = readInputFile(file);
  return parseCommunityBatteryRules(parseYamlInput(text, file), file);
}
