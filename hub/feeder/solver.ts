import { ConvergenceError, InputError } from '../errors.js';
import {
  type FeederNetwork,
  LOAD_MODEL_EXPONENT,
  type LoadConnection,
  PHASES,
  type Phase,
  STATUTORY_VOLTS,
} from './network.js';
import { buildRadialTopology, type RadialTopology } from './topology.js';

/** Options of {@link PowerFlowSolver}. */
export interface PowerFlowOptions {
  /** Stop when no bus voltage changes by more than this between sweeps (volts). Default 1e-4 (0.1 mV: well inside the 5 mV the published results are matched to). */
  toleranceVolts?: number;
  /** Give up (ConvergenceError) after this many sweeps. Default 100. */
  maxIterations?: number;
}

/** A bus-phase and its voltage, for the extremes. */
export interface BusPhaseVolts {
  bus: string;
  phase: Phase;
  volts: number;
}

/** Per-transformer results. Per-phase arrays are indexed A, B, C. */
export interface TransformerResult {
  name: string;
  /** Power into the LV network per phase. */
  pKw: Float64Array;
  qKvar: Float64Array;
  /** Highest phase current against the rated current, %. */
  loadingPct: number;
  /** Copper losses in the windings. */
  lossesKw: number;
}

/**
 * The result of one solve. Arrays are owned by the solver and overwritten by the next solve:
 * copy what you keep.
 */
export interface PowerFlowResult {
  converged: boolean;
  iterations: number;
  /** Line-to-neutral voltage magnitude, index `bus * 3 + phase` (bus in `network.buses` order). */
  busVoltsMag: Float64Array;
  /** Voltage angle in degrees, same indexing; computed on first read after each solve (atan2 is costly). */
  readonly busVoltsAngDeg: Float64Array;
  /** Current magnitude of each line (in `network.lines` order), index `line * 3 + phase`. */
  lineCurrentAmps: Float64Array;
  /** Highest phase current of each line against its ampacity, %; NaN where the line code has no rating. */
  lineLoadingPct: Float64Array;
  transformers: TransformerResult[];
  /** Power into the LV side of the transformer(s) per phase (summed over transformers). */
  substationPKw: Float64Array;
  substationQKvar: Float64Array;
  substationPTotalKw: number;
  substationQTotalKvar: number;
  /** Highest transformer loading, %. */
  transformerLoadingPct: number;
  /** I²R losses in the LV lines. */
  lossesKw: number;
  vMin: BusPhaseVolts;
  vMax: BusPhaseVolts;
  /** Number of bus-phases outside the statutory band 216.2–253 V. */
  busPhasesOutsideStatutory: number;
}

const SQRT3 = Math.sqrt(3);
const DEG = Math.PI / 180;
// a = 1∠120°, a² = 1∠240°
const A_RE = -0.5;
const A_IM = SQRT3 / 2;

/**
 * Unbalanced three-phase power flow of a radial LV feeder by backward/forward sweep.
 *
 * Model (feeders/ieee-eu-lv/README.md): an ideal MV source behind its sequence impedance, Delta–grounded-wye
 * transformers (the Delta blocks zero sequence, so the source is seen only in positive and negative sequence),
 * lines as 3×3 phase matrices from sequence data (Zs = (Z0 + 2Z1)/3, Zm = (Z0 − Z1)/3, ideal grounded neutral),
 * wye loads with ZIP behaviour. All state lives in typed arrays allocated once; a solve allocates nothing.
 */
export class PowerFlowSolver {
  readonly network: FeederNetwork;
  readonly loads: readonly LoadConnection[];
  /** Active power of each load (total over its phases), kW; set before {@link solve}. Negative = export. */
  readonly loadPKw: Float64Array;
  /** Reactive power of each load, kvar. */
  readonly loadQKvar: Float64Array;
  readonly topology: RadialTopology;

