//go:build ignore

// Fixture generator for core/stats: runs golang.org/x/perf's benchstat on a deterministic corpus
// of sample pairs and records what it printed, plus the full-precision numbers behind it.
// Run it through scripts/gen-benchstat-fixtures.sh (which pins the benchstat version):
//
//	bash scripts/gen-benchstat-fixtures.sh
//
// benchstat's CSV prints p to 3 decimals and confidence intervals as "±x%", so the generator also
// links benchstat's own statistics package (benchmath, same module version) to record exact p
// and CI bounds, and refuses to write anything unless every recorded value formats to exactly
// what the benchstat binary printed. Samples are read back with benchstat's parser (benchfmt),
// so the recorded samples are the numbers benchstat used.
package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aclements/go-moremath/stats"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
)

const (
	unit       = "val/op" // no "ns"/"MB" in it, so benchstat keeps values unscaled
	confidence = 0.95
)

var alphas = []float64{0.05, 0.01}

type caseSpec struct {
	name, kind        string
	baseline, changed []float64
}

type sideOut struct {
	N         int      `json:"n"`
	Median    float64  `json:"median"`
	Lo        *float64 `json:"lo"`
	Hi        *float64 `json:"hi"`
	Range     string   `json:"range"`
	CIWarning *string  `json:"ciWarning"`
}

type alphaOut struct {
	Delta       string  `json:"delta"`
	NeedWarning *string `json:"needWarning"`
	NeedSamples *int    `json:"needSamples"`
	Verdict     string  `json:"verdict"`
}

type caseOut struct {
	Name           string               `json:"name"`
	Kind           string               `json:"kind"`
	Baseline       []float64            `json:"baseline"`
	Changed        []float64            `json:"changed"`
	Base           sideOut              `json:"base"`
	New            sideOut              `json:"new"`
	P              float64              `json:"p"`
	PText          string               `json:"pText"`
	CompareWarning *string              `json:"compareWarning"`
	ByAlpha        map[string]*alphaOut `json:"byAlpha"`
}

type geomeanOut struct {
	Name       string         `json:"name"`
	Benchmarks [][2][]float64 `json:"benchmarks"`
	Baseline   *float64       `json:"baselineGeomean"`
	Changed    *float64       `json:"changedGeomean"`
	Ratio      *float64       `json:"ratio"`
	RatioText  string         `json:"ratioText"`
}

type ciOrders struct {
	Confidence float64  `json:"confidence"`
	Orders     [][2]int `json:"orders"` // index n-1: 1-based [LoOrder, HiOrder] for a sample of n
}

