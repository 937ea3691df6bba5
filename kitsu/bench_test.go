package kitsu_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
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
