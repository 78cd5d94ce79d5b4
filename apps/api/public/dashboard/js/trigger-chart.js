// How many groups were released because they were full, because their oldest task waited too
// long, because their worker held as many jobs as it may (the fullest group leaves early), or
// because the worker was stopping.
import { setEmpty, setFigures } from './figures.js';
import { formatCount } from './format.js';

const TRIGGERS = ['size', 'timeout', 'pressure', 'shutdown'];
const LABELS = { size: 'full (size)', timeout: 'timeout', pressure: 'pressure', shutdown: 'shutdown' };

export const createTriggerChart = (Chart, canvas, figures, theme) => {
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: TRIGGERS.map((trigger) => LABELS[trigger]),
      datasets: [
        {
          label: 'groups',
          data: TRIGGERS.map(() => 0),
          backgroundColor: TRIGGERS.map((trigger) => theme.triggers[trigger]),
          borderRadius: 3,
          maxBarThickness: 34,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 } },
        y: { grid: { display: false }, ticks: { color: theme.text, font: { size: 12 } } },
      },
      plugins: { tooltip: { callbacks: { label: (item) => `${formatCount(item.parsed.x)} groups` } } },
    },
  });

  return {
    update: (flushesByTrigger) => {
      const counts = TRIGGERS.map((trigger) => flushesByTrigger[trigger] ?? 0);
      chart.data.datasets[0].data = counts;
      chart.update('none');
      const total = counts.reduce((sum, n) => sum + n, 0);
      setEmpty(canvas, total === 0);
      setFigures(figures, [
        ['', formatCount(total), ' groups'],
        ...(total === 0 ? [] : [['', `${Math.round((100 * counts[0]) / total)}%`, ' released full']]),
      ]);
    },
  };
};
