package kitsu_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// The listings of a project of 2,100 tasks (300 shots with a task of each
// of Zou's seven shot task types) read in small pages: dozens of pages,
// several in flight at once, must give every task once, in Zou's order.
//
// Not parallel: it checks that no paging goroutine outlives its loop,
// which other tests' listings would blur.
func TestListingsPageLargeProject(t *testing.T) {
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	seq := kitsutest.NewSequence(t, c, p.ID, "", "SQ01")

	const nbShots = 300
	shotIDs := make([]string, nbShots)
	errs := make([]error, nbShots)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range nbShots {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			shot, err := c.Shot.NewShot(ctx, p.ID, seq.ID, fmt.Sprintf("SH%04d", i), nil)
			if err == nil {
				shotIDs[i] = shot.ID
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	var anim *kitsu.TaskType
	taskTypes := []string{"Storyboard", "Layout", "Animation", "Lighting", "FX", "Rendering", "Compositing"}
	created := make([][]kitsu.Task, len(taskTypes))
	errs = make([]error, len(taskTypes))
	for i, name := range taskTypes {
		tt, err := c.Task.GetTaskTypeByName(ctx, name, &kitsu.GetTaskTypeByNameOptions{ForEntity: "Shot"})
		require.NoError(t, err)
		if name == "Animation" {
			anim = tt
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = c.Post(ctx, "actions/projects/"+p.ID+"/task-types/"+tt.ID+"/shots/create-tasks", shotIDs, &created[i], nil)
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err)
		require.Len(t, created[i], nbShots)
	}
	const nbTasks = 7 * nbShots
	me, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)

	// The reference: Zou's generic route in one page, in its own order.
	ref := func(t *testing.T, extra ...string) []kitsu.Task {
		var reply struct {
			Data  []kitsu.Task `json:"data"`
			Total int          `json:"total"`
		}
		query := params(append([]string{"project_id", p.ID, "relations", "true", "page", "1", "limit", "10000"}, extra...)...)
		require.NoError(t, c.Get(ctx, "data/tasks", &reply, &kitsu.RequestOptions{Params: query}))
		return reply.Data
	}
	// A few tasks get an assignee, so that assignees are seen coming back.
	first := ref(t)
	require.Len(t, first, nbTasks)
	for _, task := range []kitsu.Task{first[0], first[777], first[nbTasks-1]} {
		kitsutest.AssignTask(t, c, task.ID, me.ID)
	}
	want := ref(t)
	require.Len(t, want, nbTasks)
	assigned := 0
	for _, task := range want {
		assert.Empty(t, task.Extra, "every field of task %s is named", task.ID)
		assert.Equal(t, p.ID, task.ProjectID)
		if len(task.Assignees) > 0 {
			assigned++
			assert.Equal(t, []string{me.ID}, task.Assignees)
		}
	}
	assert.Equal(t, 3, assigned)
	assert.Len(t, slices.Compact(slices.Sorted(slices.Values(taskIDs(want)))), nbTasks, "each task once")

	collect := func(t *testing.T, seq func(func(kitsu.Task, error) bool)) []kitsu.Task {
		var got []kitsu.Task
		for task, err := range seq {
			require.NoError(t, err)
			got = append(got, task)
		}
		return got
	}

	t.Run("AllTasksForProject", func(t *testing.T) {
		// 42 pages of 50, four at a time, decoded in place.
		got, err := c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{PageSize: 50, Prefetch: 4})
		require.NoError(t, err)
		require.Equal(t, want, got)
		// The default pages (2,000): two, the second short.
		got, err = c.Task.AllTasksForProject(ctx, p.ID, nil)
		require.NoError(t, err)
		require.Equal(t, want, got)
		// One page at a time, pages of 97 (the last one short); then
		// 70 pages of 30, sixteen at a time.
		got, err = c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{PageSize: 97, Prefetch: 1})
		require.NoError(t, err)
		require.Equal(t, want, got)
		got, err = c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{PageSize: 30, Prefetch: 16})
		require.NoError(t, err)
		require.Equal(t, want, got)

		// The same tasks, with the same fields and assignees, as in the
		// one reply of the project's own route (gazu's).
		var whole []kitsu.Task
		require.NoError(t, c.Get(ctx, "data/projects/"+p.ID+"/tasks", &whole, nil))
		byID := func(a, b kitsu.Task) int { return strings.Compare(a.ID, b.ID) }
		require.Equal(t, slices.SortedFunc(slices.Values(whole), byID), slices.SortedFunc(slices.Values(got), byID))

		// Filters go through the pages too.
		animTasks, err := c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{TaskTypeID: anim.ID, PageSize: 25})
		require.NoError(t, err)
		require.Equal(t, ref(t, "task_type_id", anim.ID), animTasks)
		require.Len(t, animTasks, nbShots)
	})

	t.Run("EachTaskForProject", func(t *testing.T) {
		got := collect(t, c.Task.EachTaskForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{PageSize: 40, Prefetch: 3}))
		require.Equal(t, want, got)
		got = collect(t, c.Task.EachTaskForProject(ctx, p.ID, nil))
		require.Equal(t, want, got)
	})

	t.Run("FetchEach", func(t *testing.T) {
		filter := params("project_id", p.ID, "relations", "true")
		got := collect(t, kitsu.FetchEach[kitsu.Task](ctx, c, "tasks", &kitsu.FetchOptions{Params: filter, Limit: 64, Prefetch: 8}))
		require.Equal(t, want, got)
		got = collect(t, kitsu.FetchEach[kitsu.Task](ctx, c, "tasks", &kitsu.FetchOptions{Params: filter, Limit: 500, Prefetch: 1}))
		require.Equal(t, want, got)

		var all []kitsu.Task
		require.NoError(t, c.FetchAll(ctx, "tasks", &all, &kitsu.FetchOptions{Params: filter, Paginated: true, Limit: 100}))
		require.Equal(t, want, all)
	})

	t.Run("CappedPageSize", func(t *testing.T) {
		// The project's own route serves pages of 100 whatever the limit
		// asked: its 21 pages are counted as it answers them. It orders by
		// update time alone, so only the order of those times is checked.
		got := collect(t, kitsu.FetchEach[kitsu.Task](ctx, c, "projects/"+p.ID+"/tasks", &kitsu.FetchOptions{Limit: 30, Prefetch: 4}))
		require.Len(t, got, nbTasks)
		assert.ElementsMatch(t, taskIDs(want), taskIDs(got))
		assert.True(t, slices.IsSortedFunc(got, func(a, b kitsu.Task) int { return b.UpdatedAt.Compare(a.UpdatedAt.Time) }),
			"most recently updated first")
		var reply struct {
			Limit   int `json:"limit"`
			NbPages int `json:"nb_pages"`
		}
		require.NoError(t, c.Get(ctx, "data/projects/"+p.ID+"/tasks", &reply, &kitsu.RequestOptions{Params: params("page", "1", "limit", "30")}))
		assert.Equal(t, 100, reply.Limit, "Zou keeps its own page size on this route")
		assert.Equal(t, (nbTasks+99)/100, reply.NbPages)
	})

	t.Run("StopEarly", func(t *testing.T) {
		// Breaking out cancels the pages in flight and waits for them:
		// no paging goroutine is left once the loop is over.
		n := 0
		for _, err := range kitsu.FetchEach[kitsu.Task](ctx, c, "tasks", &kitsu.FetchOptions{Params: params("project_id", p.ID), Limit: 20, Prefetch: 6}) {
			require.NoError(t, err)
			if n++; n == 50 {
				break
			}
		}
		assert.Equal(t, 50, n)
		requireNoPager(t)
		n = 0
		for _, err := range c.Task.EachTaskForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{PageSize: 10}) {
			require.NoError(t, err)
			if n++; n == 15 {
				break
			}
		}
		assert.Equal(t, 15, n)
		requireNoPager(t)
	})

	t.Run("BadOptions", func(t *testing.T) {
		_, err := c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{PageSize: -1})
		kitsutest.RequireInvalid(t, err, "page size")
		_, err = c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{Prefetch: -2})
		kitsutest.RequireInvalid(t, err, "prefetch")
		for _, err := range kitsu.FetchEach[kitsu.Task](ctx, c, "tasks", &kitsu.FetchOptions{Prefetch: -1}) {
			kitsutest.RequireInvalid(t, err, "prefetch")
		}
	})
}

