export { foundInQueue, foundInStore, type FoundTask } from '@sluice/tasks';
