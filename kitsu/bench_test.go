package kitsu_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/kpublish/kpublish/kitsu"
)

// bigShotListing builds a listing of n shots from the recorded real Zou
// reply, giving each record its own id and name.
func bigShotListing(b *testing.B, n int) []byte {
	b.Helper()
	raw, err := os.ReadFile("testdata/shots-recorded.json")
	if err != nil {
		b.Fatal(err)
	}
	var recorded []map[string]any
	if err := json.Unmarshal(raw, &recorded); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i := range n {
		rec := recorded[i%len(recorded)]
		rec["id"] = fmt.Sprintf("%08x-32d3-4513-8f3d-5be4d7b78598", i)
		rec["name"] = fmt.Sprintf("SH%05d", i)
		if i > 0 {
			buf.WriteByte(',')
		}
		out, err := json.Marshal(rec, jsontext.Multiline(false))
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(out)
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// BenchmarkDecodeShots50k decodes 50,000 shots into []kitsu.Shot, the
// model decoder keeping unnamed fields in Extra.
func BenchmarkDecodeShots50k(b *testing.B) {
	body := bigShotListing(b, 50000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var shots []kitsu.Shot
		if err := json.Unmarshal(body, &shots); err != nil {
			b.Fatal(err)
		}
		if len(shots) != 50000 || shots[49999].Name != "SH49999" {
			b.Fatal("bad decode")
		}
	}
}

// BenchmarkAllShotsForProject50k goes through the whole client: HTTP on
// loopback, streaming decode, sort by name.
func BenchmarkAllShotsForProject50k(b *testing.B) {
	body := bigShotListing(b, 50000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, err := kitsu.NewClient(srv.URL, kitsu.WithTokens(kitsu.Tokens{AccessToken: "x"}))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		shots, err := c.Shot.AllShotsForProject(context.Background(), "1d981185-f268-4353-8a3e-9305f7ba3e75")
		if err != nil || len(shots) != 50000 {
			b.Fatal(err, len(shots))
		}
	}
}

// bigTaskListing builds n tasks from the recorded real Zou reply, each with
// its own id, one entity per seven tasks (a shot's seven task types) and,
// for every other task, one of ten assignees.
func bigTaskListing(b *testing.B, n int) [][]byte {
	b.Helper()
	raw, err := os.ReadFile("testdata/tasks-recorded.json")
	if err != nil {
		b.Fatal(err)
	}
	var recorded []map[string]any
	if err := json.Unmarshal(raw, &recorded); err != nil {
		b.Fatal(err)
	}
	tasks := make([][]byte, n)
	for i := range n {
		rec := recorded[i%len(recorded)]
		rec["id"] = fmt.Sprintf("%08x-6d1c-4a38-9b6e-6c43a4f3c9a1", i)
		rec["entity_id"] = fmt.Sprintf("%08x-0c2e-4f6b-8d7a-2f5e9b1c3d4e", i/7)
		rec["assignees"] = []string{}
		if i%2 == 0 {
			rec["assignees"] = []string{fmt.Sprintf("%08x-5b0a-4c1d-9e2f-7a6b5c4d3e2f", i%10)}
		}
		out, err := json.Marshal(rec, jsontext.Multiline(false))
		if err != nil {
			b.Fatal(err)
		}
		tasks[i] = out
	}
	return tasks
}

// pagedTaskServer serves tasks as Zou's generic route does, under /api:
// GET /api/data/tasks?page=&limit= answers the page with its envelope.
// Pages are built once, so the benchmarks count the client's allocations.
func pagedTaskServer(b *testing.B, tasks [][]byte) *httptest.Server {
	b.Helper()
	var pages sync.Map // "page/limit" -> []byte
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/data/tasks" {
			http.NotFound(w, r)
			return
		}
		page, limit := 1, 100
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		fmt.Sscan(r.URL.Query().Get("limit"), &limit)
		w.Header().Set("Content-Type", "application/json")
		key := fmt.Sprint(page, "/", limit)
		if body, ok := pages.Load(key); ok {
			_, _ = w.Write(body.([]byte))
			return
		}
		from := min((page-1)*limit, len(tasks))
		to := min(from+limit, len(tasks))
		var buf bytes.Buffer
		buf.WriteString(`{"data":[`)
		for i, t := range tasks[from:to] {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(t)
		}
		fmt.Fprintf(&buf, `],"total":%d,"nb_pages":%d,"limit":%d,"offset":%d,"page":%d}`,
			len(tasks), (len(tasks)+limit-1)/limit, limit, from, page)
		pages.Store(key, buf.Bytes())
		_, _ = w.Write(buf.Bytes())
	}))
}

// BenchmarkAllTasksForProject50k lists 50,000 tasks through the whole
// client, in concurrent pages of 2,000, and reports the live heap the
// result holds (live-MiB: measured after a collection with the result
// still in use, less what the test server holds).
func BenchmarkAllTasksForProject50k(b *testing.B) {
	tasks := bigTaskListing(b, 50000)
	srv := pagedTaskServer(b, tasks)
	defer srv.Close()
	c, err := kitsu.NewClient(srv.URL, kitsu.WithTokens(kitsu.Tokens{AccessToken: "x"}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const projectID = "1d981185-f268-4353-8a3e-9305f7ba3e75"
	if _, err := c.Task.AllTasksForProject(ctx, projectID, nil); err != nil {
		b.Fatal(err) // builds the server's pages
	}
	base := liveHeap() // what the test server holds
	b.ReportAllocs()
	var live uint64
	for b.Loop() {
		got, err := c.Task.AllTasksForProject(ctx, projectID, nil)
		if err != nil || len(got) != 50000 || len(got[0].Extra) != 0 {
			b.Fatal(err, len(got))
		}
		live = max(live, liveHeap()-base)
		runtime.KeepAlive(got)
	}
	b.ReportMetric(float64(live)/(1<<20), "live-MiB")
}

// BenchmarkEachTaskForProject50k walks the same 50,000 tasks with the
// iterator, holding only a few pages.
func BenchmarkEachTaskForProject50k(b *testing.B) {
	tasks := bigTaskListing(b, 50000)
	srv := pagedTaskServer(b, tasks)
	defer srv.Close()
	c, err := kitsu.NewClient(srv.URL, kitsu.WithTokens(kitsu.Tokens{AccessToken: "x"}))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const projectID = "1d981185-f268-4353-8a3e-9305f7ba3e75"
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range c.Task.EachTaskForProject(ctx, projectID, nil) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 50000 {
			b.Fatal(n)
		}
	}
}

// liveHeap returns the bytes of heap objects still reachable after a
// collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
