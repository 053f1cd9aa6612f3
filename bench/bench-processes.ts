export * from '../test/support/server-process.ts';
