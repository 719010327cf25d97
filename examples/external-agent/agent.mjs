#!/usr/bin/env node
// A team's own planner for one home (policy `external`, docs/agents.md): it answers the hub's plan
// requests with an EV plan that charges in the cheapest half-hours before the ready-by time, and leaves
// the heat pump and battery to the hub's built-in plan. Start from this file: change planEv().
//
//   GRIDFLEX_USERNAME=resident-3 GRIDFLEX_PASSWORD=… node examples/external-agent/agent.mjs \
//     --broker mqtt://127.0.0.1:1883 --home home-3
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';

const { values: flags } = parseArgs({
  options: {
    broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    home: { type: 'string' },
    stdio: { type: 'boolean', default: false },
  },
});

/** Charging losses of a home charger (the hub's EVs: 90 % round trip). */
const CHARGE_EFFICIENCY = Math.sqrt(0.9);

/**
 * kW for each half-hour: enough energy to reach the target state of charge, in the cheapest half-hours
 * the car is at home before it leaves (the next ready-by time).
 */
export function planEv(request) {
  const { limits, preferences, stepMinutes, horizonSteps } = request;
  const evKw = new Array(horizonSteps).fill(0);
  if (limits.evMaxChargeKw === undefined || request.evSocKwh === undefined) return { evKw, note: 'no EV' };
  const targetKwh = (limits.evCapacityKwh * preferences.evTargetSocPct) / 100;
  let neededKwh = Math.max(0, targetKwh - request.evSocKwh) / CHARGE_EFFICIENCY;
  const stepHours = stepMinutes / 60;
  const minutesToReady = (preferences.evReadyByMinute - request.minuteOfDay + 1440) % 1440;
  const window = Math.min(horizonSteps, Math.floor(minutesToReady / stepMinutes));
  const slots = [...Array(window).keys()]
    .filter((step) => request.evAtHome[step] === 1)
    .sort((a, b) => request.importPriceGbpPerKwh[a] - request.importPriceGbpPerKwh[b]);
  for (const step of slots) {
    if (neededKwh <= 1e-6) break;
    const kw = Math.min(limits.evMaxChargeKw, neededKwh / stepHours);
    evKw[step] = Number(kw.toFixed(3));
    neededKwh -= kw * stepHours;
  }
  const charging = evKw.filter((kw) => kw > 0).length;
  return {
    evKw,
    note: `EV charges in the ${charging} cheapest half-hours before ${clock(preferences.evReadyByMinute)}`,
  };
}

function clock(minuteOfDay) {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}

/** Over the hub's broker, as the home's resident: requests in, plans out, the hub's refusals shown. */
function serveMqtt() {
  const username = process.env.GRIDFLEX_USERNAME;
  const password = process.env.GRIDFLEX_PASSWORD;
  if (!flags.home || !username || !password) {
    console.error(
      'usage: GRIDFLEX_USERNAME=… GRIDFLEX_PASSWORD=… agent.mjs --home <home> [--broker mqtt://host:port]',
    );
    process.exit(2);
  }
  const requestTopic = `gridflex/v1/agents/${flags.home}/plan-request`;
  const planTopic = `gridflex/control/v1/resident/${flags.home}/plan`;
  const client = mqtt.connect(flags.broker, {
    username,
    password,
    clientId: `agent-${flags.home}-${process.pid}`,
  });
  client.on('error', (error) => {
    console.error(`broker: ${error.message}`);
    process.exit(1);
  });
  client.on('connect', async () => {
    await client.subscribeAsync([requestTopic, 'gridflex/v1/audit'], { qos: 1 });
    console.log(`agent ready for ${flags.home}`);
  });
  client.on('message', (topic, payload) => {
    const body = JSON.parse(payload.toString());
    if (topic === 'gridflex/v1/audit') {
      if (body.topic === planTopic && !body.accepted) console.error(`plan refused: ${body.reason}`);
      return;
    }
    const { evKw, note } = planEv(body);
    client.publish(planTopic, JSON.stringify({ requestId: body.requestId, evKw, explanation: note }), {
      qos: 1,
    });
    console.log(`${body.requestId}: ${note}`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => client.end(false, () => process.exit(0)));
}

/** For `gridflex run --agent`: one request a line on stdin, one plan a line on stdout (logs on stderr). */
function serveStdio() {
  createInterface({ input: process.stdin }).on('line', (line) => {
    const request = JSON.parse(line);
    const { evKw, note } = planEv(request);
    process.stdout.write(`${JSON.stringify({ requestId: request.requestId, evKw, explanation: note })}\n`);
  });
}

if (flags.stdio) serveStdio();
else serveMqtt();
