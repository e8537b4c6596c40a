// `npm run mutation [-- --mutate src/options.ts]`: Stryker with stryker.config.mjs, run through its Stryker class
// so that a one-file run gets its own sandbox, reports and incremental file (options below).
import { Stryker } from '../node_modules/@stryker-mutator/core/dist/src/stryker.js';

const args = process.argv.slice(2);
const options = {};
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--mutate') options.mutate = args[++i].split(',');
  else if (args[i] === '--concurrency') options.concurrency = Number(args[++i]);
  // --force: re-test every mutant, the incremental file's results too (static mutants, which have no per-test
  // coverage, are otherwise never re-run after a test change: stryker-js#4372)
  else if (args[i] === '--force') options.force = true;
  else throw new Error(`unknown argument ${args[i]}: use --mutate FILE[,FILE], --concurrency N or --force`);
}
// one file's run has its own sandbox and reports, so two files can be measured side by side
if (options.mutate?.length === 1) {
  const base = options.mutate[0].replace(/^.*\//, '').replace(/[:.].*$/, '');
  options.tempDirName = `.stryker-tmp/${base}`;
  options.jsonReporter = { fileName: `reports/mutation/${base}.json` };
  options.htmlReporter = { fileName: `reports/mutation/${base}.html` };
  // a re-run tests only the mutants whose code or covering tests changed since the last run of this file
  options.incremental = true;
  options.incrementalFile = `reports/mutation/${base}.incremental.json`;
}
const results = await new Stryker({ configFile: 'stryker.config.mjs', ...options }).runMutationTest();
const killed = results.filter((m) => ['Killed', 'Timeout'].includes(m.status)).length;
const valid = results.filter((m) => !['CompileError', 'RuntimeError', 'Ignored'].includes(m.status)).length;
console.log(`mutation score: ${((100 * killed) / Math.max(1, valid)).toFixed(2)}% (${killed} of ${valid} killed)`);
