/**
 * The regulator's check of a tariff offer, shared with the hub (hub/table/live-market.ts is pure TypeScript
 * with type-only imports), so the supplier's editor explains a refusal in exactly the hub's words before sending.
 */
export { tariffProblems } from '../../../table/live-market.ts';
