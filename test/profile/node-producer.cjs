// A second real pprof producer: Node's V8 profiler through @datadog/pprof (wall time). With
// `with-helper` the hot loop calls parseHelper; without, the change has inlined it and does half.
const fs = require('node:fs');
const pprof = require('@datadog/pprof');

const withHelper = process.argv[3] === 'with-helper';

function parseHelper(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) n = (n * 31 + text.charCodeAt(i)) | 0;
  return n;
}

function work() {
  const text = 'x'.repeat(10000);
  let total = 0;
  const end = Date.now() + 1500;
  while (Date.now() < end) {
    if (withHelper) total += parseHelper(text);
    else {
      let n = 0;
      for (let i = 0; i < text.length; i += 2) n = (n * 31 + text.charCodeAt(i)) | 0;
      total += n;
    }
  }
  return total;
}

pprof.time.start({ intervalMicros: 1000, durationMillis: 60000 });
work();
const profile = pprof.time.stop();
pprof.encode(profile).then((data) => fs.writeFileSync(process.argv[2], data));
