// How long each recent group's single commit statement took on the server, in milliseconds.
import { setEmpty, setFigures } from './figures.js';
import { formatMs, shortId } from './format.js';
import { withAlpha } from './theme.js';

export const createCommitTimeChart = (Chart, canvas, figures, theme) => {
  let shown = [];
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      labels: [],
      datasets: [
        {
          label: 'commit ms',
          data: [],
          borderColor: theme.violet,
          backgroundColor: withAlpha(theme.violet, 0.15),
          borderWidth: 1.5,
          fill: 'origin',
          pointRadius: 2,
          // Straight segments: a smoothed curve would draw commit times no batch had.
          tension: 0,
        },
      ],
    },
    options: {
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { ticks: { display: false }, grid: { display: false } },
        y: { beginAtZero: true, ticks: { callback: (value) => `${value} ms` } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => {
              const batch = shown[items[0]?.dataIndex ?? -1];
              return batch ? `${batch.taskType} · ${shortId(batch.id)} · ${batch.size} tasks` : '';
            },
            label: (item) => formatMs(item.parsed.y),
          },
        },
      },
    },
  });

  return {
    /**
     * @param batches oldest first
     * @param commitMs the all-time mean and 95th percentile from /api/tasks/stats
     */
    update: (batches, commitMs) => {
      shown = batches;
      chart.data.labels = batches.map((batch) => shortId(batch.id));
      chart.data.datasets[0].data = batches.map((batch) => batch.commitMs);
      chart.update('none');
      setEmpty(canvas, batches.length === 0);
      setFigures(figures, [
        ['mean ', formatMs(commitMs.average)],
        ['p95 ', formatMs(commitMs.p95), ' (all batches)'],
      ]);
    },
  };
};
