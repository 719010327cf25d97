import type { Clock } from '../../../../protocol/gridflex.ts';

/** Steps judged for the loss, and clocks whose delay makes the median. */
const LOSS_WINDOW_STEPS = 100;
const DELAY_WINDOW = 20;
/** A gap of more steps than this between two clocks is a jump of the clock (or a restart), not lost steps. */
const MAX_GAP_STEPS = 20;

/** The hub–dashboard link as this page measures it: median delay, and loss in per cent of the steps judged. */
export interface LinkFigures {
  medianDelayMs: number;
  lastDelayMs: number;
  lossPct: number;
  stepsJudged: number;
}

/**
 * The hub–dashboard link as this page sees it (docs/links.md): each step's clock carries when the hub published
 * it, so its age on arrival is the link's delay (the page's clock against the hub's: on another machine their
 * offset counts as delay); a step whose clock never came live (a gap in the step counter) was lost.
 */
export class LinkMeter {
  private readonly delaysMs: number[] = [];
  /** Per step judged, whether its clock arrived. */
  private readonly arrived: boolean[] = [];
  private lastStep: number | undefined;

  /** A clock from the hub, received at `nowMs`; `retained`: handed over at subscribe, not sent live. */
  observe(clock: Clock, retained: boolean, nowMs: number): void {
    if (clock.publishedAtMs === undefined) return;
    const previous = this.lastStep;
    // No news: a step already had, such as the retained clock the broker hands over after a live one at subscribe.
    if (previous !== undefined && clock.step <= previous && previous - clock.step <= MAX_GAP_STEPS) return;
    this.lastStep = clock.step;
    if (retained || previous === undefined || clock.step < previous) return;
    const gapSteps = clock.step - previous - 1;
    if (gapSteps <= MAX_GAP_STEPS) for (let step = 0; step < gapSteps; step++) this.arrived.push(false);
    this.arrived.push(true);
    this.arrived.splice(0, Math.max(0, this.arrived.length - LOSS_WINDOW_STEPS));
    this.delaysMs.push(Math.max(0, nowMs - clock.publishedAtMs));
    this.delaysMs.splice(0, Math.max(0, this.delaysMs.length - DELAY_WINDOW));
  }

  /** Null until a step's clock arrived live. */
  figures(): LinkFigures | null {
    const lastDelayMs = this.delaysMs.at(-1);
    if (lastDelayMs === undefined) return null;
    const sorted = [...this.delaysMs].sort((a, b) => a - b);
    const lost = this.arrived.filter((came) => !came).length;
    return {
      medianDelayMs: sorted[Math.floor((sorted.length - 1) / 2)] as number,
      lastDelayMs,
      lossPct: (100 * lost) / this.arrived.length,
      stepsJudged: this.arrived.length,
    };
  }
}