  private readonly toleranceVolts: number;
  private readonly maxIterations: number;
  private readonly busCount: number;
  // Branch impedance feeding each bus (self and mutual), ohms.
  private readonly zsRe: Float64Array;
  private readonly zsIm: Float64Array;
  private readonly zmRe: Float64Array;
  private readonly zmIm: Float64Array;
  private readonly ampacityOfBus: Float64Array;
  // Per load.
  private readonly loadBus: Int32Array;
  private readonly loadPhaseCount: Int32Array;
  private readonly loadPhaseMask: Int32Array;
  private readonly loadExponent: Float64Array;
  private readonly loadNominalVolts: Float64Array;
  // Per bus-phase state: voltage, load current, branch current.
  private readonly vRe: Float64Array;
  private readonly vIm: Float64Array;
  private readonly iRe: Float64Array;
  private readonly iIm: Float64Array;
  private readonly bRe: Float64Array;
  private readonly bIm: Float64Array;
  // Transformers and source.
  private readonly transformerCount: number;
  private readonly turnsRatio: Float64Array;
  private readonly lagCos: Float64Array;
  private readonly lagSin: Float64Array;
  private readonly ztRe: Float64Array;
  private readonly ztIm: Float64Array;
  private readonly ratedAmps: Float64Array;
  private readonly sourceRe: number;
  private readonly sourceIm: number;
  private readonly sourceZRe: number;
  private readonly sourceZIm: number;
  private readonly result: PowerFlowResult;

