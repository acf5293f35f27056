// Charts: Apache ECharts, only the parts the dashboard uses (bars and a funnel, drawn on a
// canvas). Tooltips are drawn as rich text on that canvas, never as HTML, so a restaurant's,
// an area's or a volunteer's name can only ever be text. Right-to-left windows mirror the
// category axis (ECharts does not follow `dir` by itself).
import { BarChart, FunnelChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, FunnelChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** What every chart shares: text-only tooltips, the window's font, no animation to wait for. */
export function base(option: ChartOption): ChartOption {
  return {
    animation: false,
    textStyle: { fontFamily: "inherit" },
    tooltip: { trigger: "item", renderMode: "richText", confine: true },
    ...option,
  };
}

/** A Svelte action: draws `option` in the element, redraws when it changes, and calls
 * `onpick(name, dataIndex, seriesIndex)` when a bar or a funnel stage is clicked. */
export function echart(
  node: HTMLElement,
  params: { option: ChartOption; onpick?: (name: string, dataIndex: number, seriesIndex: number) => void },
) {
  const chart = echarts.init(node, undefined, { renderer: "canvas" });
  let current = params;
  chart.setOption(base(current.option), true);
  chart.on("click", (e) => current.onpick?.(String(e.name), e.dataIndex, e.seriesIndex ?? 0));
  const resize = new ResizeObserver(() => chart.resize());
  resize.observe(node);
  return {
    update(next: typeof params) {
      current = next;
      chart.setOption(base(next.option), true);
    },
    destroy() {
      resize.disconnect();
      chart.dispose();
    },
  };
}
