import { useEffect, useRef, useSyncExternalStore } from 'react';
import { usePageText } from '../text.ts';
import type { ReplayClock } from './ReplayClock.ts';
import { SPEEDS } from './replayMath.ts';

/** Event ticks along the scrubber, as fractions of the window. */
export interface Tick {
  at: number;
  type: string;
}

/**
 * Play/pause, speed and one range over the whole window. The range and the time label follow the
 * clock imperatively (no React render per frame); dragging seeks.
 */
export function Scrubber({ clock, ticks }: { clock: ReplayClock; ticks: Tick[] }) {
  const { p, time, dateTime } = usePageText();
  const s = useSyncExternalStore(clock.subscribeState, clock.getState);
  const range = useRef<HTMLInputElement>(null);
  const label = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    const el = range.current!;
    // A native listener: tests (and assistive tech) may set the value and fire 'input' directly.
    const onInput = () => clock.seek(Number(el.value));
    el.addEventListener('input', onInput);
    const off = clock.onTime((t) => {
      if (document.activeElement !== el || s.playing) el.value = String(t);
      el.setAttribute('aria-valuetext', time(t));
      label.current!.textContent = time(t);
      label.current!.dataset.t = String(Math.round(t));
    });
    return () => {
      el.removeEventListener('input', onInput);
      off();
    };
  }, [clock, time, s.playing]);

  const span = Math.max(1, s.toMs - s.fromMs);
  return (
    <div className="scrubber">
      <button type="button" className="primary play" name="play" onClick={() => (s.playing ? clock.pause() : clock.play())} aria-pressed={s.playing}>
        {s.playing ? `❚❚ ${p('replay.pause')}` : `▶ ${p('replay.play')}`}
      </button>
      <label className="speed">
        {p('replay.speed')}
        <select name="speed" value={s.speed} onChange={(e) => clock.setSpeed(Number(e.target.value))}>
          {SPEEDS.map((x) => (
            <option key={x} value={x}>
              {x}×
            </option>
          ))}
        </select>
      </label>
      <span className="time-now" ref={label} aria-live="off" />
      <div className="range-wrap">
        <input ref={range} type="range" name="t" aria-label={p('replay.scrubber')} min={s.fromMs} max={s.toMs} step={1000} defaultValue={s.fromMs} />
        <div className="ticks" aria-hidden>
          {ticks.map((k, i) => (
            <span key={i} className={`tick ev-${k.type}`} style={{ left: `${((k.at - s.fromMs) / span) * 100}%` }} />
          ))}
        </div>
        <div className="range-ends">
          <span>{dateTime(s.fromMs)}</span>
          <span>{dateTime(s.toMs)}</span>
        </div>
      </div>
    </div>
  );
}