  constructor(
    network: FeederNetwork,
    loads: readonly LoadConnection[] = network.loads,
    options: PowerFlowOptions = {},
  ) {
    this.toleranceVolts = options.toleranceVolts ?? 1e-4;
    this.maxIterations = options.maxIterations ?? 100;
    if (!(this.toleranceVolts > 0))
      throw new TypeError(`toleranceVolts must be > 0, got ${this.toleranceVolts}`);
    if (!Number.isInteger(this.maxIterations) || this.maxIterations < 1) {
      throw new TypeError(`maxIterations must be a positive integer, got ${this.maxIterations}`);
    }
    if (network.transformers.length === 0) throw new InputError(`feeder ${network.name}`, 'no transformer');
    this.network = network;
    this.loads = loads;
    this.topology = buildRadialTopology({ ...network, loads: [...loads] });
    const { parent, feedingLine } = this.topology;
    const busCount = network.buses.length;
    this.busCount = busCount;

    this.zsRe = new Float64Array(busCount);
    this.zsIm = new Float64Array(busCount);
    this.zmRe = new Float64Array(busCount);
    this.zmIm = new Float64Array(busCount);
    this.ampacityOfBus = new Float64Array(busCount).fill(Number.NaN);
    for (let bus = 0; bus < busCount; bus++) {
      if ((parent[bus] as number) < 0) continue;
      const line = network.lines[feedingLine[bus] as number];
      const code = line && network.lineCodes.get(line.lineCode);
      if (!line || !code) throw new InputError(`line ${line?.name}`, `unknown line code "${line?.lineCode}"`);
      const km = line.lengthKm;
      this.zsRe[bus] = ((code.r0OhmPerKm + 2 * code.r1OhmPerKm) / 3) * km;
      this.zsIm[bus] = ((code.x0OhmPerKm + 2 * code.x1OhmPerKm) / 3) * km;
      this.zmRe[bus] = ((code.r0OhmPerKm - code.r1OhmPerKm) / 3) * km;
      this.zmIm[bus] = ((code.x0OhmPerKm - code.x1OhmPerKm) / 3) * km;
      if (code.ampacityAmps !== undefined) this.ampacityOfBus[bus] = code.ampacityAmps;
    }

    const loadCount = loads.length;
    this.loadPKw = new Float64Array(loadCount);
    this.loadQKvar = new Float64Array(loadCount);
    this.loadBus = new Int32Array(loadCount);
    this.loadPhaseCount = new Int32Array(loadCount);
    this.loadPhaseMask = new Int32Array(loadCount);
    this.loadExponent = new Float64Array(loadCount);
    this.loadNominalVolts = new Float64Array(loadCount);
    loads.forEach((load, index) => {
      this.loadBus[index] = this.topology.busIndex.get(load.bus) as number;
      this.loadPhaseCount[index] = load.phases.length;
      this.loadPhaseMask[index] = load.phases.reduce((mask, phase) => mask | (1 << PHASES.indexOf(phase)), 0);
      this.loadExponent[index] = LOAD_MODEL_EXPONENT[load.model];
      this.loadNominalVolts[index] = load.nominalVoltsLn;
      this.loadPKw[index] = load.pKw;
      this.loadQKvar[index] = load.qKvar;
    });

    const stateSize = busCount * 3;
    this.angleDeg = new Float64Array(stateSize);
    this.vRe = new Float64Array(stateSize);
    this.vIm = new Float64Array(stateSize);
    this.iRe = new Float64Array(stateSize);
    this.iIm = new Float64Array(stateSize);
    this.bRe = new Float64Array(stateSize);
    this.bIm = new Float64Array(stateSize);

    const source = network.source;
    const sourceVoltsLn = (source.voltagePu * source.kvLl * 1000) / SQRT3;
    this.sourceRe = sourceVoltsLn * Math.cos(source.angleDeg * DEG);
    this.sourceIm = sourceVoltsLn * Math.sin(source.angleDeg * DEG);
    this.sourceZRe = source.z1Ohm.re;
    this.sourceZIm = source.z1Ohm.im;

    const transformerCount = network.transformers.length;
    this.transformerCount = transformerCount;
    this.turnsRatio = new Float64Array(transformerCount);
    this.lagCos = new Float64Array(transformerCount);
    this.lagSin = new Float64Array(transformerCount);
    this.ztRe = new Float64Array(transformerCount);
    this.ztIm = new Float64Array(transformerCount);
    this.ratedAmps = new Float64Array(transformerCount);
    network.transformers.forEach((transformer, index) => {
      const baseOhm = (transformer.lvKvLl * transformer.lvKvLl * 1000) / transformer.ratedKva;
      this.turnsRatio[index] = transformer.hvKvLl / transformer.lvKvLl;
      this.lagCos[index] = Math.cos(transformer.lvLagDeg * DEG);
      this.lagSin[index] = Math.sin(transformer.lvLagDeg * DEG);
      this.ztRe[index] = (transformer.resistancePct / 100) * baseOhm;
      this.ztIm[index] = (transformer.reactancePct / 100) * baseOhm;
      this.ratedAmps[index] = transformer.ratedKva / (SQRT3 * transformer.lvKvLl);
    });

    const solver = this;
    this.result = {
      converged: false,
      iterations: 0,
      busVoltsMag: new Float64Array(stateSize),
      get busVoltsAngDeg(): Float64Array {
        return solver.anglesDeg();
      },
      lineCurrentAmps: new Float64Array(network.lines.length * 3),
      lineLoadingPct: new Float64Array(network.lines.length),
      transformers: network.transformers.map((transformer) => ({
        name: transformer.name,
        pKw: new Float64Array(3),
        qKvar: new Float64Array(3),
        loadingPct: 0,
        lossesKw: 0,
      })),
      substationPKw: new Float64Array(3),
      substationQKvar: new Float64Array(3),
      substationPTotalKw: 0,
      substationQTotalKvar: 0,
      transformerLoadingPct: 0,
      lossesKw: 0,
      vMin: { bus: '', phase: 'A', volts: 0 },
      vMax: { bus: '', phase: 'A', volts: 0 },
      busPhasesOutsideStatutory: 0,
    };
    this.resetToNoLoad();
  }

  /** Forgets the last solution; the next solve starts from the no-load voltages. */
  resetToNoLoad(): void {
    this.iRe.fill(0);
    this.iIm.fill(0);
    this.bRe.fill(0);
    this.bIm.fill(0);
    this.updateRootVoltages();
    this.forwardSweep();
  }

