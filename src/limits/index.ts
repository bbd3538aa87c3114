export * from './semaphore.js';
export * from './failure-counter.js';
