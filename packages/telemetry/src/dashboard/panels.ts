import {
  BarGaugeDisplayMode,
  BarGaugeNamePlacement,
  BarGaugeSizing,
  BarGaugeValueMode,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  FieldColorModeId,
  GraphDrawStyle,
  LegendDisplayMode,
  PercentChangeColorMode,
  SortOrder,
  ThresholdsMode,
  TooltipDisplayMode,
  VisibilityMode,
  VizOrientation,
  type DataQuery,
  type FieldConfigSource,
  type Panel,
  type ThresholdsConfig,
} from '@grafana/schema';
import type { Options as BarGaugeOptions } from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type {
  FieldConfig as TimeSeriesFieldConfig,
  Options as TimeSeriesOptions,
} from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';
import { DATASOURCE } from './prometheus-setup.js';

/**
 * A Prometheus query as Grafana stores it in a panel's `targets`. `@grafana/schema` leaves
 * datasource-specific fields to each plugin, so the few the Prometheus plugin reads are named here.
 */
export type PrometheusQuery = DataQuery & {
  /** PromQL; may use Grafana's `$__rate_interval` and `$__range`. */
  readonly expr: string;
  /** Series name in the legend, with `{{label}}` placeholders. */
  readonly legendFormat: string;
  /** `heatmap` turns cumulative histogram buckets into per-bucket counts. */
  readonly format: 'time_series' | 'heatmap';
  readonly range: boolean;
  readonly instant: boolean;
};

/** What every panel builder takes: a title, the one-line meaning, its queries and a unit. */
export interface PanelSpec {
  readonly title: string;
  /** One sentence on what the panel shows; Grafana shows it in the panel's (i) tooltip. */
  readonly description: string;
  readonly queries: ReadonlyArray<PrometheusQuery>;
  /** Grafana unit id: `s`, `bytes`, `ops`, `short`, `none`. */
  readonly unit: string;
  /** Width in grid columns (of 24) and height in rows (of 30 px). */
  readonly size: { readonly w: number; readonly h: number };
}

/** A panel before the layout gives it a position and an id. */
export type UnplacedPanel = Omit<Panel, 'gridPos' | 'id'> & { readonly size: PanelSpec['size'] };

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * One Prometheus query; refIds are assigned by the panel, in order.
 *
 * @example
 * query('sum(rate(sluice_tasks_submitted_total[$__rate_interval]))', 'submitted')
 */
export const query = (
  expr: string,
  legendFormat: string,
  options: { readonly format?: PrometheusQuery['format']; readonly instant?: boolean } = {},
): PrometheusQuery => ({
  refId: '',
  datasource: { ...DATASOURCE },
  expr,
  legendFormat,
  format: options.format ?? 'time_series',
  range: options.instant !== true,
  instant: options.instant === true,
});

const targets = (queries: ReadonlyArray<PrometheusQuery>): Array<Record<string, unknown>> =>
  queries.map((q, index) => ({ ...q, refId: REF_IDS[index] ?? `Q${index}` }));

const greenThresholds = (): ThresholdsConfig => ({
  mode: ThresholdsMode.Absolute,
  steps: [{ color: 'green', value: null }],
});

const common = (spec: PanelSpec) => ({
  title: spec.title,
  description: spec.description,
  datasource: { ...DATASOURCE },
  targets: targets(spec.queries),
  size: spec.size,
});

/**
 * A time series panel: lines over time, one per series, with a table legend of mean and max.
 *
 * @example
 * timeSeries({ title: 'Throughput', description: '…', unit: 'ops', size: { w: 12, h: 8 }, queries: [query(expr, 'submitted')] })
 */
export const timeSeries = (spec: PanelSpec): UnplacedPanel => {
  const options: TimeSeriesOptions = {
    legend: { displayMode: LegendDisplayMode.Table, placement: 'bottom', showLegend: true, calcs: ['mean', 'max'] },
    tooltip: { mode: TooltipDisplayMode.Multi, sort: SortOrder.Descending },
  };
  const custom: TimeSeriesFieldConfig = {
    drawStyle: GraphDrawStyle.Line,
    lineWidth: 1,
    fillOpacity: 10,
    showPoints: VisibilityMode.Never,
    spanNulls: true,
  };
  const fieldConfig: FieldConfigSource = {
    defaults: {
      unit: spec.unit,
      min: 0,
      color: { mode: FieldColorModeId.PaletteClassic },
      thresholds: greenThresholds(),
      custom: { ...custom },
    },
    overrides: [],
  };
  return { type: 'timeseries', ...common(spec), options: { ...options }, fieldConfig };
};

/**
 * A stat panel: the latest value of each query, big.
 *
 * @example
 * stat({ title: 'Workers up', description: '…', unit: 'none', size: { w: 4, h: 8 }, queries: [query('sum(up{job="sluice-worker"})', 'workers')] })
 */
export const stat = (spec: PanelSpec & { readonly thresholds?: ThresholdsConfig }): UnplacedPanel => {
  const options: StatOptions = {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    orientation: VizOrientation.Auto,
    colorMode: BigValueColorMode.Value,
    graphMode: BigValueGraphMode.Area,
    justifyMode: BigValueJustifyMode.Auto,
    textMode: BigValueTextMode.ValueAndName,
    percentChangeColorMode: PercentChangeColorMode.Standard,
    showPercentChange: false,
    wideLayout: true,
  };
  return {
    type: 'stat',
    ...common(spec),
    options: { ...options },
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        color: { mode: FieldColorModeId.Thresholds },
        thresholds: spec.thresholds ?? greenThresholds(),
      },
      overrides: [],
    },
  };
};

/**
 * A bar gauge: one bar per series, here the buckets of a histogram over the dashboard's range.
 *
 * @example
 * barGauge({ title: 'Group size distribution', description: '…', unit: 'short', size: { w: 12, h: 8 }, queries: [query(expr, '{{le}}', { format: 'heatmap', instant: true })] })
 */
export const barGauge = (spec: PanelSpec): UnplacedPanel => {
  const options: BarGaugeOptions = {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    orientation: VizOrientation.Vertical,
    displayMode: BarGaugeDisplayMode.Gradient,
    valueMode: BarGaugeValueMode.Text,
    namePlacement: BarGaugeNamePlacement.Auto,
    showUnfilled: true,
    sizing: BarGaugeSizing.Auto,
    minVizHeight: 16,
    maxVizHeight: 300,
    minVizWidth: 8,
    legend: { displayMode: LegendDisplayMode.List, placement: 'bottom', showLegend: false, calcs: [] },
  };
  return {
    type: 'bargauge',
    ...common(spec),
    options: { ...options },
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        min: 0,
        color: { mode: FieldColorModeId.ContinuousBlues },
        thresholds: greenThresholds(),
      },
      overrides: [],
    },
  };
};
