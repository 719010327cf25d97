import { z } from 'zod';
import {
  GRIDFLEX_NODE_KINDS,
  gridflexNodeType,
  HomieIdSchema,
  type HomieNode,
} from '../../protocol/homie.js';
import type { Board, NfcReader } from '../drivers/types.js';
import { NfcReaderSchema, NodeIdField, TagUidSchema } from '../node-parts.js';
import { defineDeviceKind } from './device-kind.js';
import type { DeviceNode, NodeLogger, PropertyValues } from './node.js';

export const PlotNodeSchema = z.strictObject({
  kind: z.literal('plot'),
  ...NodeIdField,
  /** A fixed plot (a board glued to its house) … */
  plot: HomieIdSchema.optional(),
  /** … or an NFC reader under the asset that reads the plot's tag. */
  reader: NfcReaderSchema.optional(),
  /** Tag UID → plot ID for the reader. */
  tags: z.record(TagUidSchema, HomieIdSchema).default({}),
});
type PlotConfig = z.infer<typeof PlotNodeSchema>;

/** The plot identifier's kind: a fixed plot or an NFC reader, not both. */
export const plot = defineDeviceKind({
  kind: 'plot',
  schema: PlotNodeSchema,
  create: (id, config, log) => new PlotNode(id, config, log),
  checkWiring: (node, checks, at) => {
    if ((node.plot === undefined) === (node.reader === undefined)) {
      checks.issue(at('plot'), 'give either a fixed plot or an NFC reader');
    }
    if (node.reader !== undefined) checks.useReader(node.reader, at('reader'));
  },
  hasReader: (node) => node.reader !== undefined,
});

/** Where the board sits: a fixed plot, or the plot whose tag the board's NFC reader sees. */
export class PlotNode implements DeviceNode {
  private reader: NfcReader | undefined;
  private lastPlot: string | undefined;

  constructor(
    readonly id: string,
    private readonly config: PlotConfig,
    private readonly log: NodeLogger,
  ) {}

  describe(): HomieNode {
    return {
      name: 'Plot identifier',
      type: gridflexNodeType('plot'),
      properties: { ...GRIDFLEX_NODE_KINDS.plot },
    };
  }

  async attach(board: Board): Promise<void> {
    if (this.config.reader !== undefined) this.reader = await board.nfcReader(this.config.reader, this.id);
  }

  async sample(): Promise<PropertyValues> {
    let plot = this.config.plot ?? '';
    if (this.reader !== undefined) {
      const uid = await this.reader.poll();
      plot = uid === null ? '' : (this.config.tags[uid] ?? '');
      if (uid !== null && this.config.tags[uid] === undefined)
        this.log('warn', `${this.id}: unknown plot tag ${uid}`);
    }
    if (plot !== this.lastPlot)
      this.log('info', plot === '' ? `${this.id}: off the table` : `${this.id}: on ${plot}`);
    this.lastPlot = plot;
    return { 'plot-id': plot };
  }

  async set(): Promise<PropertyValues> {
    return {};
  }
}