func main() {
	benchstat := flag.String("benchstat", "benchstat", "benchstat binary")
	perfVersion := flag.String("perf-version", "", "golang.org/x/perf version, recorded in the output")
	scratch := flag.String("scratch", "", "folder for the generated go-bench inputs")
	out := flag.String("out", "", "output JSON file")
	flag.Parse()
	if *scratch == "" || *out == "" {
		fail("-scratch and -out are required")
	}
	must(os.MkdirAll(*scratch, 0o755))

	specs := corpus()
	cases := runCorpus(*benchstat, *scratch, specs)
	geomeans := runGeomeans(*benchstat, *scratch)

	var cis []ciOrders
	for _, c := range []float64{0.9, 0.95, 0.99} {
		o := ciOrders{Confidence: c}
		for n := 1; n <= 200; n++ {
			r := stats.QuantileCI(n, 0.5, c)
			o.Orders = append(o.Orders, [2]int{r.LoOrder, r.HiOrder})
		}
		cis = append(cis, o)
	}

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\n\"generator\": \"bash scripts/gen-benchstat-fixtures.sh\",\n")
	fmt.Fprintf(&buf, "\"perfVersion\": %q,\n\"unit\": %q,\n\"confidence\": %v,\n", *perfVersion, unit, confidence)
	fmt.Fprintf(&buf, "\"direction\": \"lower-is-better\",\n\"cases\": [\n")
	for i, c := range cases {
		b, err := json.Marshal(c)
		must(err)
		buf.Write(b)
		if i < len(cases)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("],\n\"geomeans\": [\n")
	for i, g := range geomeans {
		b, err := json.Marshal(g)
		must(err)
		buf.Write(b)
		if i < len(geomeans)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("],\n\"medianCiOrders\": [\n")
	for i, c := range cis {
		b, err := json.Marshal(c)
		must(err)
		buf.Write(b)
		if i < len(cis)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("]\n}\n")
	must(os.WriteFile(*out, buf.Bytes(), 0o644))
	fmt.Printf("wrote %d cases, %d geomean groups to %s (%d bytes)\n", len(cases), len(geomeans), *out, buf.Len())
}

// corpus builds the sample pairs. Every kind the agreement test must cover gets its own
// generator; all randomness comes from one fixed-seed source.
func corpus() []caseSpec {
	r := rand.New(rand.NewPCG(20240601, 7))
	var specs []caseSpec
	add := func(kind string, b, c []float64) {
		specs = append(specs, caseSpec{fmt.Sprintf("C%03d", len(specs)+1), kind, b, c})
	}
	shifts := []float64{0, -0.005, 0.01, -0.03, 0.1, 0.002, -0.2}

	// n from 1 to 100, equal sizes, mostly distinct values with occasional ties from rounding.
	for n := 1; n <= 100; n++ {
		noise := 0.01 + 0.02*r.Float64()
		shift := shifts[n%len(shifts)]
		add("n-sweep", noisy(r, n, 1000, noise, 1), noisy(r, n, 1000*(1+shift), noise, 1))
	}
	// Unequal sizes.
	for i := 0; i < 40; i++ {
		n1 := 1 + r.IntN(100)
		n2 := 1 + r.IntN(100)
		if n1 == n2 {
			n2 = n2%100 + 1
		}
		shift := shifts[i%len(shifts)]
		add("unequal-sizes", noisy(r, n1, 50, 0.02, 2), noisy(r, n2, 50*(1+shift), 0.02, 2))
	}
	// Heavy ties: a handful of distinct integers; sizes straddle the exact-with-ties limit (25).
	tieSizes := [][2]int{{2, 2}, {3, 3}, {4, 4}, {5, 5}, {6, 6}, {8, 8}, {10, 10}, {12, 12}, {15, 15}, {20, 20},
		{24, 24}, {25, 25}, {26, 26}, {25, 26}, {30, 30}, {40, 40}, {50, 50}, {60, 60}, {80, 80}, {100, 100},
		{5, 20}, {10, 40}, {25, 3}, {7, 100}, {18, 22}, {33, 12}, {3, 9}, {9, 3}, {16, 16}, {21, 21}}
	for i, sz := range tieSizes {
		levels := 2 + i%3
		off := float64(i % 2)
		add("heavy-ties", ties(r, sz[0], 100, levels), ties(r, sz[1], 100+off, levels))
	}
	// All values equal, on one side or both.
	for _, n := range []int{1, 2, 3, 5, 6, 10, 25, 26, 50, 51, 100} {
		add("all-equal", constant(n, 42), constant(n, 42))
	}
	for _, sz := range [][2]int{{3, 3}, {5, 5}, {10, 10}, {30, 30}, {4, 9}} {
		add("all-equal-per-side", constant(sz[0], 5), constant(sz[1], 7))
	}
	add("all-equal-one-side", constant(10, 100), noisy(r, 10, 100, 0.01, 1))
	add("all-equal-one-side", noisy(r, 12, 100, 0.01, 1), constant(12, 100))
	// Zero centers: integers around 0, and medians that move away from 0.
	for _, sz := range [][2]int{{5, 5}, {6, 6}, {11, 11}, {20, 20}, {26, 26}, {60, 60}, {7, 13}} {
		add("zero-center", ties(r, sz[0], -1, 3), ties(r, sz[1], -1, 3))
	}
	for _, sz := range [][2]int{{6, 6}, {10, 10}, {30, 30}, {9, 4}} {
		add("zero-baseline", ties(r, sz[0], -1, 3), ties(r, sz[1], 2, 3))
	}
	add("zero-changed", noisy(r, 10, 0.5, 0.1, 3), ties(r, 10, -1, 3))
	// Negative centers, and centers that change sign.
	for i, sz := range [][2]int{{3, 3}, {6, 6}, {10, 10}, {10, 10}, {20, 20}, {25, 25}, {40, 40}, {51, 51}, {100, 100}, {8, 15}, {30, 12}} {
		shift := shifts[i%len(shifts)]
		add("negative-center", noisy(r, sz[0], -500, 0.02, 1), noisy(r, sz[1], -500*(1+shift), 0.02, 1))
	}
	for _, sz := range [][2]int{{8, 8}, {15, 15}, {40, 40}} {
		add("sign-change", noisy(r, sz[0], -2, 0.1, 2), noisy(r, sz[1], 2, 0.1, 2))
	}
	add("near-zero-mixed", uniform(r, 12, -1, 1, 3), uniform(r, 12, -1, 1, 3))
	add("near-zero-mixed", uniform(r, 40, -1, 1, 3), uniform(r, 40, -0.5, 1.5, 3))
	// Completely separated samples: the smallest p each size allows, around the
	// "need >= N samples to detect a difference" boundary.
	for n := 1; n <= 10; n++ {
		b, c := sequence(n, 10, 1), sequence(n, 10+float64(n), 1)
		if n%2 == 0 {
			b, c = c, b
		}
		add("separated", b, c)
	}
	for _, sz := range [][2]int{{1, 30}, {2, 100}, {3, 50}, {3, 4}, {4, 3}, {5, 4}, {2, 9}, {9, 2}, {1, 2}, {51, 51}} {
		add("separated", sequence(sz[0], 10, 1), sequence(sz[1], 10+float64(sz[0]), 1))
	}
	// Sizes around the exact/normal switch of the U test (50 without ties, 25 with ties).
	for _, n := range []int{49, 50, 51} {
		add("exact-limit", uniform(r, n, 100, 110, 9), uniform(r, n, 101, 111, 9))
	}
	add("exact-limit", uniform(r, 50, 100, 110, 9), uniform(r, 51, 101, 111, 9))
	// Large samples where the normal approximation gives tiny p-values.
	for _, n := range []int{60, 80, 100} {
		add("large-shift", noisy(r, n, 200, 0.01, 4), noisy(r, n, 204, 0.01, 4))
	}
	return specs
}

func noisy(r *rand.Rand, n int, center, rel float64, decimals int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		v := center * math.Exp(rel*r.NormFloat64())
		if r.IntN(15) == 0 { // an occasional slow outlier, as real benchmarks have
			v *= 1 + 5*rel
		}
		xs[i] = round(v, decimals)
	}
	return xs
}

func uniform(r *rand.Rand, n int, lo, hi float64, decimals int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = round(lo+(hi-lo)*r.Float64(), decimals)
	}
	return xs
}

