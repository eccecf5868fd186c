#!/usr/bin/env bash
# Captures the real tool output that test/core/results-importers.test.ts reads, into
# test/fixtures/importers/<format>/. Every fixture there was produced by this script; rerun it to
# refresh them after a tool changes its format (then update the known values the tests pin).
#
# Needs, outside the repository: go, cargo (crates.io), python3 (PyPI), g++, and from Debian
# `apt-get install -y hyperfine libbenchmark-dev`. Builds happen under $WORK (a temporary
# directory unless set). Runs are deliberately short: the point is the format, not the numbers.
#
# Versions used for the committed fixtures: go 1.26.8, criterion 0.8.2 (rustc 1.95.0),
# pytest-benchmark 5.3.1 (pytest 9.2.0, Python 3.11.7), hyperfine 1.15.0,
# Google Benchmark 1.7.1 (Debian libbenchmark-dev), g++ 12.
#
# Usage: scripts/capture-importer-fixtures.sh [format ...]
#   formats: go-bench hyperfine pytest-benchmark google-benchmark criterion dfbench-json milestones
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/test/fixtures/importers"
WORK="${WORK:-$(mktemp -d)}"
echo "building in $WORK" >&2

capture_go_bench() {
  local dir="$WORK/go-bench"
  mkdir -p "$dir" "$OUT/go-bench"
  cat >"$dir/go.mod" <<'EOF'
module example.com/gobench

go 1.22
EOF
  cat >"$dir/bench_test.go" <<'EOF'
package gobench

import (
	"strconv"
	"strings"
	"testing"
)

var sink int

func BenchmarkItoa(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink += len(strconv.Itoa(i))
	}
}

func BenchmarkJoin(b *testing.B) {
	parts := []string{"a", "b", "c", "d"}
	b.ReportAllocs()
	b.SetBytes(4)
	for i := 0; i < b.N; i++ {
		sink += len(strings.Join(parts, ","))
	}
}

func BenchmarkSplit(b *testing.B) {
	for _, size := range []int{8, 64} {
		s := strings.Repeat("x,", size)
		b.Run("size="+strconv.Itoa(size), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sink += len(strings.Split(s, ","))
			}
			b.ReportMetric(float64(size), "fields/op")
		})
	}
}
EOF
  # -cpu 1,2 gives both the bare name (GOMAXPROCS=1) and the -2 suffix in one file.
  (cd "$dir" && go test -run '^$' -bench . -count 5 -benchtime 20000x -cpu 1,2) >"$OUT/go-bench/cpu-1-2.txt"
  # The common case: one GOMAXPROCS, so every name carries the same -N suffix.
  (cd "$dir" && go test -run '^$' -bench . -count 5 -benchtime 20000x) >"$OUT/go-bench/default.txt"
  # A benchmark that calls b.Fatal: go test prints `--- FAIL: BenchmarkBroken` (no -PROCS suffix)
  # with the log indented below, and exits 1.
  mkdir -p "$dir/failing"
  cat >"$dir/failing/failing_test.go" <<'EOF'
package failing

import "testing"

func BenchmarkOk(b *testing.B) {
	for i := 0; i < b.N; i++ {
	}
}

func BenchmarkBroken(b *testing.B) {
	b.Fatal("fixture file missing: testdata/input.bin")
}
EOF
  (cd "$dir/failing" && go test -run '^$' -bench . -count 3 -benchtime 1000x) >"$OUT/go-bench/failure.txt" || true
}

capture_hyperfine() {
  mkdir -p "$WORK/hyperfine" "$OUT/hyperfine"
  (cd "$WORK/hyperfine" && hyperfine --runs 5 --warmup 1 -N --export-json "$OUT/hyperfine/hyperfine.json" \
    'sleep 0.01' 'seq 1 20000')
}

