import { z } from 'zod';
import { byId, h, s } from '../lib/dom.ts';
import { formatVolts } from '../lib/format.ts';
import { renderLoginBox } from '../lib/login-box.ts';
import { loadingColour, voltageColour } from '../lib/palette.ts';
import '../lib/page.css';
import { authHeaders, clearSession, restoreSession, type StoredSession } from '../lib/session.ts';
import { type Drawing, DrawingEditor, newStreet } from './editor.ts';
import './draw.css';

/** The drawing grid: points snap to it, metres. */
const GRID_M = 5;
/** A click this close to a point (m) is on it. */
const HIT_M = 3;

type Tool = 'cable' | 'joint' | 'home' | 'move' | 'retype' | 'delete';

const SolutionSchema = z.object({
  problems: z.array(z.string()),
  solution: z
    .object({
      converged: z.boolean(),
      designKwPerHome: z.number(),
      nodes: z.array(z.object({ id: z.string(), worstVolts: z.number() })),
      cables: z.array(
        z.object({ id: z.string(), loadingPct: z.number().nullable(), currentAmps: z.number() }),
      ),
      transformerLoadingPct: z.number(),
      vMin: z.number(),
      vMax: z.number(),
      warnings: z.array(z.string()),
    })
    .nullable(),
});
type Solved = z.infer<typeof SolutionSchema>;

let editor: DrawingEditor;
let tool: Tool = 'cable';
let pendingFrom: string | null = null;
let solved: Solved | null = null;
let solveError = '';
let solveSeq = 0;
let session: StoredSession | null = null;
let hubStreet: Drawing | null = null;
let saveMessage: { ok: boolean; text: string } | null = null;
const designKw = h('input', {
  type: 'number',
  name: 'designKw',
  min: 0,
  max: 50,
  step: 0.5,
  value: 2,
  size: 4,
  'aria-label': 'design load per home (kW)',
});
const lineCodeSelect = h('select', { name: 'lineCode', 'aria-label': 'cable type' });
const phaseSelect = h(
  'select',
  { name: 'phase', 'aria-label': 'phase of a new home' },
  ...['A', 'B', 'C'].map((phase) => h('option', { value: phase }, `phase ${phase}`)),
);
const nameInput = h('input', { name: 'streetName', size: 18, 'aria-label': 'street name' });
const svg = s('svg', { class: 'draw-svg', role: 'img', 'aria-label': 'drawing of the street' });

/** Everything changed: draw, and run the power flow on the new drawing. */
function changed(): void {
  pendingFrom = null;
  render();
  void solve();
}

async function solve(): Promise<void> {
  const seq = ++solveSeq;
  const value = Number(designKw.value);
  try {
    if (!(value >= 0 && value <= 50))
      throw new Error('Design load: give a number of kW per home from 0 to 50');
    const response = await fetch('./api/draw/solve', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ drawing: editor.drawing, designKwPerHome: value }),
    });
    const body = await response.json();
    if (seq !== solveSeq) return; // a newer drawing is on its way
    if (!response.ok)
      throw new Error((body as { error?: string }).error ?? `the hub answered ${response.status}`);
    solved = SolutionSchema.parse(body);
    solveError = '';
  } catch (error) {
    if (seq !== solveSeq) return;
    solved = null;
    solveError = (error as Error).message;
  }
  render();
}

function render(): void {
  renderCanvas();
  renderTools();
  renderSide();
}

