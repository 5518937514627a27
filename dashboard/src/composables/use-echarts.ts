import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { onBeforeUnmount, onMounted, type Ref, shallowRef, watch } from 'vue';

// Only the modules the dashboard draws with: keeps the bundle and the parse time small.
echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  CanvasRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

/**
 * One ECharts instance bound to an element. The instance lives in a shallowRef (never deep
 * reactive: ECharts mutates its own objects), is resized with a debounce and disposed on
 * unmount. `option` is re-applied whenever the getter's dependencies change.
 */
export function useEcharts(
  el: Ref<HTMLElement | null>,
  option: () => ChartOption | null,
  opts: { animation?: boolean } = {},
) {
  const chart = shallowRef<echarts.ECharts | null>(null);
  let resizeTimer: ReturnType<typeof setTimeout> | null = null;
  let observer: ResizeObserver | null = null;

  const apply = () => {
    const o = option();
    if (chart.value && o)
      chart.value.setOption(
        { animation: opts.animation ?? false, ...o },
        { notMerge: false, lazyUpdate: true },
      );
  };

  onMounted(() => {
    if (!el.value) return;
    chart.value = echarts.init(el.value, undefined, { renderer: 'canvas' });
    apply();
    observer = new ResizeObserver(() => {
      if (resizeTimer) clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => chart.value?.resize(), 200);
    });
    observer.observe(el.value);
  });

  watch(option, apply);

  onBeforeUnmount(() => {
    observer?.disconnect();
    if (resizeTimer) clearTimeout(resizeTimer);
    chart.value?.dispose();
    chart.value = null;
  });

  return { chart };
}