  /**
   * Solves with the current `loadPKw`/`loadQKvar`, starting from the previous solution.
   * @param stepLabel - names the step in the error if it does not converge (e.g. `minute 566`).
   * @throws ConvergenceError naming the step and the bus-phase with the largest remaining change.
   */
  solve(stepLabel = 'snapshot'): PowerFlowResult {
    let worstState = 0;
    let worstChange = Number.POSITIVE_INFINITY;
    let iteration = 0;
    while (iteration < this.maxIterations) {
      iteration++;
      this.computeLoadCurrents();
      this.backwardSweep();
      this.updateRootVoltages();
      worstState = this.forwardSweep();
      worstChange = this.lastMaxChange;
      if (!Number.isFinite(worstChange)) break; // NaN or ∞: the voltages collapsed
      if (worstChange <= this.toleranceVolts) {
        this.fillResult(iteration);
        return this.result;
      }
    }
    const busName = this.network.buses[Math.floor(worstState / 3)]?.name ?? '?';
    const phase = PHASES[worstState % 3];
    this.resetToNoLoad(); // do not warm-start the next step from a diverged state
    throw new ConvergenceError(
      `power flow did not converge at ${stepLabel} after ${iteration} iterations: ` +
        `worst bus ${busName} phase ${phase} still changing by ${worstChange.toPrecision(3)} V ` +
        `(tolerance ${this.toleranceVolts} V); is the load beyond what the feeder can carry?`,
    );
  }

  private lastMaxChange = 0;

  private computeLoadCurrents(): void {
    const { iRe, iIm, vRe, vIm } = this;
    iRe.fill(0);
    iIm.fill(0);
    for (let load = 0; load < this.loadBus.length; load++) {
      const phaseCount = this.loadPhaseCount[load] as number;
      const pWatts = ((this.loadPKw[load] as number) * 1000) / phaseCount;
      const qVar = ((this.loadQKvar[load] as number) * 1000) / phaseCount;
      if (pWatts === 0 && qVar === 0) continue;
      const exponent = this.loadExponent[load] as number;
      const nominal = this.loadNominalVolts[load] as number;
      const mask = this.loadPhaseMask[load] as number;
      const base = (this.loadBus[load] as number) * 3;
      for (let phase = 0; phase < 3; phase++) {
        if ((mask & (1 << phase)) === 0) continue;
        const state = base + phase;
        const re = vRe[state] as number;
        const im = vIm[state] as number;
        const magSquared = re * re + im * im;
        // S(V) = S0 (|V|/Vn)^k and I = conj(S/V) = conj(S)·V/|V|².
        const scale =
          exponent === 0
            ? 1
            : exponent === 2
              ? magSquared / (nominal * nominal)
              : Math.sqrt(magSquared) / nominal;
        const p = pWatts * scale;
        const q = qVar * scale;
        iRe[state] = (iRe[state] as number) + (p * re + q * im) / magSquared;
        iIm[state] = (iIm[state] as number) + (p * im - q * re) / magSquared;
      }
    }
  }

  /** Branch current into each bus = its load current plus the currents of the branches it feeds. */
  private backwardSweep(): void {
    const { bRe, bIm } = this;
    const { order, parent } = this.topology;
    bRe.set(this.iRe);
    bIm.set(this.iIm);
    for (let position = this.busCount - 1; position >= 0; position--) {
      const bus = order[position] as number;
      const up = parent[bus] as number;
      if (up < 0) continue;
      const from = bus * 3;
      const to = up * 3;
      bRe[to] = (bRe[to] as number) + (bRe[from] as number);
      bRe[to + 1] = (bRe[to + 1] as number) + (bRe[from + 1] as number);
      bRe[to + 2] = (bRe[to + 2] as number) + (bRe[from + 2] as number);
      bIm[to] = (bIm[to] as number) + (bIm[from] as number);
      bIm[to + 1] = (bIm[to + 1] as number) + (bIm[from + 1] as number);
      bIm[to + 2] = (bIm[to + 2] as number) + (bIm[from + 2] as number);
    }
  }

