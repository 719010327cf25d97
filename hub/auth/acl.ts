import { COSIM_ROOT } from '../../protocol/cosim.js';
import { EBUS_ROOT } from '../../protocol/ebus.js';
import { CONTROL_ROOT, controlTopics, GRIDFLEX_ROOT, gridflexTopics } from '../../protocol/gridflex.js';
import { HOMIE_ROOT } from '../../protocol/homie.js';
import type { Role } from './roles.js';

/**
 * Topic filters each role may publish to and subscribe to. One table drives both the embedded
 * broker's hooks and the ACL file written for an external Mosquitto, so the two enforce the same rules.
 */
export interface TopicRights {
  publish: string[];
  subscribe: string[];
}

/** What everybody may read: the hub's world, the Homie devices and the street's eBus meters (read-only). */
const PUBLIC_READ = [`${GRIDFLEX_ROOT}/#`, `${HOMIE_ROOT}/#`, `${EBUS_ROOT}/#`];

export function rightsOf(role: Role): TopicRights {
  switch (role.role) {
    case 'hub':
      return { publish: ['#'], subscribe: ['#'] };
    case 'device': {
      const own = `${HOMIE_ROOT}/${role.deviceId}`;
      // Its own tree (publish), its own commands and the hub's world (read); not other devices. A device
      // identity is also a co-simulation participant under its own ID (docs/cosim.md), and answers the hub's
      // pings for itself alone (docs/links.md).
      return {
        publish: [`${own}/#`, `${COSIM_ROOT}/${role.deviceId}/#`, gridflexTopics.linksPong(role.deviceId)],
        subscribe: [`${own}/#`, `${GRIDFLEX_ROOT}/#`],
      };
    }
    case 'regulator':
      return readPlus(`${CONTROL_ROOT}/regulator/#`, CLOCK_CONTROL);
    case 'supplier':
      return readPlus(`${CONTROL_ROOT}/supplier/${role.supplierId}/#`);
    case 'resident':
      return readPlus(`${CONTROL_ROOT}/resident/${role.homeId}/#`);
    case 'assembly':
      return readPlus(`${CONTROL_ROOT}/assembly/#`);
    case 'operator':
      return readPlus(`${CONTROL_ROOT}/table/#`, CLOCK_CONTROL);
    case 'viewer':
      return { publish: [], subscribe: PUBLIC_READ };
  }
}

/** Play, pause, speed, step and jump: the roles that run the session (operator, regulator). */
const CLOCK_CONTROL = controlTopics.clock();

function readPlus(...controls: string[]): TopicRights {
  return { publish: controls, subscribe: [...PUBLIC_READ, ...controls] };
}

/** Whether `role` may publish on `topic` (a concrete topic). A device may not command itself. */
export function mayPublish(role: Role | null, topic: string): boolean {
  if (role === null) return false;
  if (topic.startsWith('$')) return role.role === 'hub' && !topic.startsWith('$SYS');
  if (role.role === 'device' && topic.endsWith('/set')) return false;
  return rightsOf(role).publish.some((filter) => topicMatches(filter, topic));
}

/** Whether `role` (null = anonymous, read like a viewer) may subscribe to `filter`. */
export function maySubscribe(role: Role | null, filter: string): boolean {
  const rights = rightsOf(role ?? { role: 'viewer' });
  return rights.subscribe.some((allowed) => filterWithin(filter, allowed));
}

/** MQTT matching of a concrete topic against a filter with `+` and `#`. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return !(i === 0 && t[0]?.startsWith('$'));
    if (i >= t.length) return false;
    if (level === '+') {
      if (i === 0 && t[0]?.startsWith('$')) return false;
      continue;
    }
    if (level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Whether every topic matched by `filter` is also matched by `allowed` (so a subscription cannot reach further). */
export function filterWithin(filter: string, allowed: string): boolean {
  const f = filter.split('/');
  const a = allowed.split('/');
  for (let i = 0; i < f.length; i++) {
    const want = f[i];
    const have = a[i];
    if (have === '#') return true;
    if (have === undefined) return false;
    if (want === '#') return false;
    if (have === '+') continue;
    if (want === '+' || want !== have) return false;
  }
  // `gridflex/v1` is matched by `gridflex/v1/#` (a `#` also matches its parent level).
  return f.length === a.length || (f.length === a.length - 1 && a[a.length - 1] === '#');
}