function renderTools(): void {
  const drawing = editor.drawing;
  const selected = lineCodeSelect.value;
  lineCodeSelect.replaceChildren(
    ...drawing.lineCodes.map((code) =>
      h(
        'option',
        { value: code.name },
        `${code.name}${code.ampacityAmps ? ` (${code.ampacityAmps} A)` : ''}`,
      ),
    ),
  );
  if (drawing.lineCodes.some((code) => code.name === selected)) lineCodeSelect.value = selected;
  const toolButton = (value: Tool, text: string, hint: string) =>
    h(
      'button',
      {
        type: 'button',
        class: tool === value ? 'tool active' : 'tool',
        'aria-pressed': tool === value ? 'true' : 'false',
        'data-tool': value,
        title: hint,
        onclick: () => {
          tool = value;
          pendingFrom = null;
          render();
        },
      },
      text,
    );
  byId('tools').replaceChildren(
    h(
      'div',
      { class: 'buttons' },
      toolButton('cable', 'Cable', 'click a point (or the grid), then the next: a cable between them'),
      toolButton('joint', 'Joint', 'click the grid: a joint'),
      toolButton('home', 'Home', 'click a point (or the grid): a home on that plot, on the phase chosen'),
      toolButton('move', 'Move', 'click a point, then where it goes (its cables follow)'),
      toolButton('retype', 'Cable type', 'click a cable: it becomes the cable type chosen'),
      toolButton('delete', 'Delete', 'click a point or a cable to remove it'),
      h('label', { class: 'field' }, h('span', {}, 'Cable type'), lineCodeSelect),
      h('label', { class: 'field' }, h('span', {}, 'Phase'), phaseSelect),
      h(
        'button',
        {
          type: 'button',
          'data-action': 'undo',
          disabled: !editor.canUndo,
          onclick: () => editor.undo() && changed(),
        },
        '↶ Undo',
      ),
      h(
        'button',
        {
          type: 'button',
          'data-action': 'redo',
          disabled: !editor.canRedo,
          onclick: () => editor.redo() && changed(),
        },
        '↷ Redo',
      ),
      h(
        'button',
        {
          type: 'button',
          'data-action': 'new',
          onclick: () => {
            editor.replace(newStreet(editor.drawing.lineCodes));
            changed();
          },
        },
        'New street',
      ),
      h(
        'button',
        {
          type: 'button',
          'data-action': 'hub-street',
          disabled: hubStreet === null,
          onclick: () => {
            if (!hubStreet) return;
            editor.replace(hubStreet);
            nameInput.value = `${hubStreet.name}-copy`;
            changed();
          },
        },
        'Start from the hub’s street',
      ),
    ),
    h(
      'p',
      { class: 'small muted' },
      pendingFrom && tool === 'move'
        ? `Moving ${pendingFrom}: click where it goes.`
        : pendingFrom
          ? `Cable from ${pendingFrom}: click where it goes (a point or the grid). Choose another tool to stop.`
          : 'Grid squares are 5 m. The power flow runs after every change.',
    ),
  );
}

function bounds(drawing: Drawing) {
  const xs = drawing.nodes.map((node) => node.xM);
  const ys = drawing.nodes.map((node) => node.yM);
  return {
    minX: Math.min(-10, ...xs) - 15,
    maxX: Math.max(120, ...xs) + 15,
    minY: Math.min(-40, ...ys) - 15,
    maxY: Math.max(40, ...ys) + 15,
  };
}

