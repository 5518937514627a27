import { onBeforeUnmount, type Ref, watch } from 'vue';

/**
 * Beeps (Web Audio, no sound file) every 1.5 s while `active` is true. Browsers only let
 * audio start after a user gesture; the sign-in click gives one.
 */
export function useAlarm(active: Ref<boolean>) {
  let ctx: AudioContext | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;

  const beep = () => {
    try {
      ctx ??= new AudioContext();
      if (ctx.state === 'suspended') ctx.resume().catch(() => {});
      const t0 = ctx.currentTime;
      for (const [i, freq] of [880, 660].entries()) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = 'square';
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, t0 + i * 0.25);
        gain.gain.exponentialRampToValueAtTime(0.15, t0 + i * 0.25 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + i * 0.25 + 0.22);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t0 + i * 0.25);
        osc.stop(t0 + i * 0.25 + 0.24);
      }
      document.documentElement.dataset.alarmBeeps = String(
        Number(document.documentElement.dataset.alarmBeeps ?? 0) + 1,
      );
    } catch {
      // No audio device: the banner still flashes.
    }
  };

  watch(
    active,
    (on) => {
      if (on && !timer) {
        beep();
        timer = setInterval(beep, 1500);
      } else if (!on && timer) {
        clearInterval(timer);
        timer = null;
      }
    },
    { immediate: true },
  );

  onBeforeUnmount(() => {
    if (timer) clearInterval(timer);
    ctx?.close().catch(() => {});
  });
}