  /**
   * LV terminal voltages of every transformer from the MV source and the currents they carry.
   * Positive- and negative-sequence LV currents are referred to MV (ratio n, phase shift ∓lag), the
   * shared source impedance drops the MV voltage, which is referred back; zero sequence circulates in
   * the Delta winding, so each transformer's leakage impedance Zt (equal in all sequences) is diagonal.
   */
  private updateRootVoltages(): void {
    const { bRe, bIm, vRe, vIm } = this;
    const rootBus = this.topology.rootBus;
    let sum1Re = 0;
    let sum1Im = 0;
    let sum2Re = 0;
    let sum2Im = 0;
    for (let t = 0; t < this.transformerCount; t++) {
      const s = (rootBus[t] as number) * 3;
      const aRe = bRe[s] as number;
      const aIm = bIm[s] as number;
      const bRe_ = bRe[s + 1] as number;
      const bIm_ = bIm[s + 1] as number;
      const cRe = bRe[s + 2] as number;
      const cIm = bIm[s + 2] as number;
      // I1 = (Ia + a·Ib + a²·Ic)/3, I2 = (Ia + a²·Ib + a·Ic)/3
      const i1Re = (aRe + A_RE * bRe_ - A_IM * bIm_ + A_RE * cRe + A_IM * cIm) / 3;
      const i1Im = (aIm + A_RE * bIm_ + A_IM * bRe_ + A_RE * cIm - A_IM * cRe) / 3;
      const i2Re = (aRe + A_RE * bRe_ + A_IM * bIm_ + A_RE * cRe - A_IM * cIm) / 3;
      const i2Im = (aIm + A_RE * bIm_ - A_IM * bRe_ + A_RE * cIm + A_IM * cRe) / 3;
      const n = this.turnsRatio[t] as number;
      const cos = this.lagCos[t] as number;
      const sin = this.lagSin[t] as number;
      // I1_hv = I1·e^{+jφ}/n ; I2_hv = I2·e^{−jφ}/n (power is conserved through the ideal transformer).
      sum1Re += (i1Re * cos - i1Im * sin) / n;
      sum1Im += (i1Re * sin + i1Im * cos) / n;
      sum2Re += (i2Re * cos + i2Im * sin) / n;
      sum2Im += (i2Im * cos - i2Re * sin) / n;
    }
    const zRe = this.sourceZRe;
    const zIm = this.sourceZIm;
    const mv1Re = this.sourceRe - (zRe * sum1Re - zIm * sum1Im);
    const mv1Im = this.sourceIm - (zRe * sum1Im + zIm * sum1Re);
    const mv2Re = -(zRe * sum2Re - zIm * sum2Im);
    const mv2Im = -(zRe * sum2Im + zIm * sum2Re);
    for (let t = 0; t < this.transformerCount; t++) {
      const s = (rootBus[t] as number) * 3;
      const n = this.turnsRatio[t] as number;
      const cos = this.lagCos[t] as number;
      const sin = this.lagSin[t] as number;
      // V1_lv = V1_mv·e^{−jφ}/n, V2_lv = V2_mv·e^{+jφ}/n
      const v1Re = (mv1Re * cos + mv1Im * sin) / n;
      const v1Im = (mv1Im * cos - mv1Re * sin) / n;
      const v2Re = (mv2Re * cos - mv2Im * sin) / n;
      const v2Im = (mv2Im * cos + mv2Re * sin) / n;
      // Va = V1 + V2 ; Vb = a²V1 + aV2 ; Vc = aV1 + a²V2
      const openA_Re = v1Re + v2Re;
      const openA_Im = v1Im + v2Im;
      const openB_Re = A_RE * v1Re + A_IM * v1Im + A_RE * v2Re - A_IM * v2Im;
      const openB_Im = A_RE * v1Im - A_IM * v1Re + A_RE * v2Im + A_IM * v2Re;
      const openC_Re = A_RE * v1Re - A_IM * v1Im + A_RE * v2Re + A_IM * v2Im;
      const openC_Im = A_RE * v1Im + A_IM * v1Re + A_RE * v2Im - A_IM * v2Re;
      const ztRe = this.ztRe[t] as number;
      const ztIm = this.ztIm[t] as number;
      const ia = bRe[s] as number;
      const iaIm = bIm[s] as number;
      const ib = bRe[s + 1] as number;
      const ibIm = bIm[s + 1] as number;
      const ic = bRe[s + 2] as number;
      const icIm = bIm[s + 2] as number;
      vRe[s] = openA_Re - (ztRe * ia - ztIm * iaIm);
      vIm[s] = openA_Im - (ztRe * iaIm + ztIm * ia);
      vRe[s + 1] = openB_Re - (ztRe * ib - ztIm * ibIm);
      vIm[s + 1] = openB_Im - (ztRe * ibIm + ztIm * ib);
      vRe[s + 2] = openC_Re - (ztRe * ic - ztIm * icIm);
      vIm[s + 2] = openC_Im - (ztRe * icIm + ztIm * ic);
    }
  }

