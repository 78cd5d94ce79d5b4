// `node apps/api/dist/main.js`: the api process that the image, compose and `npm start` run.
import { runApiProcess } from './api-process.js';

await runApiProcess();
