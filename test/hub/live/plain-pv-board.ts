import mqtt, { type MqttClient } from 'mqtt';

/** A PV board as plain Homie 5 writes it: its ID, its plot and one power reading (kW, as sent). */
export interface PlainPvBoard {
  id: string;
  plot: string;
  kw: string;
}

/** Connects `board` with its own credentials and publishes its retained announcement with one reading. */
export async function announcePlainPv(
  url: string,
  board: PlainPvBoard,
  password: string,
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { clientId: board.id, username: board.id, password });
  const publish = (path: string, payload: string) =>
    client.publishAsync(`homie/5/${board.id}/${path}`, payload, { qos: 1, retain: true });
  await publish('$state', 'init');
  await publish(
    '$description',
    JSON.stringify({
      homie: '5.0',
      version: 1,
      name: board.id,
      nodes: {
        roof: { type: 'gridflex-pv', properties: { 'power-kw': { datatype: 'float', unit: 'kW' } } },
        where: { type: 'gridflex-plot', properties: { 'plot-id': { datatype: 'string' } } },
      },
    }),
  );
  await publish('where/plot-id', board.plot);
  await publish('roof/power-kw', board.kw);
  await publish('$state', 'ready');
  return client;
}