  /** V(bus) = V(parent) − Z·I(branch); returns the state index with the largest change (and sets lastMaxChange). */
  private forwardSweep(): number {
    const { bRe, bIm, vRe, vIm, zsRe, zsIm, zmRe, zmIm } = this;
    const { order, parent } = this.topology;
    let maxChangeSquared = 0;
    let worstState = 0;
    for (let position = 0; position < this.busCount; position++) {
      const bus = order[position] as number;
      const up = parent[bus] as number;
      if (up < 0) continue;
      const s = bus * 3;
      const u = up * 3;
      const sRe = zsRe[bus] as number;
      const sIm = zsIm[bus] as number;
      const mRe = zmRe[bus] as number;
      const mIm = zmIm[bus] as number;
      const aRe = bRe[s] as number;
      const aIm = bIm[s] as number;
      const bR = bRe[s + 1] as number;
      const bI = bIm[s + 1] as number;
      const cRe = bRe[s + 2] as number;
      const cIm = bIm[s + 2] as number;
      const totalRe = aRe + bR + cRe;
      const totalIm = aIm + bI + cIm;
      // Drop on phase p = Zs·Ip + Zm·(sum − Ip) = (Zs − Zm)·Ip + Zm·sum
      const dRe = sRe - mRe;
      const dIm = sIm - mIm;
      const mutualRe = mRe * totalRe - mIm * totalIm;
      const mutualIm = mRe * totalIm + mIm * totalRe;
      for (let phase = 0; phase < 3; phase++) {
        const iR = phase === 0 ? aRe : phase === 1 ? bR : cRe;
        const iI = phase === 0 ? aIm : phase === 1 ? bI : cIm;
        const newRe = (vRe[u + phase] as number) - (dRe * iR - dIm * iI + mutualRe);
        const newIm = (vIm[u + phase] as number) - (dRe * iI + dIm * iR + mutualIm);
        const changeRe = newRe - (vRe[s + phase] as number);
        const changeIm = newIm - (vIm[s + phase] as number);
        const changeSquared = changeRe * changeRe + changeIm * changeIm;
        if (!(changeSquared <= maxChangeSquared)) {
          maxChangeSquared = changeSquared;
          worstState = s + phase;
        }
        vRe[s + phase] = newRe;
        vIm[s + phase] = newIm;
      }
    }
    this.lastMaxChange = Math.sqrt(maxChangeSquared);
    return worstState;
  }