// requireNoPager fails when a goroutine started to ask pages is still
// running.
func requireNoPager(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<22)
	stacks := string(buf[:runtime.Stack(buf, true)])
	require.NotContains(t, stacks, "kitsu.eachPage", "a page request outlived its loop")
}

// pagedFaultServer serves nbPages pages of pageSize numbered records under
// /api/data/items, as Zou's generic routes do; serve may answer a page
// itself (returning true).
func pagedFaultServer(t *testing.T, nbPages, pageSize int, serve func(w http.ResponseWriter, r *http.Request, page int) bool) *kitsu.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/data/items" {
			http.NotFound(w, r)
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if serve != nil && serve(w, r, page) {
			return
		}
		var data []string
		if page >= 1 && page <= nbPages {
			for i := range pageSize {
				data = append(data, fmt.Sprintf(`{"id":"%d"}`, (page-1)*pageSize+i))
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":[%s],"total":%d,"nb_pages":%d,"limit":%d,"page":%d}`,
			strings.Join(data, ","), nbPages*pageSize, nbPages, pageSize, page)
	}))
	t.Cleanup(srv.Close)
	c, err := kitsu.NewClient(srv.URL, kitsu.WithTokens(kitsu.Tokens{AccessToken: "x"}))
	require.NoError(t, err)
	return c
}

