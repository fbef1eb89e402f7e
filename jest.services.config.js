// `npm run test:services`: the same flows against real PostgreSQL, RabbitMQ and an S3 server.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testMatch: ['<rootDir>/test/services/**/*.spec.ts'],
  testTimeout: 120000,
  maxWorkers: 1,
  // These tests start processes, brokers and servers; a test that fails half-way must not leave
  // CI waiting on a handle it forgot.
  forceExit: true,
};
