// The live batch dashboard: polls the api once a second and redraws every panel.
//
// Polling rather than a long-lived stream: a page left open across an api restart simply gets its
// next answer from the new process, with nothing to reconnect.
import { BATCHES_PLOTTED, fetchSnapshot } from './api.js';
import { createKeyForm, UnauthorizedError } from './api-key.js';
import { renderBatchesTable } from './batches-table.js';
import { createCommitTimeChart } from './commit-time-chart.js';
import { createGroupSizeChart } from './group-size-chart.js';
import { createStatus } from './status.js';
import { applyChartDefaults, readTheme } from './theme.js';
import { createThroughputChart } from './throughput-chart.js';
import { renderTotals } from './totals.js';
import { createTriggerChart } from './trigger-chart.js';

const POLL_MS = 1_000;
/** A poll that takes longer than this counts as failed; the next one starts right after. */
const REQUEST_TIMEOUT_MS = 4_000;

const byId = (id) => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element;
};

const start = () => {
  const { Chart } = window;
  const status = createStatus(byId('status'), byId('status-text'));
  if (Chart === undefined) throw new Error('Chart.js did not load from /dashboard/vendor/chart.js/');
  const theme = readTheme();
  applyChartDefaults(Chart, theme);
  const throughput = createThroughputChart(Chart, byId('throughput-chart'), byId('throughput-figures'), theme);
  const groupSize = createGroupSizeChart(Chart, byId('size-chart'), byId('size-figures'), theme);
  const commitTime = createCommitTimeChart(Chart, byId('commit-chart'), byId('commit-figures'), theme);
  const triggers = createTriggerChart(Chart, byId('trigger-chart'), byId('trigger-figures'), theme);
  const table = byId('batches');
  const tableEmpty = byId('batches-empty');
  let timer;
  // A key entered polls at once rather than a second later.
  const keyForm = createKeyForm(byId('key-form'), () => {
    clearTimeout(timer);
    void poll();
  });

  const render = ({ stats, throughput: series, batches }) => {
    // `until` is the start of the server's current second: the server's clock is about half a
    // second past it. Ages are measured on that clock, so a skewed client clock does not show
    // batches committed "in the future".
    const serverNow = series.until + 500;
    const oldestFirst = batches.slice(0, BATCHES_PLOTTED).reverse();
    renderTotals(stats);
    throughput.update(series);
    groupSize.update(oldestFirst);
    commitTime.update(oldestFirst, stats.commitMs);
    triggers.update(stats.flushesByTrigger);
    renderBatchesTable(table, tableEmpty, batches, serverNow);
  };

  const poll = async () => {
    const started = Date.now();
    try {
      // A hidden tab skips its polls: nobody is looking, and the api has better things to do.
      if (document.visibilityState !== 'hidden') {
        render(await fetchSnapshot(AbortSignal.timeout(REQUEST_TIMEOUT_MS), keyForm.key()));
        status.live(Date.now());
      }
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        // No more polls until a key is entered: each would be one more refused request.
        status.locked();
        keyForm.ask();
        return;
      }
      status.down(Date.now(), error);
    }
    timer = setTimeout(poll, Math.max(0, POLL_MS - (Date.now() - started)));
  };
  void poll();
};

start();
