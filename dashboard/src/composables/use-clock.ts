import { onBeforeUnmount, onMounted, ref } from 'vue';

/** The current time, ticking once a second (aligned to the second so the display never skips). */
export function useClock() {
  const now = ref(new Date());
  let timer: ReturnType<typeof setTimeout> | null = null;
  const tick = () => {
    now.value = new Date();
    timer = setTimeout(tick, 1000 - (Date.now() % 1000) + 5);
  };
  onMounted(tick);
  onBeforeUnmount(() => {
    if (timer) clearTimeout(timer);
  });
  return now;
}