capture_pytest_benchmark() {
  local dir="$WORK/pytest-benchmark"
  mkdir -p "$dir" "$OUT/pytest-benchmark"
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install -q 'pytest==9.2.0' 'pytest-benchmark==5.3.1'
  cat >"$dir/test_bench.py" <<'EOF'
import json

import pytest


def encode(n):
    return json.dumps({"items": list(range(n))})


def test_encode_small(benchmark):
    benchmark.pedantic(encode, args=(10,), rounds=5, iterations=100)


def test_encode_large(benchmark):
    result = benchmark(encode, 1000)
    assert result.startswith("{")


@pytest.mark.benchmark(group="decode")
@pytest.mark.parametrize("n", [10, 100])
def test_decode(benchmark, n):
    text = encode(n)
    benchmark.pedantic(json.loads, args=(text,), rounds=6, iterations=50)
EOF
  (cd "$dir" && venv/bin/pytest -q test_bench.py --benchmark-json="$OUT/pytest-benchmark/pytest-benchmark.json" \
    --benchmark-min-rounds=7 --benchmark-max-time=0.001 --benchmark-warmup=off)
}

capture_google_benchmark() {
  local dir="$WORK/google-benchmark"
  mkdir -p "$dir" "$OUT/google-benchmark"
  cat >"$dir/bench.cc" <<'EOF'
#include <benchmark/benchmark.h>
#include <string>
#include <vector>

static void BM_StringCreation(benchmark::State& state) {
  for (auto _ : state) {
    std::string empty_string;
    benchmark::DoNotOptimize(empty_string);
  }
}
BENCHMARK(BM_StringCreation);

static void BM_VectorPush(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<int> v;
    for (int i = 0; i < state.range(0); ++i) v.push_back(i);
    benchmark::DoNotOptimize(v.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * state.range(0) * sizeof(int));
}
BENCHMARK(BM_VectorPush)->Arg(64)->Arg(512)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
EOF
  g++ -O2 -std=c++17 "$dir/bench.cc" -o "$dir/bench" -lbenchmark -lpthread
  # --benchmark_out writes the same JSON reporter output as --benchmark_format=json on stdout.
  "$dir/bench" --benchmark_repetitions=5 --benchmark_min_time=0.02 \
    --benchmark_out="$OUT/google-benchmark/repetitions.json" --benchmark_out_format=json >/dev/null
  "$dir/bench" --benchmark_repetitions=3 --benchmark_min_time=0.02 --benchmark_report_aggregates_only=true \
    --benchmark_format=json >"$OUT/google-benchmark/aggregates-only.json"
}

capture_criterion() {
  local dir="$WORK/criterion"
  mkdir -p "$dir/benches" "$dir/src" "$OUT/criterion"
  cat >"$dir/Cargo.toml" <<'EOF'
[package]
name = "crit-capture"
version = "0.1.0"
edition = "2021"

[dev-dependencies]
criterion = { version = "=0.8.2", default-features = false }

[[bench]]
name = "sum"
harness = false
EOF
  touch "$dir/src/lib.rs"
  cat >"$dir/benches/sum.rs" <<'EOF'
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

fn sum_to(n: u64) -> u64 {
    (0..n).fold(0, |a, b| a.wrapping_add(black_box(b)))
}

fn bench(c: &mut Criterion) {
    c.bench_function("sum_1000", |b| b.iter(|| sum_to(black_box(1000))));
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(5));
    g.bench_function("small", |b| b.iter(|| black_box("12345").parse::<u64>().unwrap()));
    g.sampling_mode(criterion::SamplingMode::Flat);
    g.bench_function("flat large", |b| b.iter(|| black_box("1234567890123").parse::<u64>().unwrap()));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
EOF
  (cd "$dir" && cargo bench -q)
  # Keep criterion's own layout, target/criterion/<benchmark id>/new/, which the importer reads names from.
  rm -rf "$OUT/criterion/target"
  (cd "$dir" && find target/criterion -path '*/new/*' \( -name sample.json -o -name estimates.json -o -name benchmark.json \) \
    -exec cp --parents {} "$OUT/criterion/" \;)
}

