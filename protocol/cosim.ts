/**
 * Co-simulation on the wire: the hub's `lockstep` clock. The hub announces step k on `gridflex/v1/cosim/step`;
 * every registered participant that is due answers on `gridflex/cosim/v1/<participant>/answer` with its
 * outputs for step k; the hub advances when all have answered or the timeout policy decides, and publishes
 * what happened on `gridflex/v1/cosim/done`. Participants join on `gridflex/cosim/v1/<participant>/register`
 * (a board with its device credentials, any other program with a `device:<id>` user).
 */
import { z } from 'zod';
import { GRIDFLEX_ROOT, type TopicSpec } from './gridflex.js';

/** Participants publish under this prefix, each only under its own ID. */
export const COSIM_ROOT = 'gridflex/cosim/v1';

const IsoTimeSchema = z.iso.datetime({ offset: true });
const ParticipantIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,63}$/,
    'lower-case letters, digits and hyphens, starting with a letter or digit',
  );

/** What the hub does when a participant has not answered step k within its timeout. */
export const TimeoutPolicySchema = z.enum(['wait', 'skip-and-flag', 'drop']);
export type TimeoutPolicy = z.infer<typeof TimeoutPolicySchema>;

export const cosimTopics = {
  /** The hub announces step k (not retained: a late joiner waits for the next one). */
  step: () => `${GRIDFLEX_ROOT}/cosim/step`,
  /** Step k is over: who answered, who was skipped or dropped, and every answer's outputs. */
  done: () => `${GRIDFLEX_ROOT}/cosim/done`,
  /** The registered participants and their state, retained; republished when it changes. */
  participants: () => `${GRIDFLEX_ROOT}/cosim/participants`,
  /** A participant joins (again) with its timeout policy and wake-up rule. */
  register: (participant: string) => `${COSIM_ROOT}/${participant}/register`,
  /** A participant's outputs for step k. */
  answer: (participant: string) => `${COSIM_ROOT}/${participant}/answer`,
  /** Hardware in the loop: model vs pinned sensor per home (residual, EWMA, bias, alarm), every step. */
  drift: () => `${GRIDFLEX_ROOT}/drift`,
  /** A participant leaves; the hub stops waiting for it. */
  leave: (participant: string) => `${COSIM_ROOT}/${participant}/leave`,
} as const;

/** Subscription filter of every participant message (the hub's). */
export const COSIM_PARTICIPANT_FILTER = `${COSIM_ROOT}/+/+`;

/** A value a participant reports. */
const OutputValueSchema = z.union([z.number(), z.boolean(), z.string().max(256), z.null()]);

/**
 * An event that wakes a sleeping participant at the next step: the market's prices change, a limit of the
 * street starts being breached, or a board's Homie property takes a new value.
 */
export const CosimWakeEventSchema = z.discriminatedUnion('on', [
  z.strictObject({ on: z.literal('prices') }),
  z.strictObject({ on: z.literal('limit-breach') }),
  z.strictObject({
    on: z.literal('property'),
    /** The Homie device ID. */
    device: ParticipantIdSchema,
    /** `<node>/<property>`, e.g. `pv/light-pct`. */
    property: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,63}\/[a-z0-9][a-z0-9-]{0,63}$/, '<node>/<property>, e.g. pv/light-pct'),
  }),
]);
export type CosimWakeEvent = z.infer<typeof CosimWakeEventSchema>;

export const CosimStepSchema = z.object({
  step: z.number().int().nonnegative(),
  /** Simulated time at the end of the step. */
  simTime: IsoTimeSchema,
  stepMinutes: z.number().positive(),
  /**
   * The participants the hub waits for this step (sleeping ones and those that answered it ahead are not
   * listed). A step no participant is due in is not announced.
   */
  due: z.array(ParticipantIdSchema),
});
export type CosimStep = z.infer<typeof CosimStepSchema>;