func ties(r *rand.Rand, n int, base float64, levels int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = base + float64(r.IntN(levels))
	}
	return xs
}

func constant(n int, v float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = v
	}
	return xs
}

func sequence(n int, start, step float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = start + step*float64(i)
	}
	return xs
}

func round(v float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*p) / p
}

func writeBench(path string, names []string, samples [][]float64) {
	var b strings.Builder
	b.WriteString("goos: linux\ngoarch: amd64\n")
	for i, name := range names {
		for _, v := range samples[i] {
			fmt.Fprintf(&b, "Benchmark%s 1 %s %s\n", name, strconv.FormatFloat(v, 'g', -1, 64), unit)
		}
	}
	must(os.WriteFile(path, []byte(b.String()), 0o644))
}

// readBench parses a file with benchstat's own reader, so the fixture records the values
// benchstat computed on rather than the values we meant to write.
func readBench(path string) map[string][]float64 {
	f, err := os.Open(path)
	must(err)
	defer f.Close()
	out := map[string][]float64{}
	rd := benchfmt.NewReader(f, path)
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.SyntaxError:
			fail(rec.Error())
		case *benchfmt.Result:
			name := string(rec.Name.Full())
			for _, v := range rec.Values {
				if v.Unit == unit {
					out[name] = append(out[name], v.Value)
				}
			}
		}
	}
	must(rd.Err())
	return out
}

