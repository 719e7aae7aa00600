// The donor dashboard's chart: MiB served (bars, left axis) and credits earned (line, right axis)
// per local day, drawn by uPlot on a canvas. Created on mount, resized with its container,
// destroyed with the component. The canvas carries a one-sentence summary; the per-channel table
// beside it is the accessible form of the numbers.
import { createEffect, on, onCleanup, onMount, type JSX } from 'solid-js';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { EarningsSeries } from './earnings-model.ts';

/** Plot height in CSS pixels, axes included; the width follows the container. */
export const earningsChartHeightPx = 220;
const secondsPerDay = 86_400;
// Above this span the x axis names months, not days.
const daysWithDayLabels = 180;
const axisFont = '12px system-ui, sans-serif';
// Tick length plus the gap between tick and label, as uPlot draws them by default.
const axisTickAndGapPx = 15;

export interface EarningsChartProps {
  series: EarningsSeries;
  /** What the chart shows, in one sentence, for screen readers. */
  summary: string;
  /** The legend's names of the two series. */
  mibLabel: string;
  creditsLabel: string;
  /** BCP 47 tag for the axes' dates and numbers. */
  language: string;
}

/** The colours of the page's scheme, read from its custom properties (base.css). */
function themeColours(element: Element): { data: string; credits: string; axis: string; grid: string } {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return { data: read('--accent', '#0b57b3'), credits: read('--ok', '#1f7a3a'), axis: read('--muted', '#50505a'), grid: read('--line', '#c9c9d1') };
}

function plotData(series: EarningsSeries): uPlot.AlignedData {
  return [series.x, series.mib, series.credits];
}

function plotOptions(width: number, colours: ReturnType<typeof themeColours>, language: string): uPlot.Options {
  const dayLabel = new Intl.DateTimeFormat([language], { month: 'short', day: 'numeric' });
  const monthLabel = new Intl.DateTimeFormat([language], { year: 'numeric', month: 'short' });
  const numberLabel = new Intl.NumberFormat([language], { maximumFractionDigits: 6 });
  const numbers = (_: uPlot, splits: number[]): string[] => splits.map((value) => numberLabel.format(value));
  // Both y axes start at 0; an all-zero span still gets a visible range.
  const fromZero = (_: uPlot, __: number | null, max: number | null): uPlot.Range.MinMax => [0, max && max > 0 ? max * 1.1 : 1];
  // uPlot's y axes are 50 px wide by default, which clips "0.0025"; fit them to their longest label.
  const fitLabels = (plot: uPlot, values: string[] | null): number => {
    const longest = (values ?? []).reduce((a, b) => (b.length > a.length ? b : a), '');
    plot.ctx.font = axisFont;
    return Math.ceil(plot.ctx.measureText(longest).width) + axisTickAndGapPx + 4;
  };
  return {
    width,
    height: earningsChartHeightPx,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      // Half a day either side, so the first and last bars are whole (and one day still has a span).
      x: { time: true, range: (_, min, max) => [(min ?? 0) - secondsPerDay / 2, (max ?? 0) + secondsPerDay / 2] },
      mib: { range: fromZero },
      credits: { range: fromZero },
    },
    series: [
      {},
      { scale: 'mib', stroke: colours.data, fill: colours.data, paths: uPlot.paths.bars!({ size: [0.6, 48] }), points: { show: false } },
      { scale: 'credits', stroke: colours.credits, width: 2, points: { show: true, size: 6, fill: colours.credits } },
    ],
    axes: [
      {
        font: axisFont,
        stroke: colours.axis,
        grid: { stroke: colours.grid, width: 1 },
        ticks: { stroke: colours.grid, width: 1 },
        values: (plot, splits) => {
          const spanDays = ((plot.scales.x?.max ?? 0) - (plot.scales.x?.min ?? 0)) / secondsPerDay;
          const label = spanDays > daysWithDayLabels ? monthLabel : dayLabel;
          return splits.map((seconds) => label.format(new Date(seconds * 1000)));
        },
      },
      { scale: 'mib', font: axisFont, size: fitLabels, stroke: colours.data, grid: { stroke: colours.grid, width: 1 }, ticks: { stroke: colours.grid, width: 1 }, values: numbers },
      { scale: 'credits', side: 1, font: axisFont, size: fitLabels, stroke: colours.credits, grid: { show: false }, ticks: { stroke: colours.grid, width: 1 }, values: numbers },
    ],
  };
}

/** The per-day chart, with its legend. */
export function EarningsChart(props: EarningsChartProps): JSX.Element {
  let container!: HTMLDivElement;
  onMount(() => {
    const plot = new uPlot(plotOptions(container.clientWidth, themeColours(container), props.language), plotData(props.series), container);
    const canvas = plot.ctx.canvas;
    canvas.setAttribute('role', 'img');
    createEffect(() => canvas.setAttribute('aria-label', props.summary));
    createEffect(on(() => props.series, (series) => plot.setData(plotData(series)), { defer: true }));
    const resize = new ResizeObserver(() => {
      if (container.clientWidth !== plot.width) plot.setSize({ width: container.clientWidth, height: earningsChartHeightPx });
    });
    resize.observe(container);
    onCleanup(() => {
      resize.disconnect();
      plot.destroy();
    });
  });
  return (
    <figure class="earnings-chart" id="earnings-chart">
      {/* uPlot positions its layers from the left; time runs left to right in every language here. */}
      <div class="earnings-plot" dir="ltr" ref={container} />
      <figcaption class="earnings-legend">
        <span class="legend-item">
          <span class="legend-swatch legend-bar" aria-hidden="true" />
          {props.mibLabel}
        </span>
        <span class="legend-item">
          <span class="legend-swatch legend-line" aria-hidden="true" />
          {props.creditsLabel}
        </span>
      </figcaption>
    </figure>
  );
}
