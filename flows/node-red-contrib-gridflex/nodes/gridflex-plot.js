/**
 * gridflex-plot: rewires the table through the operator's control topics. Mode "place" puts an asset (a PV
 * panel, an EV, a heat pump, a battery) on a plot, or lifts it off; the hub moves its load to the plot's
 * feeder bus. Mode "wire" wires a plot (its pad and whatever sits on it) to another feeder bus and phase.
 * Checks the asset, plot and bus against the hub's table map before sending.
 */
const { isPlainObject } = require('../lib/message-body.js');
const { guardInput, refuse, sendControl, show, useHub } = require('../lib/node-kit.js');
const { check, loadProtocol, parseJson } = require('../lib/protocol.js');

module.exports = async function registerGridflexPlot(RED) {
  const protocol = await loadProtocol();

  function GridflexPlotNode(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const hub = useHub(RED, node, config.hub);
    /** The hub's latest table map (retained), to name what exists when a message names something that does not. */
    let tableMap = null;
    if (hub) {
      hub.watchAnswers();
      const stop = hub.client.subscribe(protocol.gridflexTopics.tableMap(), (_topic, payload) => {
        const parsed = check(protocol.TableMapSchema, parseJson(payload));
        if (!parsed.ok) return;
        if (!tableMap) {
          const { plots, assets } = parsed.data;
          show(node, 'green', 'dot', `table: ${plots.length} plots, ${assets.length} assets`);
        }
        tableMap = parsed.data;
      });
      node.on('close', stop);
    }

    guardInput(node, (msg, send, done) => {
      if (!hub) return refuse(node, msg, 'no GridFlex hub configured', done);
      if (config.mode === 'wire') {
        const body = wiring(config, msg.payload);
        const unknown = tableMap && unknownWiring(tableMap, body);
        if (unknown) return refuse(node, msg, unknown, done);
        return sendControl({
          node,
          hub,
          protocol,
          topic: protocol.controlTopics.tableWire(),
          schema: protocol.TableWireSchema,
          body,
          msg,
          send,
          done,
          summary: `wiring ${body.plot ?? '?'} → bus ${body.bus ?? '?'} phase ${body.phase ?? '?'}`,
        });
      }
      const body = placement(config, msg.payload);
      const unknown = tableMap && unknownNames(tableMap, body);
      if (unknown) return refuse(node, msg, unknown, done);
      return sendControl({
        node,
        hub,
        protocol,
        topic: protocol.controlTopics.tablePlace(),
        schema: protocol.TablePlaceSchema,
        body,
        msg,
        send,
        done,
        summary: `placement ${body.asset ?? '?'} → ${body.plot === null ? 'off the table' : (body.plot ?? '?')}`,
      });
    });
  }

  RED.nodes.registerType('gridflex-plot', GridflexPlotNode);
};

/** The placement a message asks for: `{asset, plot}` fields override the node's; a string is the plot; null lifts. */
function placement(config, payload) {
  const defaults = {
    ...(config.asset ? { asset: config.asset } : {}),
    ...(config.plot ? { plot: config.plot } : {}),
  };
  if (isPlainObject(payload)) return { ...defaults, ...payload };
  if (typeof payload === 'string') return { ...defaults, plot: payload };
  if (payload === null) return { ...defaults, plot: null };
  return defaults;
}

/** The wiring a message asks for: `{plot, bus, phase}` fields override the node's; a string is the bus. */
function wiring(config, payload) {
  const defaults = {
    ...(config.plot ? { plot: config.plot } : {}),
    ...(config.bus ? { bus: config.bus } : {}),
    ...(config.phase ? { phase: config.phase } : {}),
  };
  if (isPlainObject(payload)) return { ...defaults, ...payload };
  if (typeof payload === 'string') return { ...defaults, bus: payload };
  return defaults;
}

/** Why the hub would refuse this wiring (a plot or bus its table map does not list), or null. */
function unknownWiring(tableMap, body) {
  if (typeof body.plot === 'string' && !tableMap.plots.some((plot) => plot.plot === body.plot)) {
    return `unknown plot "${body.plot}" (the table has ${tableMap.plots.map((plot) => plot.plot).join(', ')})`;
  }
  if (typeof body.bus === 'string' && tableMap.buses && !tableMap.buses.includes(body.bus)) {
    return `unknown bus "${body.bus}" (plots can be wired to buses ${tableMap.buses.join(', ')})`;
  }
  return null;
}

/** Why the hub would ignore this placement (an asset or plot it does not know), or null. */
function unknownNames(tableMap, body) {
  if (typeof body.asset === 'string' && !tableMap.assets.some((asset) => asset.asset === body.asset)) {
    return `unknown asset "${body.asset}" (the table has ${tableMap.assets.map((asset) => asset.asset).join(', ')})`;
  }
  if (typeof body.plot === 'string' && !tableMap.plots.some((plot) => plot.plot === body.plot)) {
    return `unknown plot "${body.plot}" (the table has ${tableMap.plots.map((plot) => plot.plot).join(', ')})`;
  }
  return null;
}