  private fillResult(iterations: number): void {
    const result = this.result;
    const { vRe, vIm, bRe, bIm } = this;
    const { parent, feedingLine, rootBus } = this.topology;
    result.converged = true;
    result.iterations = iterations;
    this.anglesFresh = false;

    // Locals, not property reads, in the hot loops.
    const magnitudes = result.busVoltsMag;
    const lineAmps = result.lineCurrentAmps;
    const lineLoading = result.lineLoadingPct;
    const ampacity = this.ampacityOfBus;
    const stateCount = this.busCount * 3;
    let minState = 0;
    let maxState = 0;
    let minVolts = Number.POSITIVE_INFINITY;
    let maxVolts = Number.NEGATIVE_INFINITY;
    let outside = 0;
    for (let state = 0; state < stateCount; state++) {
      const re = vRe[state] as number;
      const im = vIm[state] as number;
      const magnitude = Math.sqrt(re * re + im * im);
      magnitudes[state] = magnitude;
      if (magnitude < minVolts) {
        minVolts = magnitude;
        minState = state;
      }
      if (magnitude > maxVolts) {
        maxVolts = magnitude;
        maxState = state;
      }
      if (magnitude < STATUTORY_VOLTS.min || magnitude > STATUTORY_VOLTS.max) outside++;
    }
    this.describeState(minState, result.vMin);
    this.describeState(maxState, result.vMax);
    result.busPhasesOutsideStatutory = outside;

    let lossesWatts = 0;
    const busCount = this.busCount;
    for (let bus = 0; bus < busCount; bus++) {
      const up = parent[bus] as number;
      if (up < 0) continue;
      const line = feedingLine[bus] as number;
      let worstAmps = 0;
      for (let phase = 0; phase < 3; phase++) {
        const s = bus * 3 + phase;
        const u = up * 3 + phase;
        const iR = bRe[s] as number;
        const iI = bIm[s] as number;
        const amps = Math.sqrt(iR * iR + iI * iI);
        lineAmps[line * 3 + phase] = amps;
        if (amps > worstAmps) worstAmps = amps;
        // Re{(V_from − V_to)·conj(I)}
        const dRe = (vRe[u] as number) - (vRe[s] as number);
        const dIm = (vIm[u] as number) - (vIm[s] as number);
        lossesWatts += dRe * iR + dIm * iI;
      }
      lineLoading[line] = (100 * worstAmps) / (ampacity[bus] as number);
    }
    result.lossesKw = lossesWatts / 1000;

    result.substationPKw.fill(0);
    result.substationQKvar.fill(0);
    result.transformerLoadingPct = 0;
    result.transformers.forEach((transformer, t) => {
      const root = (rootBus[t] as number) * 3;
      let worstAmps = 0;
      let currentSquaredSum = 0;
      for (let phase = 0; phase < 3; phase++) {
        const s = root + phase;
        const vR = vRe[s] as number;
        const vI = vIm[s] as number;
        const iR = bRe[s] as number;
        const iI = bIm[s] as number;
        // S = V·conj(I)
        const pKw = (vR * iR + vI * iI) / 1000;
        const qKvar = (vI * iR - vR * iI) / 1000;
        transformer.pKw[phase] = pKw;
        transformer.qKvar[phase] = qKvar;
        result.substationPKw[phase] = (result.substationPKw[phase] as number) + pKw;
        result.substationQKvar[phase] = (result.substationQKvar[phase] as number) + qKvar;
        const squared = iR * iR + iI * iI;
        currentSquaredSum += squared;
        worstAmps = Math.max(worstAmps, Math.sqrt(squared));
      }
      transformer.loadingPct = (100 * worstAmps) / (this.ratedAmps[t] as number);
      transformer.lossesKw = ((this.ztRe[t] as number) * currentSquaredSum) / 1000;
      result.transformerLoadingPct = Math.max(result.transformerLoadingPct, transformer.loadingPct);
    });
    const p = result.substationPKw;
    const q = result.substationQKvar;
    result.substationPTotalKw = (p[0] as number) + (p[1] as number) + (p[2] as number);
    result.substationQTotalKvar = (q[0] as number) + (q[1] as number) + (q[2] as number);
  }

  private readonly angleDeg: Float64Array;
  private anglesFresh = false;

  /** Angles of the last solution, computed once per solve on demand. */
  private anglesDeg(): Float64Array {
    if (!this.anglesFresh) {
      for (let state = 0; state < this.angleDeg.length; state++) {
        this.angleDeg[state] = Math.atan2(this.vIm[state] as number, this.vRe[state] as number) / DEG;
      }
      this.anglesFresh = true;
    }
    return this.angleDeg;
  }

  private describeState(state: number, target: BusPhaseVolts): void {
    target.bus = this.network.buses[Math.floor(state / 3)]?.name ?? '';
    target.phase = PHASES[state % 3] as Phase;
    target.volts = this.result.busVoltsMag[state] as number;
  }
}
