import { createHash } from 'node:crypto';
import {
  EBUS_DATA_MODEL_VERSIONS,
  EBUS_DEVICE_TYPES,
  type EbusDescription,
  ebusActivePowerW,
  ebusNode,
  ebusTopics,
} from '../../../protocol/ebus.js';
import { formatHomieValue, HOMIE_VERSION, type HomieValue } from '../../../protocol/homie.js';
import type { SolvedEvent } from '../event-bus.js';
import type { HubLink } from '../link.js';
import type { Extension, HubContext } from './extension.js';

/** The street's root device; each home's connection point is its child `street-<home>`. */
export const EBUS_STREET_ID = 'gridflex-street';
/** The supply's nominal figures (230 V, 50 Hz: the statutory band 216.2–253 V is around 230 V). */
const NOMINAL_VOLTS = 230;
const NOMINAL_HZ = 50;

interface ConnectionPoint {
  home: string;
  deviceId: string;
}

/**
 * The street in the Electrification Bus vocabulary, so an eBus consumer sees it without knowing GridFlex: each
 * home's connection point is an `energy.ebus.device.utility-meter` (data-models/utility-meter.md) with its bus's
 * phase voltages (`voltage-a/b/c`) and the home's net power (`active-power`, W, positive imported), children of
 * one root device whose `meter` is the street's total (eBus: the parent aggregates its children). They go under
 * eBus's own domain, `ebus/5/…`, retained; the values follow each step's power flow. `$state` follows the hub:
 * `init` while the descriptions go out, `ready` with the first values, `disconnected` when the hub stops, and
 * on an external broker `lost` as the last will of the connection they go out on (their own; the embedded broker
 * goes with the hub).
 */
export class EbusStreetExtension implements Extension {
  readonly name = 'ebus-street';
  private readonly points: ConnectionPoint[];
  /** The payload last sent per value topic: a step sends only what changed. */
  private readonly sent = new Map<string, string>();
  private ready = false;
  /** The connection the street goes out on: its own on an external broker, for the root's last will. */
  private link: HubLink;

  constructor(private readonly hub: HubContext) {
    const homes = new Set(hub.map.plots.flatMap((plot) => (plot.home === undefined ? [] : [plot.home])));
    // Homie IDs do not end with a hyphen; a map's home IDs may.
    this.points = [...homes]
      .filter((home) => !home.endsWith('-'))
      .map((home) => ({ home, deviceId: `street-${home}` }));
    this.link = hub.link;
  }

  async start(): Promise<void> {
    const { bus, link } = this.hub;
    // Homie 5: the root's will is `lost`, which its children share.
    const own = await link.withWill?.('gridflex-hub-ebus', {
      topic: ebusTopics.state(EBUS_STREET_ID),
      payload: 'lost',
    });
    if (own !== undefined) {
      this.link = own;
      own.onReconnect(() => {
        this.announce().catch((error: Error) => this.hub.log('warn', `eBus street: ${error.message}`));
      });
    }
    bus.on('started', this, () => this.announce());
    bus.on('reconnected', this, () => this.announce());
    bus.on('published', this, (event) => this.publishValues(event));
  }

  async stop(): Promise<void> {
    this.hub.bus.removeListeners(this);
    await this.publishStates('disconnected');
    if (this.link !== this.hub.link) await this.link.close();
  }

  /** `init`, then the descriptions and the values that never change; `ready` follows with the first values. */
  private async announce(): Promise<void> {
    this.ready = false;
    this.sent.clear();
    const sent = [
      this.publishStates('init'),
      this.publish(ebusTopics.description(EBUS_STREET_ID), JSON.stringify(this.rootDescription())),
    ];
    for (const point of this.points) {
      sent.push(
        this.publish(ebusTopics.description(point.deviceId), JSON.stringify(this.meterDescription(point))),
        this.publishValue(point.deviceId, 'info', this.info(point.deviceId)),
        this.publishValue(point.deviceId, 'status', { 'communication-state': 'OK' }),
      );
    }
    await Promise.all(sent);
  }

