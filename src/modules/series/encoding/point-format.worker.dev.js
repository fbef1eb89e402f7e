// The formatting thread's entry when the app runs from its TypeScript sources (tests, benches):
// worker threads do not inherit ts-jest or ts-node, so register ts-node here. The compiled app
// loads point-format.worker.js directly.
require('ts-node').register({ transpileOnly: true });
module.exports = require('./point-format.worker.ts');
