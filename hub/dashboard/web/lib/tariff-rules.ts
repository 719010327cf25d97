/**
 * The regulator's check of a tariff offer, shared with the hub (hub/market/tariff-problems.ts reaches only the
 * market's rules), so the supplier's editor explains a refusal in exactly the hub's words before sending.
 */
export { tariffProblems } from '../../../market/tariff-problems.ts';
