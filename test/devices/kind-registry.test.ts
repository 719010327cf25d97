/**
 * The recipe of docs/architecture.md, "How to add a device kind": a kind defined here is validated, checked
 * for wiring and created through the same path as the shipped kinds once it is in the list.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { analogInputsOf, DeviceConfigSchema, deviceConfigSchema } from '../../devices/config.js';
import { SimWorld } from '../../devices/drivers/sim.js';
import type { DigitalOut } from '../../devices/drivers/types.js';
import { createNode, DEVICE_KINDS, defineDeviceKind } from '../../devices/kinds/index.js';
import type { DeviceNode, PropertyValues } from '../../devices/kinds/node.js';
import { DigitalPinSchema, NodeIdField } from '../../devices/node-parts.js';

const CounterNodeSchema = z.strictObject({
  kind: z.literal('counter'),
  ...NodeIdField,
  /** An LED that toggles on every count. */
  ledPin: DigitalPinSchema,
});

/** Counts its samples; its LED shows whether the count is odd. */
class CounterNode implements DeviceNode {
  private led: DigitalOut | undefined;
  private count = 0;

  constructor(
    readonly id: string,
    private readonly config: z.infer<typeof CounterNodeSchema>,
  ) {}

  describe() {
    return {
      name: 'Counter',
      type: 'gridflex-counter',
      properties: { count: { datatype: 'integer' as const } },
    };
  }

  async attach(board: Parameters<DeviceNode['attach']>[0]): Promise<void> {
    this.led = await board.digitalOut(this.config.ledPin);
  }

  async sample(): Promise<PropertyValues> {
    this.count += 1;
    await this.led?.write(this.count % 2 === 1);
    return { count: this.count };
  }

  async set(): Promise<PropertyValues> {
    return {};
  }
}

const counter = defineDeviceKind({
  kind: 'counter',
  schema: CounterNodeSchema,
  create: (id, config) => new CounterNode(id, config),
  checkWiring: (node, checks, at) => {
    checks.usePin(node.ledPin, at('ledPin'));
  },
});

const kinds = [...DEVICE_KINDS, counter] as const;
const board = { deviceId: 'counting-house', broker: { url: 'mqtt://127.0.0.1:1883' } };
const problems = (result: { error?: z.ZodError }) =>
  result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

describe('device kinds registry', () => {
  it('lists the shipped kinds; a board config refuses a kind not in the list, naming every kind', () => {
    expect(DEVICE_KINDS.map((kind) => kind.kind)).toEqual([
      'pv',
      'ev-pad',
      'heat-pump',
      'battery',
      'meter',
      'plot',
    ]);
    const result = DeviceConfigSchema.safeParse({ ...board, nodes: [{ kind: 'counter', ledPin: 5 }] });
    expect(problems(result)).toEqual([
      "nodes.0.kind: Invalid discriminator value. Expected 'pv' | 'ev-pad' | 'heat-pump' | 'battery' | 'meter' | 'plot'",
    ]);
  });

  it('a kind defined by defineDeviceKind is validated, wiring-checked and created once it is in the list', async () => {
    const schema = deviceConfigSchema(kinds);
    const config = schema.parse({
      ...board,
      nodes: [
        { kind: 'battery', ledPins: [2, 3] },
        { kind: 'counter', ledPin: 5 },
      ],
    });
    const node = config.nodes[1];
    if (node?.kind !== 'counter') throw new Error('expected the counter node');
    expect(node).toEqual({ kind: 'counter', ledPin: 5 });
    expect(analogInputsOf(node, kinds)).toEqual([]);

    const world = new SimWorld([]);
    const created = createNode(node, () => {}, kinds);
    expect(created.id).toBe('counter');
    await created.attach(world.openBoard());
    expect(await created.sample(1)).toEqual({ count: 1 });
    expect(world.outputs.get('pin:5')).toBe(1);
    expect(await created.sample(1)).toEqual({ count: 2 });
    expect(world.outputs.get('pin:5')).toBe(0);

    // The board-wide checks see its pin, and scripted events know what it has not got.
    const clash = schema.safeParse({
      ...board,
      nodes: [
        { kind: 'battery', ledPins: [5] },
        { kind: 'counter', id: 'tally', ledPin: 5 },
      ],
      sim: { events: [{ atS: 1, do: 'set-input', node: 'tally', value: 0.5 }] },
    });
    expect(problems(clash)).toEqual([
      'nodes.1.ledPin: pin 5 is already used by nodes.0.ledPins.0',
      'sim.events.0.node: node "tally" has no analog input',
    ]);
  });
});
