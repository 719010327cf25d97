// Started by bench/broker-overhead.js in a process of its own (so its CPU and memory are its own): one MQTT
// broker on a free loopback port until SIGTERM, printing "broker ready: <url>". `aedes`: bare Aedes over a net
// server (no hooks); `streams`: bare Aedes with what the EmbeddedBroker does to each TCP connection's stream and
// nothing else (no Nagle delay, the frame guard; no authentication, ACL or payload hooks); `embedded`: the hub's
// EmbeddedBroker on the data dir given (authentication, ACL, rate limits, payload checks, retained quota, frame
// guard), with no table or simulation.
import { createServer } from 'node:net';

const [mode, dataDir] = process.argv.slice(2);

// Each mode loads only its own modules, so bare Aedes's memory holds none of the hub's.
async function startAedes(withStreamParts = false) {
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  let handle = (socket) => aedes.handle(socket);
  if (withStreamParts) {
    const { guardFrames } = await import('../dist/hub/broker/frame-guard.js');
    handle = (socket) => {
      guardFrames(socket, 64 * 1024, () => socket.destroy());
      aedes.handle(socket);
    };
  }
  const server = createServer({ noDelay: withStreamParts }, handle);
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { port: server.address().port, close: () => new Promise((done) => aedes.close(done)) };
}

async function startEmbedded() {
  const { CredentialStore } = await import('../dist/hub/auth/credentials.js');
  const { EmbeddedBroker } = await import('../dist/hub/broker/embedded-broker.js');
  const broker = await EmbeddedBroker.start({
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: null,
    credentials: CredentialStore.open(dataDir),
  });
  return { port: broker.mqttPort, close: () => broker.close() };
}

const starts = {
  aedes: () => startAedes(),
  streams: () => startAedes(true),
  embedded: startEmbedded,
};
if (!starts[mode])
  throw new Error(`bench/_broker-server.js: mode "${mode}" is not aedes, streams or embedded`);
const broker = await starts[mode]();
process.once('SIGTERM', () => broker.close().then(() => process.exit(0)));
console.log(`broker ready: mqtt://127.0.0.1:${broker.port}`);