  private async publishValues({ result }: SolvedEvent): Promise<void> {
    const volts = new Map(result.buses.buses.map((bus) => [bus.bus, bus.vVolts]));
    const homes = new Map(result.homes.map((home) => [home.home, home]));
    let streetW = 0;
    const sent: Promise<void>[] = [];
    for (const point of this.points) {
      const home = homes.get(point.home);
      if (home === undefined) continue;
      const [a, b, c] = (volts.get(home.bus) ?? []).map((v) => Math.round(v * 10) / 10);
      const activeW = ebusActivePowerW(home.netPKw, 'in');
      streetW += activeW;
      sent.push(
        this.publishValue(point.deviceId, 'meter', {
          'active-power': activeW,
          ...(a === undefined ? {} : { 'voltage-a': a }),
          ...(b === undefined ? {} : { 'voltage-b': b }),
          ...(c === undefined ? {} : { 'voltage-c': c }),
        }),
      );
    }
    sent.push(this.publishValue(EBUS_STREET_ID, 'meter', { 'active-power': Math.round(streetW * 10) / 10 }));
    await Promise.all(sent);
    if (this.ready) return;
    this.ready = true;
    await this.publishStates('ready');
  }

  /**
   * Children first and the root last (one connection keeps that order): a consumer that sees the root ready finds
   * its children ready too. Sent together, so a broker that is down costs one acknowledgement wait, not one each.
   */
  private async publishStates(state: 'init' | 'ready' | 'disconnected'): Promise<void> {
    const ids = [...this.points.map((point) => point.deviceId), EBUS_STREET_ID];
    await Promise.all(ids.map((deviceId) => this.publish(ebusTopics.state(deviceId), state)));
  }

  /** Sends the values of one node that changed since they last went out. */
  private async publishValue(deviceId: string, nodeId: string, values: Record<string, HomieValue>) {
    const sent: Promise<void>[] = [];
    for (const [propertyId, value] of Object.entries(values)) {
      const topic = ebusTopics.property(deviceId, nodeId, propertyId);
      const payload = formatHomieValue(value);
      if (this.sent.get(topic) === payload) continue;
      this.sent.set(topic, payload);
      sent.push(this.publish(topic, payload));
    }
    await Promise.all(sent);
  }

  private publish(topic: string, payload: string): Promise<void> {
    return this.link.publish(topic, payload, { retain: true, qos: 1 });
  }

  private rootDescription(): EbusDescription {
    return withVersion({
      homie: HOMIE_VERSION,
      name: `${this.hub.network.name} street`,
      type: 'org.gridflex.device.street',
      children: this.points.map((point) => point.deviceId),
      nodes: { meter: ebusNode('meter', 'All connection points', ['active-power']) },
    });
  }

  private meterDescription(point: ConnectionPoint): EbusDescription {
    return withVersion({
      homie: HOMIE_VERSION,
      name: `Connection point of ${point.home}`,
      type: EBUS_DEVICE_TYPES.utilityMeter,
      root: EBUS_STREET_ID,
      parent: EBUS_STREET_ID,
      nodes: {
        info: ebusNode('info', 'Identity', [
          'vendor-name',
          'serial-number',
          'data-model-version',
          'phases',
          'nominal-frequency',
          'nominal-voltage-line-to-neutral',
        ]),
        meter: ebusNode('meter', 'Connection point', ['active-power', 'voltage-a', 'voltage-b', 'voltage-c']),
        status: ebusNode('status', 'Meter status', ['communication-state']),
      },
    });
  }

  private info(deviceId: string): Record<string, HomieValue> {
    return {
      'vendor-name': 'GridFlex',
      'serial-number': deviceId,
      'data-model-version': EBUS_DATA_MODEL_VERSIONS[EBUS_DEVICE_TYPES.utilityMeter],
      // The connection point sits on the street's three-phase cable: the meter sees all three phases.
      phases: 3,
      'nominal-frequency': NOMINAL_HZ,
      'nominal-voltage-line-to-neutral': NOMINAL_VOLTS,
    };
  }
}

/** The description with its `version`: an integer that changes whenever the description does (Homie 5). */
function withVersion(body: Omit<EbusDescription, 'version'>): EbusDescription {
  const digest = createHash('sha256').update(JSON.stringify(body)).digest();
  return { ...body, version: digest.readUInt32BE(0) >>> 1 };
}