function renderCanvas(): void {
  const drawing = editor.drawing;
  const { minX, maxX, minY, maxY } = bounds(drawing);
  // SVG units are metres; y is flipped so north (larger y) is up.
  svg.setAttribute('viewBox', `${minX} ${-maxY} ${maxX - minX} ${maxY - minY}`);
  const grid = s('g', { class: 'grid' });
  for (let x = Math.ceil(minX / GRID_M) * GRID_M; x <= maxX; x += GRID_M)
    grid.append(s('line', { x1: x, x2: x, y1: -maxY, y2: -minY, class: x % 25 === 0 ? 'major' : '' }));
  for (let y = Math.ceil(minY / GRID_M) * GRID_M; y <= maxY; y += GRID_M)
    grid.append(s('line', { x1: minX, x2: maxX, y1: -y, y2: -y, class: y % 25 === 0 ? 'major' : '' }));
  const nodes = new Map(drawing.nodes.map((node) => [node.id, node]));
  const cableResults = new Map(solved?.solution?.cables.map((cable) => [cable.id, cable]));
  const nodeResults = new Map(solved?.solution?.nodes.map((node) => [node.id, node]));
  const cables = s('g', { class: 'cables' });
  for (const cable of drawing.cables) {
    const from = nodes.get(cable.from);
    const to = nodes.get(cable.to);
    if (!from || !to) continue;
    const result = cableResults.get(cable.id);
    const pct = result?.loadingPct ?? null;
    cables.append(
      s(
        'line',
        {
          x1: from.xM,
          y1: -from.yM,
          x2: to.xM,
          y2: -to.yM,
          stroke: pct === null ? '#777' : loadingColour(pct),
          'stroke-width': 1.2,
          'stroke-linecap': 'round',
          'data-cable': cable.id,
          'data-loading-pct': pct === null ? '' : pct.toFixed(1),
        },
        s(
          'title',
          {},
          `${cable.id}: ${cable.lineCode}${pct === null ? '' : `, ${Math.round(pct)} % of its rating`}`,
        ),
      ),
    );
    if (pct !== null)
      cables.append(
        s(
          'text',
          {
            x: (from.xM + to.xM) / 2,
            y: -(from.yM + to.yM) / 2 - 1.2,
            class: 'draw-label',
            'text-anchor': 'middle',
          },
          `${Math.round(pct)} %`,
        ),
      );
  }
  const points = s('g', { class: 'points' });
  for (const node of drawing.nodes) {
    const isSub = node.id === drawing.substation.node;
    const volts = nodeResults.get(node.id)?.worstVolts;
    const fill = volts === undefined ? '#fff' : voltageColour(volts);
    const group = s('g', {
      'data-node': node.id,
      'data-volts': volts === undefined ? '' : volts.toFixed(1),
      class: pendingFrom === node.id ? 'pending' : '',
    });
    group.append(
      isSub
        ? s('rect', {
            x: node.xM - 3,
            y: -node.yM - 3,
            width: 6,
            height: 6,
            fill,
            stroke: '#000',
            'stroke-width': 0.6,
          })
        : s('circle', {
            cx: node.xM,
            cy: -node.yM,
            r: node.homes.length > 0 ? 1.8 : 1.2,
            fill,
            stroke: '#000',
            'stroke-width': 0.4,
          }),
      s(
        'title',
        {},
        `${isSub ? 'substation' : node.id}${volts === undefined ? '' : `: ${formatVolts(volts)} (worst phase)`}`,
      ),
    );
    if (isSub)
      group.append(
        s(
          'text',
          { x: node.xM, y: -node.yM + 7, class: 'draw-label', 'text-anchor': 'middle' },
          'substation',
        ),
      );
    // Homes south of the street stand below their point, the others above it.
    const below = node.yM < 0;
    node.homes.forEach((home, index) => {
      const hx = node.xM + index * 7;
      const hy = below ? -node.yM + 6 : -node.yM - 4;
      group.append(
        s('path', {
          d: `M${hx - 2} ${hy + 2} v-2 l2 -1.8 l2 1.8 v2 z`,
          fill: '#fff',
          stroke: '#222',
          'stroke-width': 0.4,
          'data-home': home.home,
        }),
        s(
          'text',
          { x: hx, y: below ? hy + 5 : hy - 3, class: 'draw-label', 'text-anchor': 'middle' },
          `${home.home} ${home.phase}`,
        ),
      );
    });
    points.append(group);
  }
  svg.replaceChildren(grid, cables, points);
}

