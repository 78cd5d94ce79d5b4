// The task module Sluice loads: `sluice worker --tasks dist/tasks.js`, or SLUICE_TASKS.
import { pageView } from './page-view.js';

export default [pageView];