type item struct {
	ID string `json:"id"`
}

// Pages are asked Prefetch at a time, never more, and yielded in order.
func TestFetchEachPrefetchBound(t *testing.T) {
	var inFlight, most atomic.Int32
	var mu sync.Mutex
	window := make(chan struct{})
	var once sync.Once
	c := pagedFaultServer(t, 12, 5, func(w http.ResponseWriter, r *http.Request, page int) bool {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		mu.Lock()
		most.Store(max(most.Load(), n))
		mu.Unlock()
		if page >= 2 && page <= 4 {
			// Pages 2 to 4 are answered once all three are asked: a
			// client asking one at a time fails here after 10 s.
			if n == 3 {
				once.Do(func() { close(window) })
			}
			select {
			case <-window:
			case <-time.After(10 * time.Second):
			case <-r.Context().Done():
			}
		}
		return false
	})
	var got []string
	for it, err := range kitsu.FetchEach[item](context.Background(), c, "items", &kitsu.FetchOptions{Prefetch: 3}) {
		require.NoError(t, err)
		got = append(got, it.ID)
	}
	want := make([]string, 60)
	for i := range want {
		want[i] = strconv.Itoa(i)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, int32(3), most.Load(), "three pages in flight at most, and three at once")
}

// A page that fails ends the walk with its error, after the records of
// the pages before it; the pages asked ahead are cancelled.
func TestFetchEachPageError(t *testing.T) {
	c := pagedFaultServer(t, 10, 4, func(w http.ResponseWriter, r *http.Request, page int) bool {
		if page == 3 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"message":"boom"}`)
			return true
		}
		return false
	})
	var got []string
	var last error
	for it, err := range kitsu.FetchEach[item](context.Background(), c, "items", &kitsu.FetchOptions{Prefetch: 4}) {
		if err != nil {
			last = err
			continue
		}
		got = append(got, it.ID)
	}
	require.ErrorIs(t, last, kitsu.ErrServer)
	assert.Contains(t, last.Error(), "page=3")
	assert.Equal(t, []string{"0", "1", "2", "3", "4", "5", "6", "7"}, got)
	requireNoPager(t)

	// A list that grows while it is walked: pages keep coming while the
	// replies say there are more.
	var grown atomic.Int32
	c = pagedFaultServer(t, 0, 2, func(w http.ResponseWriter, r *http.Request, page int) bool {
		nbPages := 2 + int(grown.Add(1)) // each reply says one more page
		if page > 5 {
			nbPages = 5
		}
		data := ""
		if page <= 5 {
			data = fmt.Sprintf(`{"id":"%d"},{"id":"%d"}`, 2*page-2, 2*page-1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":[%s],"total":%d,"nb_pages":%d,"limit":2,"page":%d}`, data, 2*nbPages, nbPages, page)
		return true
	})
	got = got[:0]
	for it, err := range kitsu.FetchEach[item](context.Background(), c, "items", &kitsu.FetchOptions{Prefetch: 1}) {
		require.NoError(t, err)
		got = append(got, it.ID)
	}
	assert.Equal(t, []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, got)
}