type csvRun struct {
	rows     map[string][]string            // label -> CSV record
	warnings map[string]map[string][]string // label -> column letter -> messages
}

var warnRE = regexp.MustCompile(`^([A-Z]+)(\d+): (.*)$`)

func runBenchstat(bin string, alpha float64, oldPath, newPath string) csvRun {
	cmd := exec.Command(bin, "-alpha", strconv.FormatFloat(alpha, 'g', -1, 64),
		"-confidence", strconv.FormatFloat(confidence, 'g', -1, 64), "-format", "csv",
		"old="+oldPath, "new="+newPath)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	must(cmd.Run())
	rd := csv.NewReader(&stdout)
	rd.FieldsPerRecord = -1
	records, err := rd.ReadAll()
	must(err)
	run := csvRun{rows: map[string][]string{}, warnings: map[string]map[string][]string{}}
	labelAtLine := map[int]string{}
	for i, rec := range records {
		if len(rec) > 0 && rec[0] != "" {
			run.rows[rec[0]] = rec
			labelAtLine[i+1] = rec[0]
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if line == "" {
			continue
		}
		m := warnRE.FindStringSubmatch(line)
		if m == nil {
			fail("unexpected benchstat stderr line: " + line)
		}
		ln, _ := strconv.Atoi(m[2])
		label, ok := labelAtLine[ln]
		if !ok {
			fail("warning for unknown CSV line: " + line)
		}
		if run.warnings[label] == nil {
			run.warnings[label] = map[string][]string{}
		}
		run.warnings[label][m[1]] = append(run.warnings[label][m[1]], m[3])
	}
	return run
}

func runCorpus(bin, scratch string, specs []caseSpec) []caseOut {
	names := make([]string, len(specs))
	base := make([][]float64, len(specs))
	chg := make([][]float64, len(specs))
	for i, s := range specs {
		names[i], base[i], chg[i] = s.name, s.baseline, s.changed
	}
	oldPath, newPath := filepath.Join(scratch, "old.txt"), filepath.Join(scratch, "new.txt")
	writeBench(oldPath, names, base)
	writeBench(newPath, names, chg)
	parsedOld, parsedNew := readBench(oldPath), readBench(newPath)

	runs := map[float64]csvRun{}
	for _, a := range alphas {
		runs[a] = runBenchstat(bin, a, oldPath, newPath)
	}

	var out []caseOut
	for _, s := range specs {
		b, c := parsedOld[s.name], parsedNew[s.name]
		if len(b) != len(s.baseline) || len(c) != len(s.changed) {
			fail("benchfmt read a different sample count for " + s.name)
		}
		co := caseOut{Name: s.name, Kind: s.kind, Baseline: b, Changed: c, ByAlpha: map[string]*alphaOut{}}
		for ai, a := range alphas {
			thr := benchmath.Thresholds{CompareAlpha: a}
			sb := benchmath.NewSample(append([]float64(nil), b...), &thr)
			sc := benchmath.NewSample(append([]float64(nil), c...), &thr)
			sumB := benchmath.AssumeNothing.Summary(sb, confidence)
			sumC := benchmath.AssumeNothing.Summary(sc, confidence)
			cmp := benchmath.AssumeNothing.Compare(sb, sc)

			run := runs[a]
			row, ok := run.rows[s.name]
			if !ok || len(row) < 7 {
				fail(fmt.Sprintf("benchstat printed no full row for %s: %q", s.name, row))
			}
			warns := run.warnings[s.name]
			check(s.name, "baseline center", row[1], fmt.Sprint(sumB.Center))
			check(s.name, "baseline range", row[2], sumB.PctRangeString())
			check(s.name, "changed center", row[3], fmt.Sprint(sumC.Center))
			check(s.name, "changed range", row[4], sumC.PctRangeString())
			delta := cmp.FormatDelta(sumB.Center, sumC.Center)
			check(s.name, "delta", row[5], delta)
			check(s.name, "p", row[6], cmp.String())
			check(s.name, "baseline warnings", strings.Join(warns["B"], "|"), joinErrs(sumB.Warnings))
			check(s.name, "changed warnings", strings.Join(warns["D"], "|"), joinErrs(sumC.Warnings))
			check(s.name, "comparison warnings", strings.Join(warns["F"], "|"), joinErrs(cmp.Warnings))

			if ai == 0 {
				co.Base = side(len(b), sumB)
				co.New = side(len(c), sumC)
				co.P = cmp.P
				co.PText = row[6]
			} else if co.P != cmp.P || co.Base.Median != sumB.Center || co.New.Median != sumC.Center {
				fail("alpha changed more than the verdict for " + s.name)
			}
			var need *string
			var needN *int
			var cmpWarn *string
			for _, w := range warns["F"] {
				w := w
				if strings.HasPrefix(w, "need ") {
					need = &w
					var op string
					var n int
					if _, err := fmt.Sscanf(w, "need %s %d samples", &op, &n); err != nil {
						fail("cannot parse " + w)
					}
					if op == ">" {
						n++
					}
					needN = &n
				} else {
					cmpWarn = &w
				}
			}
			if ai == 0 {
				co.CompareWarning = cmpWarn
			}
			co.ByAlpha[strconv.FormatFloat(a, 'g', -1, 64)] = &alphaOut{
				Delta: delta, NeedWarning: need, NeedSamples: needN,
				Verdict: verdict(delta, need != nil, sumB.Center, sumC.Center),
			}
		}
		out = append(out, co)
	}
	return out
}

// verdict maps benchstat's output onto benchbot's verdicts for a lower-is-better unit: "~" with
// the sample-size warning is too-few-samples, other "~" is unchanged, and a significant change
// is judged by which median is lower (not by the printed percentage, whose sign flips when the
// baseline median is negative).
func verdict(delta string, needWarning bool, base, changed float64) string {
	switch {
	case delta == "~" && needWarning:
		return "too-few-samples"
	case delta == "~" || changed == base:
		return "unchanged"
	case changed < base:
		return "faster"
	default:
		return "slower"
	}
}

func side(n int, s benchmath.Summary) sideOut {
	o := sideOut{N: n, Median: s.Center, Range: s.PctRangeString()}
	if !math.IsInf(s.Lo, 0) {
		lo := s.Lo
		o.Lo = &lo
	}
	if !math.IsInf(s.Hi, 0) {
		hi := s.Hi
		o.Hi = &hi
	}
	if len(s.Warnings) > 0 {
		w := joinErrs(s.Warnings)
		o.CIWarning = &w
	}
	return o
}

// runGeomeans runs benchstat on small multi-benchmark tables and records the geomean row.
func runGeomeans(bin, scratch string) []geomeanOut {
	r := rand.New(rand.NewPCG(99, 3))
	type group struct {
		name  string
		pairs [][2][]float64
	}
	var groups []group
	for g := 0; g < 12; g++ {
		k := 2 + g%5
		var pairs [][2][]float64
		for i := 0; i < k; i++ {
			center := math.Pow(10, 1+3*r.Float64())
			shift := 1 + 0.2*(r.Float64()-0.5)
			n := 5 + r.IntN(15)
			pairs = append(pairs, [2][]float64{noisy(r, n, center, 0.02, 2), noisy(r, n, center*shift, 0.02, 2)})
		}
		switch g {
		case 9: // equal zero medians count as ratio 1
			pairs = append(pairs, [2][]float64{constant(5, 0), constant(5, 0)})
		case 10: // zero baseline median: no ratio geomean
			pairs = append(pairs, [2][]float64{constant(5, 0), constant(5, 3)})
		case 11: // negative median: no geomean at all
			pairs = append(pairs, [2][]float64{constant(5, -4), constant(5, -3)})
		}
		groups = append(groups, group{fmt.Sprintf("G%02d", g+1), pairs})
	}

	var out []geomeanOut
	for _, g := range groups {
		names := make([]string, len(g.pairs))
		base := make([][]float64, len(g.pairs))
		chg := make([][]float64, len(g.pairs))
		for i, p := range g.pairs {
			names[i] = fmt.Sprintf("%sB%d", g.name, i+1)
			base[i], chg[i] = p[0], p[1]
		}
		oldPath := filepath.Join(scratch, g.name+"-old.txt")
		newPath := filepath.Join(scratch, g.name+"-new.txt")
		writeBench(oldPath, names, base)
		writeBench(newPath, names, chg)
		parsedOld, parsedNew := readBench(oldPath), readBench(newPath)
		run := runBenchstat(bin, 0.05, oldPath, newPath)
		row := run.rows["geomean"]
		if len(row) < 6 {
			fail(fmt.Sprintf("no geomean row for %s: %q", g.name, row))
		}

		// The same computation as benchstat's summarizeCol.
		var bCenters, cCenters, ratios []float64
		badRatio := false
		gout := geomeanOut{Name: g.name}
		for _, name := range names {
			b, c := parsedOld[name], parsedNew[name]
			gout.Benchmarks = append(gout.Benchmarks, [2][]float64{b, c})
			thr := benchmath.DefaultThresholds
			mb := benchmath.AssumeNothing.Summary(benchmath.NewSample(append([]float64(nil), b...), &thr), confidence).Center
			mc := benchmath.AssumeNothing.Summary(benchmath.NewSample(append([]float64(nil), c...), &thr), confidence).Center
			bCenters, cCenters = append(bCenters, mb), append(cCenters, mc)
			switch {
			case mb == mc:
				ratios = append(ratios, 1)
			case mb == 0:
				badRatio = true
			default:
				ratios = append(ratios, mc/mb)
			}
		}
		gout.Baseline = finite(stats.GeoMean(bCenters))
		gout.Changed = finite(stats.GeoMean(cCenters))
		ratioText := "?"
		if !badRatio {
			gout.Ratio = finite(stats.GeoMean(ratios))
			if gout.Ratio != nil {
				ratioText = fmt.Sprintf("%+.2f%%", (*gout.Ratio-1)*100)
			}
		}
		gout.RatioText = ratioText
		check(g.name, "geomean ratio", row[5], ratioText)
		check(g.name, "baseline geomean", row[1], fmtOpt(gout.Baseline))
		check(g.name, "changed geomean", row[3], fmtOpt(gout.Changed))
		out = append(out, gout)
	}
	return out
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func fmtOpt(v *float64) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(*v)
}

func joinErrs(errs []error) string {
	s := make([]string, len(errs))
	for i, e := range errs {
		s[i] = e.Error()
	}
	sort.Strings(s)
	return strings.Join(s, "|")
}

func check(name, what, printed, recorded string) {
	p := strings.Split(printed, "|")
	sort.Strings(p)
	if strings.Join(p, "|") != recorded {
		fail(fmt.Sprintf("%s: benchstat printed %s %q but benchmath gives %q", name, what, printed, recorded))
	}
}

func must(err error) {
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "gen-benchstat-fixtures:", msg)
	os.Exit(1)
}
