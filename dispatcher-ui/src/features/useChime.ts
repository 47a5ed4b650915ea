import { useCallback, useRef, useState } from 'react';

/** A short two-tone chime through Web Audio (no sound file to ship). */
function play(ctx: AudioContext): void {
  const t0 = ctx.currentTime;
  for (const [i, hz] of [880, 660].entries()) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.0001, t0 + i * 0.25);
    gain.gain.exponentialRampToValueAtTime(0.3, t0 + i * 0.25 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.25 + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0 + i * 0.25);
    osc.stop(t0 + i * 0.25 + 0.25);
  }
}

export interface Chime {
  soundOn: boolean;
  /** Turns sound on or off; must run in a click handler (browsers allow sound only after a click). */
  toggle(): void;
  /** Plays the chime when sound is on. */
  ring(): void;
  /** Chimes played so far (tests read it from the toggle's data-chimes). */
  count: number;
}

/** An attention sound the user turns on with a click, off by default. */
export function useChime(): Chime {
  const audio = useRef<AudioContext | null>(null);
  const [soundOn, setSoundOn] = useState(false);
  const [count, setCount] = useState(0);
  const on = useRef(false);
  const toggle = useCallback(() => {
    if (!on.current) {
      audio.current ??= new AudioContext();
      void audio.current.resume();
    }
    on.current = !on.current;
    setSoundOn(on.current);
  }, []);
  const ring = useCallback(() => {
    if (!on.current || !audio.current) return;
    play(audio.current);
    setCount((n) => n + 1);
  }, []);
  return { soundOn, toggle, ring, count };
}
