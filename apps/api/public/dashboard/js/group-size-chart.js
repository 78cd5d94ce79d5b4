// Tasks per group for the most recent batches, one bar each, coloured by what released the group.
import { setEmpty, setFigures } from './figures.js';
import { formatCount, shortId } from './format.js';

export const createGroupSizeChart = (Chart, canvas, figures, theme) => {
  let shown = [];
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: [],
      datasets: [{ label: 'tasks', data: [], backgroundColor: [], borderRadius: 2, maxBarThickness: 18 }],
    },
    options: {
      scales: {
        x: { ticks: { display: false }, grid: { display: false } },
        y: { beginAtZero: true, ticks: { precision: 0 } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => {
              const batch = shown[items[0]?.dataIndex ?? -1];
              return batch ? `${batch.taskType} · ${shortId(batch.id)}` : '';
            },
            label: (item) =>
              `${formatCount(item.parsed.y)} tasks, released by ${shown[item.dataIndex]?.trigger ?? '?'}`,
          },
        },
      },
    },
  });

  return {
    /** @param batches oldest first */
    update: (batches) => {
      shown = batches;
      chart.data.labels = batches.map((batch) => shortId(batch.id));
      chart.data.datasets[0].data = batches.map((batch) => batch.size);
      chart.data.datasets[0].backgroundColor = batches.map((batch) => theme.triggers[batch.trigger] ?? theme.muted);
      chart.update('none');
      setEmpty(canvas, batches.length === 0);
      const sizes = batches.map((batch) => batch.size);
      const mean = sizes.length === 0 ? 0 : sizes.reduce((sum, n) => sum + n, 0) / sizes.length;
      setFigures(figures, [
        ['mean ', sizes.length === 0 ? '–' : mean.toFixed(1)],
        ['largest ', sizes.length === 0 ? '–' : formatCount(Math.max(...sizes))],
      ]);
    },
  };
};
