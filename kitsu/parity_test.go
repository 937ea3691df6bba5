package kitsu_test

import (
	"bufio"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/kitsu"
)

// completeModules are the gazu modules whose every function must have its
// Go method; the parity test fails if one is missing.
var completeModules = map[string]bool{
	"client": true, "project": true, "asset": true, "shot": true, "entity": true,
	"casting": true, "person": true, "playlist": true, "task": true, "user": true,
	"files": true, "sync": true,
}

// TestParity counts the gazu functions of the seed list (testdata/
// go-names.tsv) that have their Go method, as named there:
// Client.X is a method of *kitsu.Client, Client.Svc.X a method of the
// service in field Svc.
func TestParity(t *testing.T) {
	f, err := os.Open("../testdata/go-names.tsv")
	require.NoError(t, err)
	defer f.Close()

	c, err := kitsu.NewClient("https://kitsu.example.com")
	require.NoError(t, err)
	cv := reflect.ValueOf(c)

	total, present := 0, 0
	perModule := map[string][2]int{}
	var missing []string
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 4 {
			continue
		}
		module, goName := cols[0], cols[3]
		total++
		ok := hasMethod(cv, goName)
		counts := perModule[module]
		counts[1]++
		if ok {
			present++
			counts[0]++
		} else if completeModules[module] {
			missing = append(missing, "gazu."+module+"."+cols[1]+" -> "+goName)
		}
		perModule[module] = counts
	}
	require.NoError(t, sc.Err())
	require.Equal(t, 271, total, "the seed lists 271 functions")
	for _, m := range slices.Sorted(maps.Keys(perModule)) {
		n := perModule[m]
		t.Logf("parity: %-9s %3d of %3d", m, n[0], n[1])
	}
	t.Logf("parity: %d of %d gazu functions have their Go method", present, total)
	require.Empty(t, missing, "functions of complete modules without their Go method")
	require.Equal(t, total, present, "every gazu function of the seed has its Go method")
}

func hasMethod(cv reflect.Value, goName string) bool {
	parts := strings.Split(goName, ".")
	if len(parts) < 2 || parts[0] != "Client" {
		return false
	}
	v := cv
	for _, field := range parts[1 : len(parts)-1] {
		f := v.Elem().FieldByName(field)
		if !f.IsValid() {
			return false
		}
		v = f
		if v.Kind() != reflect.Pointer {
			v = v.Addr()
		}
	}
	return v.MethodByName(parts[len(parts)-1]).IsValid()
}