capture_dfbench_json() {
  # DataFusion's `dfbench` is not published on crates.io and building it here would mean building
  # all of DataFusion. This program copies the serialization structs (RunContext, QueryIter,
  # BenchQuery, BenchmarkRun::to_json) of apache/datafusion benchmarks/src/util/run.rs at commit
  # f2ff89c1f567eac9fc0ff9a05646748e393d63eb verbatim and times small in-process workloads the way
  # dfbench times a query; Query 3 fails on purpose, like a query whose plan errors.
  local dir="$WORK/dfbench-json"
  mkdir -p "$dir/src" "$OUT/dfbench-json"
  cat >"$dir/Cargo.toml" <<'EOF'
[package]
name = "dfbench-capture"
version = "0.1.0"
edition = "2021"

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
EOF
  cat >"$dir/src/main.rs" <<'EOF'
// Writes a results file with the serialization of DataFusion's benchmarks crate, copied from
// apache/datafusion benchmarks/src/util/run.rs at commit f2ff89c1f567eac9fc0ff9a05646748e393d63eb.
// Differences from upstream, all outside the serialized shape:
// - DATAFUSION_VERSION is a constant (the datafusion crate is not linked), and
//   get_available_parallelism() is std's available_parallelism() (what it wraps);
// - error::Result is std::io::Result.
// The "queries" are small in-process workloads timed the way dfbench times a query
// (Instant::now() around the whole execution, one QueryIter per iteration).
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::{
    collections::HashMap,
    io::Result,
    num::NonZero,
    path::Path,
    thread::available_parallelism,
    time::{Duration, Instant, SystemTime},
};

const DATAFUSION_VERSION: &str = "50.0.0";

fn serialize_start_time<S>(start_time: &SystemTime, ser: S) -> std::result::Result<S::Ok, S::Error>
where
    S: Serializer,
{
    ser.serialize_u64(
        start_time
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("current time is later than UNIX_EPOCH")
            .as_secs(),
    )
}
fn serialize_elapsed<S>(elapsed: &Duration, ser: S) -> std::result::Result<S::Ok, S::Error>
where
    S: Serializer,
{
    let ms = elapsed.as_secs_f64() * 1000.0;
    ser.serialize_f64(ms)
}
#[derive(Debug, Serialize)]
pub struct RunContext {
    /// Benchmark crate version
    pub benchmark_version: String,
    /// DataFusion crate version
    pub datafusion_version: String,
    /// Number of CPU cores
    pub num_cpus: usize,
    /// Start time
    #[serde(serialize_with = "serialize_start_time")]
    pub start_time: SystemTime,
    /// CLI arguments
    pub arguments: Vec<String>,
}

impl RunContext {
    pub fn new() -> Self {
        Self {
            benchmark_version: env!("CARGO_PKG_VERSION").to_owned(),
            datafusion_version: DATAFUSION_VERSION.to_owned(),
            num_cpus: available_parallelism()
                .unwrap_or(NonZero::new(1).unwrap())
                .get(),
            start_time: SystemTime::now(),
            arguments: std::env::args().skip(1).collect::<Vec<String>>(),
        }
    }
}

/// A single iteration of a benchmark query
#[derive(Debug, Serialize)]
struct QueryIter {
    #[serde(serialize_with = "serialize_elapsed")]
    elapsed: Duration,
    row_count: usize,
}
/// A single benchmark case
#[derive(Debug, Serialize)]
pub struct BenchQuery {
    query: String,
    iterations: Vec<QueryIter>,
    #[serde(serialize_with = "serialize_start_time")]
    start_time: SystemTime,
    success: bool,
}
/// collects benchmark run data and then serializes it at the end
pub struct BenchmarkRun {
    context: RunContext,
    queries: Vec<BenchQuery>,
    current_case: Option<usize>,
}

impl BenchmarkRun {
    pub fn new() -> Self {
        Self {
            context: RunContext::new(),
            queries: vec![],
            current_case: None,
        }
    }
    pub fn start_new_case(&mut self, id: &str) {
        self.queries.push(BenchQuery {
            query: id.to_owned(),
            iterations: vec![],
            start_time: SystemTime::now(),
            success: true,
        });
        if let Some(c) = self.current_case.as_mut() {
            *c += 1;
        } else {
            self.current_case = Some(0);
        }
    }
    pub fn write_iter(&mut self, elapsed: Duration, row_count: usize) {
        if let Some(idx) = self.current_case {
            self.queries[idx]
                .iterations
                .push(QueryIter { elapsed, row_count })
        } else {
            panic!("no cases existed yet");
        }
    }
    pub fn mark_failed(&mut self) {
        if let Some(idx) = self.current_case {
            self.queries[idx].success = false;
        } else {
            unreachable!("Cannot mark failure: no current case");
        }
    }
    pub fn to_json(&self) -> String {
        let mut output = HashMap::<&str, Value>::new();
        output.insert("context", serde_json::to_value(&self.context).unwrap());
        output.insert("queries", serde_json::to_value(&self.queries).unwrap());
        serde_json::to_string_pretty(&output).unwrap()
    }
    pub fn maybe_write_json(&self, maybe_path: Option<impl AsRef<Path>>) -> Result<()> {
        if let Some(path) = maybe_path {
            std::fs::write(path, self.to_json())?;
        };
        Ok(())
    }
}

/// Query 1: group-by sum over 2M rows; Query 2: filter + count; Query 3: fails like a query
/// whose plan errors (dfbench then calls mark_failed and records no iterations).
fn run_query(query_id: usize, rows: &[u64]) -> std::result::Result<usize, String> {
    match query_id {
        1 => {
            let mut groups: HashMap<u64, u64> = HashMap::new();
            for v in rows {
                *groups.entry(v % 97).or_default() += v;
            }
            Ok(groups.len())
        }
        2 => Ok(rows.iter().filter(|v| *v % 7 == 3).count().min(1)),
        _ => Err(format!("Query {query_id}: table 'lineitem' not found")),
    }
}

fn main() -> Result<()> {
    // dfbench's `-o/--output` option
    let args: Vec<String> = std::env::args().collect();
    let output_path = args.iter().position(|a| a == "-o").and_then(|i| args.get(i + 1));
    let iterations = 5;
    let rows: Vec<u64> = (0..2_000_000u64).map(|i| i.wrapping_mul(2654435761) % 1_000_003).collect();
    let mut benchmark_run = BenchmarkRun::new();
    for query_id in 1..=3 {
        benchmark_run.start_new_case(&format!("Query {query_id}"));
        for _ in 0..iterations {
            let start = Instant::now();
            match run_query(query_id, &rows) {
                Ok(row_count) => benchmark_run.write_iter(start.elapsed(), row_count),
                Err(e) => {
                    eprintln!("{e}");
                    benchmark_run.mark_failed();
                    break;
                }
            }
        }
    }
    benchmark_run.maybe_write_json(output_path.as_ref())?;
    Ok(())
}
EOF
  (cd "$dir" && cargo build --release -q)
  (cd "$OUT/dfbench-json" && "$dir/target/release/dfbench-capture" tpch --iterations 5 -o tpch.json)
}

