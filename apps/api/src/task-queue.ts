export { createTaskQueue, type TaskQueue } from '@sluice/tasks';
