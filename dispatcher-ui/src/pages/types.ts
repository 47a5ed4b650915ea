/** Review answers: declared once in protocol/ (review.ts). */
export { GROUP_BYS, INTERVAL_NAMES } from '@lifeline/protocol';
export type { AreaReplay, GroupBy, IncidentReplay, IntervalName, IntervalStats, KpiGroup, KpiResult, ReplayWindow, TrackPoint } from '@lifeline/protocol';
