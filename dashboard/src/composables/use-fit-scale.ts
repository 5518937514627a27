import { onBeforeUnmount, onMounted, ref } from 'vue';

/**
 * Scales a fixed design (1920×1080) evenly to the window: the smaller ratio wins, the rest
 * is letterboxed, nothing is stretched. Works for 4K (×2) and ultra-wide walls alike.
 */
export function useFitScale(width = 1920, height = 1080) {
  const scale = ref(1);
  const offsetX = ref(0);
  const offsetY = ref(0);
  let frame = 0;
  const measure = () => {
    const w = window.innerWidth;
    const h = window.innerHeight;
    const s = Math.min(w / width, h / height);
    scale.value = s;
    offsetX.value = Math.round((w - width * s) / 2);
    offsetY.value = Math.round((h - height * s) / 2);
  };
  const onResize = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(measure);
  };
  onMounted(() => {
    measure();
    window.addEventListener('resize', onResize);
  });
  onBeforeUnmount(() => {
    window.removeEventListener('resize', onResize);
    cancelAnimationFrame(frame);
  });
  return { scale, offsetX, offsetY, width, height };
}