export const CosimDoneSchema = z.object({
  step: z.number().int().nonnegative(),
  simTime: IsoTimeSchema,
  answered: z.array(ParticipantIdSchema),
  /** Timed out under `skip-and-flag`: the step went on without their outputs. */
  skipped: z.array(ParticipantIdSchema),
  /** Timed out under `drop`: no longer waited for (they may register again). */
  dropped: z.array(ParticipantIdSchema),
  /** Each answer's outputs, by participant. */
  outputs: z.record(z.string(), z.record(z.string(), OutputValueSchema)),
});
export type CosimDone = z.infer<typeof CosimDoneSchema>;

export const CosimParticipantStateSchema = z.object({
  id: ParticipantIdSchema,
  /** `waiting`: due and not yet answered; `late`: past its timeout; `sleeping`: woken later; `dropped`. */
  state: z.enum(['ready', 'waiting', 'late', 'sleeping', 'dropped']),
  policy: TimeoutPolicySchema,
  timeoutMs: z.number().int().positive(),
  joinedAtStep: z.number().int().nonnegative(),
  lastAnsweredStep: z.number().int().nonnegative().nullable(),
  /** Steps that went on without this participant (skip-and-flag). */
  skippedSteps: z.number().int().nonnegative(),
  /** Answers that came too late or named another step (ignored). */
  staleAnswers: z.number().int().nonnegative(),
  /** Its outputs answered ahead are in hand up to this step (it is not asked before the step after). */
  aheadToStep: z.number().int().nonnegative().optional(),
  wakeAtStep: z.number().int().nonnegative().optional(),
  wakeAt: IsoTimeSchema.optional(),
  /** The events that wake it before then (or, with neither, the only way it wakes). */
  wakeOn: z.array(CosimWakeEventSchema).optional(),
  /** Its last refused answer and why (the step went on waiting for a good one). */
  refused: z.object({ step: z.number().int().nonnegative(), reason: z.string() }).optional(),
});
export type CosimParticipantState = z.infer<typeof CosimParticipantStateSchema>;

export const CosimParticipantsSchema = z.object({
  step: z.number().int().nonnegative(),
  /** The hub's default policy and timeout (a participant may choose its own when it registers). */
  policy: TimeoutPolicySchema,
  timeoutMs: z.number().int().positive(),
  participants: z.array(CosimParticipantStateSchema),
});
export type CosimParticipants = z.infer<typeof CosimParticipantsSchema>;

export const CosimRegisterSchema = z.strictObject({
  /** Default: the hub's `clock.lockstep.policy`. */
  policy: TimeoutPolicySchema.optional(),
  /** Wall-clock milliseconds the hub waits for this participant's answer (default: the hub's). */
  timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
  requestId: z.string().min(1).max(64).optional(),
});
export type CosimRegister = z.infer<typeof CosimRegisterSchema>;

export const CosimAnswerSchema = z
  .strictObject({
    /** The step these outputs are for (the announced k). */
    step: z.number().int().nonnegative(),
    outputs: z.record(z.string().min(1).max(128), OutputValueSchema).default({}),
    /**
     * Answered ahead: my outputs for steps step+1 … step+n, which do not depend on other participants' outputs
     * of those steps; the hub does not ask me before step+n+1 (unless an event I named wakes me first).
     */
    ahead: z
      .array(z.record(z.string().min(1).max(128), OutputValueSchema))
      .min(1)
      .max(1000)
      .optional(),
    /** Event-driven: do not wait for me before this step (I sleep until then). */
    nextStep: z.number().int().nonnegative().optional(),
    /** Event-driven: do not wait for me before this simulated time (after the answered step's). */
    wakeAt: IsoTimeSchema.optional(),
    /** Event-driven: wake me earlier (or, alone, only) on any of these events. */
    wakeOn: z.array(CosimWakeEventSchema).min(1).max(16).optional(),
  })
  .superRefine((answer, context) => {
    const lastStep = answer.step + (answer.ahead?.length ?? 0);
    if (answer.nextStep !== undefined && answer.nextStep <= lastStep)
      context.addIssue({
        code: 'custom',
        path: ['nextStep'],
        message: `must be after step ${lastStep}${answer.ahead ? ' (the last one answered ahead)' : ''}`,
      });
    if (answer.nextStep !== undefined && answer.wakeAt !== undefined)
      context.addIssue({ code: 'custom', path: ['wakeAt'], message: 'give nextStep or wakeAt, not both' });
  });
