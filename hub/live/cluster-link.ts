import type { Aedes } from 'aedes';
import { subscribeRelayed } from '../broker/cluster.js';
import { InProcessLink, type SenderMessageHandler } from './link.js';

/**
 * The simulation core in one node of a broker cluster (`gridflex hub --cluster`): as {@link InProcessLink}, and
 * the messages that clients of the other nodes send on a sender filter come relayed with their sender.
 */
export class ClusterLink extends InProcessLink {
  constructor(private readonly node: Aedes) {
    super(node);
  }

  override async subscribeWithSender(filter: string, handler: SenderMessageHandler): Promise<void> {
    await super.subscribeWithSender(filter, handler);
    await subscribeRelayed(this.node, filter, handler);
  }
}
