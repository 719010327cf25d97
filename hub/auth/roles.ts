import { HomieIdSchema } from '../../protocol/homie.js';
import { InputError } from '../errors.js';

/**
 * Who a connected client is. `hub` is the hub's own client on an external broker; `device` is one board;
 * the workshop roles each control only their own part; `viewer` (and every anonymous client) only reads.
 */
export type Role =
  | { role: 'hub' }
  | { role: 'device'; deviceId: string }
  | { role: 'regulator' }
  | { role: 'supplier'; supplierId: string }
  | { role: 'resident'; homeId: string }
  | { role: 'assembly' }
  | { role: 'operator' }
  | { role: 'viewer' };

/** The role an anonymous client gets. */
export const ANONYMOUS: Role = { role: 'viewer' };

/** Parses `regulator`, `supplier:<id>`, `resident:<home>`, `assembly`, `operator`, `viewer`, `device:<id>` or `hub`. */
export function parseRole(text: string, where: string): Role {
  const [name, id, extra] = text.split(':');
  const needId = (label: string): string => {
    if (id === undefined || extra !== undefined || !HomieIdSchema.safeParse(id).success) {
      throw new InputError(where, `"${text}": expected ${name}:<${label}> with a lower-case ${label} ID`);
    }
    return id;
  };
  switch (name) {
    case 'device':
      return { role: 'device', deviceId: needId('device') };
    case 'supplier':
      return { role: 'supplier', supplierId: needId('supplier') };
    case 'resident':
      return { role: 'resident', homeId: needId('home') };
    case 'hub':
    case 'regulator':
    case 'assembly':
    case 'operator':
    case 'viewer':
      if (id !== undefined) throw new InputError(where, `"${text}": role ${name} takes no ID`);
      return { role: name };
    default:
      throw new InputError(
        where,
        `unknown role "${text}" (expected regulator, supplier:<id>, resident:<home>, assembly, operator, viewer or device:<id>)`,
      );
  }
}

/** The role in the text form {@link parseRole} reads. */
export function formatRole(role: Role): string {
  switch (role.role) {
    case 'device':
      return `device:${role.deviceId}`;
    case 'supplier':
      return `supplier:${role.supplierId}`;
    case 'resident':
      return `resident:${role.homeId}`;
    default:
      return role.role;
  }
}