export type CosimAnswer = z.input<typeof CosimAnswerSchema>;

export const CosimLeaveSchema = z.strictObject({ reason: z.string().max(200).optional() });

export const DriftPinSchema = z.object({
  home: z.string(),
  plot: z.string(),
  /** What the model variable is pinned to (today: the meter board on the home's plot). */
  sensor: z.literal('meter'),
  variable: z.literal('netPKw'),
  modelValue: z.number(),
  sensorValue: z.number(),
  residual: z.number(),
  ewma: z.number(),
  /** Online bias estimate (mean residual) the operator may add to the model. */
  bias: z.number(),
  samples: z.number().int().positive(),
  alarm: z.boolean(),
  alarmAt: z.number().positive(),
});

export const DriftSchema = z.object({
  step: z.number().int().nonnegative(),
  simTime: IsoTimeSchema,
  pins: z.array(DriftPinSchema),
});
export type Drift = z.infer<typeof DriftSchema>;

/** Parses a participant topic: its ID and what it sends, or null for any other topic. */
export function parseCosimTopic(
  topic: string,
): { participant: string; kind: 'register' | 'answer' | 'leave' } | null {
  if (!topic.startsWith(`${COSIM_ROOT}/`)) return null;
  const rest = topic.slice(COSIM_ROOT.length + 1).split('/');
  const [participant, kind] = rest;
  if (rest.length !== 2 || participant === undefined || !ParticipantIdSchema.safeParse(participant).success)
    return null;
  if (kind !== 'register' && kind !== 'answer' && kind !== 'leave') return null;
  return { participant, kind };
}

/** The schema of a participant message kind. */
export const COSIM_PARTICIPANT_SCHEMAS = {
  register: CosimRegisterSchema,
  answer: CosimAnswerSchema,
  leave: CosimLeaveSchema,
} as const;