function renderSide(): void {
  const problems = solved?.problems ?? [];
  const solution = solved?.solution ?? null;
  const canSave = session !== null && solution !== null;
  byId('side').replaceChildren(
    h('h2', {}, 'Checks'),
    solveError
      ? h('p', { class: 'warn', role: 'alert', 'data-solve-error': '' }, solveError)
      : problems.length > 0
        ? h(
            'ul',
            { class: 'warn', 'data-problems': problems.length },
            ...problems.map((problem) => h('li', {}, problem)),
          )
        : solution
          ? h(
              'p',
              { class: 'ok', 'data-problems': 0 },
              '✓ The street is connected, radial and every cable has a known type.',
            )
          : h('p', { class: 'muted' }, 'Checking…'),
    h('h2', {}, 'Power flow'),
    h('label', { class: 'field' }, h('span', {}, 'Design load per home (kW)'), designKw),
    solution
      ? h(
          'div',
          { 'data-solved': solution.converged ? 'converged' : 'not-converged' },
          h(
            'p',
            {},
            `At ${solution.designKwPerHome} kW a home: transformer ${Math.round(solution.transformerLoadingPct)} % (worst phase), ` +
              `voltages ${formatVolts(solution.vMin)} to ${formatVolts(solution.vMax)}.`,
          ),
          solution.warnings.length > 0
            ? h(
                'ul',
                { class: 'warn', 'data-warnings': solution.warnings.length },
                ...solution.warnings.map((w) => h('li', {}, w)),
              )
            : h(
                'p',
                { class: 'ok', 'data-warnings': 0 },
                '✓ No cable over its rating, voltages within 216.2–253 V.',
              ),
        )
      : h('p', { class: 'muted' }, 'Runs once the checks pass.'),
    h('h2', {}, 'Save'),
    h(
      'form',
      {
        class: 'draw-save',
        onsubmit: (event: Event) => {
          event.preventDefault();
          void save();
        },
      },
      h('label', { class: 'field' }, h('span', {}, 'Name'), nameInput),
      h('button', { type: 'submit', disabled: !canSave }, 'Save street'),
    ),
    h(
      'p',
      { class: 'small muted' },
      session
        ? 'Saved as a feeder folder (IEEE CSV) with a table map, under the hub’s data folder.'
        : 'Log in as the operator to save.',
    ),
    saveMessage
      ? h(
          'p',
          {
            class: saveMessage.ok ? 'ok' : 'warn',
            role: 'status',
            'data-saved': saveMessage.ok ? 'ok' : 'refused',
          },
          saveMessage.text,
        )
      : '',
  );
}

async function save(): Promise<void> {
  const name = nameInput.value.trim();
  if (!/^[a-z0-9][a-z0-9-]{0,59}$/.test(name)) {
    saveMessage = { ok: false, text: 'Name: use lower-case letters, digits and - (e.g. our-street)' };
    render();
    return;
  }
  const response = await fetch('./api/draw/save', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders() },
    body: JSON.stringify({ drawing: { ...editor.drawing, name } }),
  });
  const body = (await response.json()) as { error?: string; dir?: string; map?: string };
  saveMessage = response.ok
    ? { ok: true, text: `✓ Saved to ${body.dir}. Run it: gridflex hub --scenario ${body.map}` }
    : { ok: false, text: `Not saved: ${body.error ?? response.status}` };
  render();
}

/** The drawing's metres under a mouse event, snapped to the grid. */
function metresAt(event: MouseEvent): { xM: number; yM: number } {
  const matrix = svg.getScreenCTM();
  const point = matrix
    ? new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse())
    : { x: 0, y: 0 };
  return { xM: Math.round(point.x / GRID_M) * GRID_M, yM: Math.round(-point.y / GRID_M) * GRID_M };
}

/** The point under the click, or a new joint there (inside the change being made). */
function pointAt(drawing: Drawing, xM: number, yM: number): string {
  const near = editor.nodeAt(xM, yM, HIT_M);
  if (near) return near.id;
  const id = editor.freshId(
    'j',
    drawing.nodes.map((node) => node.id),
  );
  drawing.nodes.push({ id, xM, yM, homes: [] });
  return id;
}

