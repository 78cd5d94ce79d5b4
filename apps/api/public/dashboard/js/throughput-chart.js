// Tasks committed per second over the last five minutes: a filled line on a time-of-day axis.
import { setFigures } from './figures.js';
import { formatClock, formatCount } from './format.js';
import { withAlpha } from './theme.js';

const MINUTE_MS = 60_000;

/**
 * @param canvas the chart's <canvas>
 * @param figures the header line that shows the latest second, the peak and the total
 */
export const createThroughputChart = (Chart, canvas, figures, theme) => {
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'tasks/s',
          data: [],
          borderColor: theme.accent,
          backgroundColor: withAlpha(theme.accent, 0.18),
          borderWidth: 1.5,
          fill: 'origin',
          pointRadius: 0,
          pointHoverRadius: 3,
          stepped: false,
          tension: 0,
        },
      ],
    },
    options: {
      normalized: true,
      interaction: { mode: 'index', intersect: false },
      scales: {
        // A linear axis of epoch milliseconds: no date adapter needed, ticks on whole minutes.
        x: {
          type: 'linear',
          ticks: { stepSize: MINUTE_MS, includeBounds: false, callback: (value) => formatClock(value) },
          grid: { display: false },
        },
        y: { beginAtZero: true, suggestedMax: 10, ticks: { precision: 0 } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? formatClock(items[0].parsed.x, true) : ''),
            label: (item) => `${formatCount(item.parsed.y)} tasks committed`,
          },
        },
      },
    },
  });

  return {
    update: (throughput) => {
      const points = throughput.points;
      chart.data.datasets[0].data = points.map((point) => ({ x: point.at, y: point.tasks }));
      chart.options.scales.x.min = throughput.until - points.length * throughput.intervalMs;
      chart.options.scales.x.max = throughput.until - throughput.intervalMs;
      chart.update('none');
      const tasks = points.map((point) => point.tasks);
      const total = tasks.reduce((sum, n) => sum + n, 0);
      setFigures(figures, [
        ['last second ', formatCount(tasks.at(-1) ?? 0), '/s'],
        ['peak ', formatCount(Math.max(0, ...tasks)), '/s'],
        ['', formatCount(total), ' in 5 min'],
      ]);
    },
  };
};