/** The co-simulation topics, documented in docs/protocol.md beside the others. */
export const COSIM_TOPIC_SPECS: readonly TopicSpec[] = [
  {
    pattern: cosimTopics.step(),
    publisher: 'hub (clock mode `lockstep`)',
    retained: false,
    qos: 0,
    schema: CosimStepSchema,
    description:
      'Step k begins: every participant in `due` answers with its outputs for step k; the hub waits for all of them (or its timeout policy decides) before the step’s power flow. A step no participant is due in (all asleep or answered ahead) is not announced; its `done` still is. QoS 0 (a message lost on a clean session means a lost connection): a participant that registers again while the step waits for it is sent the announcement again.',
    example: { step: 182, simTime: '2026-01-15T18:12:00.000Z', stepMinutes: 6, due: ['pv-1', 'mosaik-pv'] },
  },
  {
    pattern: cosimTopics.done(),
    publisher: 'hub',
    retained: false,
    qos: 0,
    schema: CosimDoneSchema,
    description:
      'Step k is over: who answered, who was skipped (`skip-and-flag`) or dropped (`drop`), and the outputs of every answer (the inputs other participants read).',
    example: {
      step: 182,
      simTime: '2026-01-15T18:12:00.000Z',
      answered: ['pv-1'],
      skipped: ['mosaik-pv'],
      dropped: [],
      outputs: { 'pv-1': { 'pv/power-kw': -1.2, 'pv/light-pct': 30 } },
    },
  },
  {
    pattern: cosimTopics.participants(),
    publisher: 'hub',
    retained: true,
    qos: 1,
    schema: CosimParticipantsSchema,
    description:
      'The registered participants: policy, timeout, state (ready, waiting, late, sleeping, dropped), last step answered and steps skipped.',
    example: {
      step: 182,
      policy: 'wait',
      timeoutMs: 2000,
      participants: [
        {
          id: 'pv-1',
          state: 'ready',
          policy: 'wait',
          timeoutMs: 2000,
          joinedAtStep: 3,
          lastAnsweredStep: 182,
          skippedSteps: 0,
          staleAnswers: 0,
        },
      ],
    },
  },
  {
    pattern: cosimTopics.drift(),
    paced: true,
    publisher: 'hub',
    retained: true,
    qos: 0,
    schema: DriftSchema,
    description:
      'Hardware in the loop, every step with a pinned sensor: each metered home’s model net power against its meter board, the residual, its EWMA, the bias estimate and the alarm (raised at |EWMA| ≥ `alarmAt`, cleared below half).',
    example: {
      step: 182,
      simTime: '2026-01-15T18:12:00.000Z',
      pins: [
        {
          home: 'home-3',
          plot: 'plot-3',
          sensor: 'meter',
          variable: 'netPKw',
          modelValue: 7.9,
          sensorValue: 9.4,
          residual: 1.5,
          ewma: 1.1,
          bias: 0.6,
          samples: 40,
          alarm: true,
          alarmAt: 1,
        },
      ],
    },
  },
  {
    pattern: cosimTopics.register('<participant>'),
    publisher: '`device:<participant>` (a board, or any program with that user)',
    retained: false,
    qos: 1,
    schema: CosimRegisterSchema,
    description:
      'Join the lockstep from the next step, with a timeout policy (`wait`, `skip-and-flag`, `drop`) and a timeout; registering again changes them.',
    example: { policy: 'skip-and-flag', timeoutMs: 500, requestId: 'join-1' },
  },
  {
    pattern: cosimTopics.answer('<participant>'),
    publisher: '`device:<participant>`',
    retained: false,
    qos: 0,
    schema: CosimAnswerSchema,
    description:
      'Outputs for the announced step. `ahead`: outputs for the n steps after it as well (steps step+1 … step+n, for a participant whose outputs there do not depend on the others’ outputs there): the hub does not ask it before step+n+1 and uses them in those steps’ `done` as if answered then; a step whose simulated time is not the one they were answered for (the clock was moved) asks it again, and an event it named in `wakeOn` drops them. Event-driven: `nextStep` (after `step`, or after the last step answered ahead) or `wakeAt` (after the step’s simulated time) say the hub need not wait for this participant before then; `wakeOn` wakes it at the next step after an event (`prices`: the market’s prices changed; `limit-breach`: a street limit started being breached; `property`: a board’s Homie property took a new value), and alone sleeps until one. An answer for another step is counted as stale and ignored; a bad wake-up request is refused (the broker’s reason on `gridflex/v1/hub/security`, or `refused` on `gridflex/v1/cosim/participants`) and the step still waits for a good answer. QoS 0, as the announcement: an answer is lost only with the connection, and a participant that registers again is sent the waiting step again.',
    example: {
      step: 182,
      outputs: { 'pv/power-kw': -1.2, 'pv/light-pct': 30 },
      nextStep: 192,
      wakeOn: [{ on: 'prices' }, { on: 'property', device: 'pv-1', property: 'pv/light-pct' }],
    },
  },
  {
    pattern: cosimTopics.leave('<participant>'),
    publisher: '`device:<participant>`',
    retained: false,
    qos: 1,
    schema: CosimLeaveSchema,
    description: 'Leave the lockstep: the hub stops waiting for this participant at once.',
    example: { reason: 'board shutting down' },
  },
];
