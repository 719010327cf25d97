/**
 * The drawing being edited, with undo and redo: every change is a new state; undo steps back through them.
 * The drawing is the JSON that `POST /api/draw/solve` and `/api/draw/save` take (hub/draw/street-drawing.ts).
 */

export interface DrawnHome {
  home: string;
  phase: 'A' | 'B' | 'C';
  shape?: string;
}
export interface DrawnNode {
  id: string;
  xM: number;
  yM: number;
  homes: DrawnHome[];
}
export interface DrawnCable {
  id: string;
  from: string;
  to: string;
  lineCode: string;
  lengthM?: number;
}
export interface DrawnLineCode {
  name: string;
  r1OhmPerKm: number;
  x1OhmPerKm: number;
  r0OhmPerKm: number;
  x0OhmPerKm: number;
  ampacityAmps?: number;
}
export interface Drawing {
  name: string;
  substation: { node: string; ratedKva: number; [key: string]: unknown };
  lineCodes: DrawnLineCode[];
  nodes: DrawnNode[];
  cables: DrawnCable[];
}

const HISTORY_MAX = 200;

export class DrawingEditor {
  private past: Drawing[] = [];
  private future: Drawing[] = [];

  constructor(private current: Drawing) {}

  get drawing(): Drawing {
    return this.current;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }

  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** Makes a change on a copy of the drawing; the state before it is kept for undo. */
  change(edit: (drawing: Drawing) => void): void {
    const next = structuredClone(this.current);
    edit(next);
    this.past.push(this.current);
    if (this.past.length > HISTORY_MAX) this.past.shift();
    this.future = [];
    this.current = next;
  }

  /** Starts over from `drawing` (a new street, or the hub's): undo goes back to what was there. */
  replace(drawing: Drawing): void {
    this.change((old) => Object.assign(old, structuredClone(drawing)));
  }

  undo(): boolean {
    const previous = this.past.pop();
    if (!previous) return false;
    this.future.push(this.current);
    this.current = previous;
    return true;
  }

  redo(): boolean {
    const next = this.future.pop();
    if (!next) return false;
    this.past.push(this.current);
    this.current = next;
    return true;
  }

  /** The point at (x, y) m, if any (within `radiusM`). */
  nodeAt(xM: number, yM: number, radiusM: number): DrawnNode | undefined {
    let best: { node: DrawnNode; d: number } | undefined;
    for (const node of this.current.nodes) {
      const d = Math.hypot(node.xM - xM, node.yM - yM);
      if (d <= radiusM && (!best || d < best.d)) best = { node, d };
    }
    return best?.node;
  }

  /** A fresh id with a prefix: `j4`, `c7`, `home-3`. */
  freshId(prefix: string, taken: Iterable<string>): string {
    const used = new Set(taken);
    let n = 1;
    while (used.has(`${prefix}${n}`)) n++;
    return `${prefix}${n}`;
  }
}

/** A new street: the substation alone at the origin, with the two cable types of the shipped table street. */
export function newStreet(lineCodes: DrawnLineCode[]): Drawing {
  return {
    name: 'our-street',
    substation: { node: 'sub', ratedKva: 50 },
    lineCodes,
    nodes: [{ id: 'sub', xM: 0, yM: 0, homes: [] }],
    cables: [],
  };
}
