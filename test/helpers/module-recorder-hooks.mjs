// Loader hooks of module-recorder.mjs: every ES module (and every CommonJS module an ES
// module imports) is logged as it loads.
import { appendFileSync } from 'node:fs';

let file;

export function initialize(data) {
  file = data.file;
}

export async function load(url, context, nextLoad) {
  appendFileSync(file, `esm ${url}\n`);
  return nextLoad(url, context);
}
