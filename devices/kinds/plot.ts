import { GRIDFLEX_NODE_KINDS, gridflexNodeType, type HomieNode } from '../../protocol/homie.js';
import type { DeviceConfig } from '../config.js';
import type { Board, NfcReader } from '../drivers/types.js';
import type { DeviceNode, NodeLogger, PropertyValues } from './node.js';

type PlotConfig = Extract<DeviceConfig['nodes'][number], { kind: 'plot' }>;

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