capture_milestones() {
  # A miniature scale test (create, read, delete 20k files; 3 runs) writing the documented
  # benchbot-milestones format: per-milestone wall-clock since the start of the run, per-phase totals.
  mkdir -p "$WORK/milestones" "$OUT/milestones"
  python3 - "$WORK/milestones" >"$OUT/milestones/scale-test.json" <<'EOF'
import json, os, shutil, sys, time

root = sys.argv[1]
milestones = {"files-created": [], "files-read": [], "files-deleted": [], "total": []}
phases = {"deploy": [], "steady-state": [], "delete": []}
for run in range(3):
    d = os.path.join(root, f"run{run}")
    os.makedirs(d, exist_ok=True)
    t0 = time.monotonic()
    for i in range(20000):
        with open(os.path.join(d, str(i)), "w") as f:
            f.write("x" * 64)
    t1 = time.monotonic()
    for i in range(20000):
        with open(os.path.join(d, str(i))) as f:
            f.read()
    t2 = time.monotonic()
    shutil.rmtree(d)
    t3 = time.monotonic()
    milestones["files-created"].append(t1 - t0)
    milestones["files-read"].append(t2 - t0)
    milestones["files-deleted"].append(t3 - t0)
    milestones["total"].append(t3 - t0)
    phases["deploy"].append(t1 - t0)
    phases["steady-state"].append(t2 - t1)
    phases["delete"].append(t3 - t2)
print(json.dumps({
    "format": "benchbot-milestones",
    "test": "files-20k",
    "milestones": [{"name": n, "seconds": s} for n, s in milestones.items()],
    "phases": [{"name": n, "seconds": s} for n, s in phases.items()],
}, indent=2))
EOF
}

formats=("$@")
if [ ${#formats[@]} -eq 0 ]; then
  formats=(go-bench hyperfine pytest-benchmark google-benchmark criterion dfbench-json milestones)
fi
for f in "${formats[@]}"; do
  echo "capturing $f" >&2
  "capture_${f//-/_}"
done