// Every field Zou sends in a task reply has its name in Task: Extra stays
// empty, however the task is read.
func TestTaskExtraEmpty(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetTask(t, c)
	require.Empty(t, at.Task.Extra, "the created task")

	var one kitsu.Task
	require.NoError(t, c.FetchOne(ctx, "tasks", at.Task.ID, &one, nil))
	assert.Empty(t, one.Extra, "GET data/tasks/{id}")
	assert.Equal(t, at.Task.ID, one.ID)
	assert.Zero(t, one.NbAssetsReady)
	assert.Zero(t, one.NbDrawings)
	assert.Zero(t, one.ShotgunID)

	tasks, err := c.Task.AllTasksForProject(ctx, at.Project.ID, nil)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Empty(t, tasks[0].Extra, "AllTasksForProject")
	assert.Equal(t, one, tasks[0])

	var whole []kitsu.Task
	require.NoError(t, c.Get(ctx, "data/projects/"+at.Project.ID+"/tasks", &whole, nil))
	require.Len(t, whole, 1)
	assert.Empty(t, whole[0].Extra, "GET data/projects/{id}/tasks")

	// The counts are read when Zou has them.
	require.NoError(t, c.Update(ctx, "tasks", at.Task.ID, map[string]any{"nb_drawings": 12, "nb_assets_ready": 3}, nil))
	require.NoError(t, c.FetchOne(ctx, "tasks", at.Task.ID, &one, nil))
	assert.Equal(t, 12, one.NbDrawings)
	assert.Equal(t, 3, one.NbAssetsReady)
	assert.Empty(t, one.Extra)
}

// Breaking out of the loop cancels the pages still being asked: the loop
// ends without waiting for their replies.
func TestFetchEachBreakCancels(t *testing.T) {
	var asked, cancelled atomic.Int32
	c := pagedFaultServer(t, 50, 3, func(w http.ResponseWriter, r *http.Request, page int) bool {
		if page == 1 {
			return false
		}
		// Pages after the first hang until the client gives up on them
		// (or 10 s pass, and the test fails).
		asked.Add(1)
		select {
		case <-r.Context().Done():
			cancelled.Add(1)
		case <-time.After(10 * time.Second):
		}
		return true
	})
	var got []string
	for it, err := range kitsu.FetchEach[item](context.Background(), c, "items", &kitsu.FetchOptions{Prefetch: 4}) {
		require.NoError(t, err)
		if got = append(got, it.ID); len(got) == 3 {
			// The whole first page: once pages 2 to 5 are being
			// answered, stop.
			for i := 0; i < 1000 && asked.Load() < 4; i++ {
				time.Sleep(10 * time.Millisecond)
			}
			break
		}
	}
	assert.Equal(t, []string{"0", "1", "2"}, got)
	requireNoPager(t)
	// The handlers see the cancellation shortly after the client's end of
	// the connection goes.
	for range 1000 {
		if cancelled.Load() == asked.Load() && asked.Load() > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	assert.Equal(t, int32(4), asked.Load(), "pages 2 to 5 asked ahead")
	assert.Equal(t, int32(4), cancelled.Load(), "every page asked ahead was cancelled")
}