function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / Math.max(1e-9, dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The cable within 2 m of (x, y) m, if any. */
function cableAt(drawing: Drawing, xM: number, yM: number) {
  const nodes = new Map(drawing.nodes.map((node) => [node.id, node]));
  return drawing.cables.find((candidate) => {
    const a = nodes.get(candidate.from);
    const b = nodes.get(candidate.to);
    return a && b && distanceToSegment(xM, yM, a.xM, a.yM, b.xM, b.yM) < 2;
  });
}

function onClick(event: MouseEvent): void {
  const { xM, yM } = metresAt(event);
  const near = editor.nodeAt(xM, yM, HIT_M);
  if (tool === 'joint') {
    if (near) return;
    editor.change((drawing) => pointAt(drawing, xM, yM));
    changed();
  } else if (tool === 'home') {
    editor.change((drawing) => {
      const id = pointAt(drawing, xM, yM);
      const node = drawing.nodes.find((candidate) => candidate.id === id);
      const home = editor.freshId(
        'home-',
        drawing.nodes.flatMap((candidate) => candidate.homes.map((entry) => entry.home)),
      );
      node?.homes.push({ home, phase: phaseSelect.value as 'A' | 'B' | 'C' });
    });
    changed();
  } else if (tool === 'cable') {
    if (pendingFrom === null) {
      if (near) pendingFrom = near.id;
      else {
        editor.change((drawing) => {
          pendingFrom = pointAt(drawing, xM, yM);
        });
        void solve();
      }
      render();
      return;
    }
    const from = pendingFrom;
    let to = '';
    editor.change((drawing) => {
      to = pointAt(drawing, xM, yM);
      if (to === from) return;
      const id = editor.freshId(
        'c',
        drawing.cables.map((cable) => cable.id),
      );
      drawing.cables.push({
        id,
        from,
        to,
        lineCode: lineCodeSelect.value || (drawing.lineCodes[0]?.name ?? ''),
      });
    });
    changed();
    // Keep drawing on from where the cable ended.
    pendingFrom = to === from ? null : to;
    render();
  } else if (tool === 'move') {
    if (pendingFrom === null) {
      if (near) pendingFrom = near.id;
      render();
      return;
    }
    const moving = pendingFrom;
    if (near && near.id !== moving) {
      pendingFrom = null;
      render();
      return; // another point is there already
    }
    editor.change((drawing) => {
      const node = drawing.nodes.find((candidate) => candidate.id === moving);
      if (node) Object.assign(node, { xM, yM });
      // A drawn cable's length follows its ends.
      for (const cable of drawing.cables)
        if (cable.from === moving || cable.to === moving) delete cable.lengthM;
    });
    changed();
  } else if (tool === 'retype') {
    const cable = cableAt(editor.drawing, xM, yM);
    if (cable && cable.lineCode !== lineCodeSelect.value) {
      editor.change((next) => {
        const target = next.cables.find((candidate) => candidate.id === cable.id);
        if (target) target.lineCode = lineCodeSelect.value;
      });
      changed();
    }
  } else if (tool === 'delete') {
    const drawing = editor.drawing;
    if (near && near.id !== drawing.substation.node) {
      editor.change((next) => {
        next.nodes = next.nodes.filter((node) => node.id !== near.id);
        next.cables = next.cables.filter((cable) => cable.from !== near.id && cable.to !== near.id);
      });
      changed();
      return;
    }
    const cable = cableAt(drawing, xM, yM);
    if (cable) {
      editor.change((next) => {
        next.cables = next.cables.filter((candidate) => candidate.id !== cable.id);
      });
      changed();
    }
  }
}

function showSession(current: StoredSession | null, message = ''): void {
  session = current;
  renderLoginBox(
    byId('login'),
    current,
    { onLogin: (loggedIn) => showSession(loggedIn), onLogout: () => showSession(null) },
    message,
  );
  render();
}

async function start(): Promise<void> {
  byId('canvas').append(svg);
  svg.addEventListener('click', onClick);
  designKw.addEventListener('change', () => void solve());
  document.addEventListener('keydown', (event) => {
    if (!(event.ctrlKey || event.metaKey) || (event.target as HTMLElement).tagName === 'INPUT') return;
    if (event.key === 'z' && editor.undo()) changed();
    else if ((event.key === 'y' || (event.key === 'Z' && event.shiftKey)) && editor.redo()) changed();
  });
  try {
    const response = await fetch('./api/draw/start', { cache: 'no-store' });
    if (!response.ok) throw new Error(`./api/draw/start: the hub answered ${response.status}`);
    const body = (await response.json()) as { drawing: Drawing };
    hubStreet = body.drawing;
    editor = new DrawingEditor(newStreet(structuredClone(body.drawing.lineCodes)));
    nameInput.value = 'our-street';
  } catch (error) {
    byId('side').replaceChildren(h('p', { class: 'warn', role: 'alert' }, (error as Error).message));
    return;
  }
  const restored = await restoreSession();
  if (!restored) clearSession();
  showSession(restored);
  void solve();
}

void start();
