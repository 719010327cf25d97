import { z } from 'zod';
import {
  GRIDFLEX_NODE_KINDS,
  gridflexNodeType,
  HomieIdSchema,
  type HomieNode,
} from '../../protocol/homie.js';
import type { Board, DigitalOut, NfcReader } from '../drivers/types.js';
import type { EbusHook } from '../ebus.js';
import { DigitalPinSchema, NfcReaderSchema, NodeIdField, TagUidSchema } from '../node-parts.js';
import { defineDeviceKind } from './device-kind.js';
import {
  type DeviceNode,
  ledsLit,
  type NodeLogger,
  type PropertyValue,
  type PropertyValues,
} from './node.js';

export const EvPadNodeSchema = z.strictObject({
  kind: z.literal('ev-pad'),
  ...NodeIdField,
  padId: HomieIdSchema,
  /** The plot the pad sits on. */
  plot: HomieIdSchema,
  reader: NfcReaderSchema,
  /** Tag UID → EV ID: which matchbox EV each tag names. */
  tags: z.record(TagUidSchema, HomieIdSchema).default({}),
  /** LEDs showing charge level, lowest first (lit in proportion to soc-pct). */
  ledPins: z.array(DigitalPinSchema).max(10).default([]),
});
type EvPadConfig = z.infer<typeof EvPadNodeSchema>;

/** The NFC charging pad's kind: a reader and an LED bar. */
export const evPad = defineDeviceKind({
  kind: 'ev-pad',
  schema: EvPadNodeSchema,
  create: (id, config, log) => new EvPadNode(id, config, log),
  checkWiring: (node, checks, at) => {
    checks.useReader(node.reader, at('reader'));
    node.ledPins.forEach((pin, i) => {
      checks.usePin(pin, at('ledPins', i));
    });
  },
  hasReader: () => true,
});

/**
 * An NFC charging pad at a plot. A tag on the pad names an EV (placing plugs it in at the pad's plot,
 * lifting unplugs it); the hub sets the EV's charge level, which the pad shows on its LED bar.
 */
export class EvPadNode implements DeviceNode {
  /** The EV's charge on the pad. */
  readonly ebus: EbusHook = { soc: true };
  private reader: NfcReader | undefined;
  private leds: DigitalOut[] = [];
  private socPct = 0;
  private lastUid: string | null | undefined;

  constructor(
    readonly id: string,
    private readonly config: EvPadConfig,
    private readonly log: NodeLogger,
  ) {}

  describe(): HomieNode {
    return {
      name: `EV pad ${this.config.padId}`,
      type: gridflexNodeType('ev-pad'),
      properties: { ...GRIDFLEX_NODE_KINDS['ev-pad'] },
    };
  }

  async attach(board: Board): Promise<void> {
    this.reader = await board.nfcReader(this.config.reader, this.id);
    this.leds = [];
    for (const pin of this.config.ledPins) this.leds.push(await board.digitalOut(pin));
    await this.showCharge();
  }

  async sample(): Promise<PropertyValues> {
    const uid = await (this.reader as NfcReader).poll();
    const evId = uid === null ? '' : (this.config.tags[uid] ?? '');
    if (uid !== this.lastUid) {
      if (uid === null) this.log('info', `${this.id}: pad ${this.config.padId} is free`);
      else if (evId === '') this.log('warn', `${this.id}: unknown tag ${uid} on pad ${this.config.padId}`);
      else this.log('info', `${this.id}: ${evId} (tag ${uid}) placed on pad ${this.config.padId}`);
      this.lastUid = uid;
    }
    return {
      'pad-id': this.config.padId,
      'plot-id': this.config.plot,
      'tag-uid': uid ?? '',
      'ev-id': evId,
      present: uid !== null,
      'soc-pct': this.socPct,
    };
  }

  async set(propertyId: string, value: PropertyValue): Promise<PropertyValues> {
    if (propertyId !== 'soc-pct' || typeof value !== 'number') return {};
    this.socPct = value;
    await this.showCharge();
    return { 'soc-pct': value };
  }

  private async showCharge(): Promise<void> {
    const lit = ledsLit(this.socPct, this.leds.length);
    for (const [index, led] of this.leds.entries()) await led.write(index < lit);
  }
}
