# make test: every test against a real Kitsu (started and stopped by
# scripts/kitsu-dev when none is running). make unit: no server needed.
# make test-fresh: purge the dev database first, as on a new machine.
.PHONY: test test-fresh test-slow unit build bench kitsu-up kitsu-down

test:
	scripts/test

# test-fresh: what a new machine sees, and what CI runs: an empty database
# (Zou's defaults not made yet, no data from earlier runs), then make test.
test-fresh:
	scripts/kitsu-dev purge
	scripts/test

# test-slow: make test with the big sizes (the watcher's 10,000-file
# burst): about 8 minutes more on two cores, bounded by Zou.
test-slow:
	KPUBLISH_SLOW=1 GOTESTFLAGS="-timeout 60m" scripts/test

unit:
	go test ./...

build:
	go build -o bin/kpublish ./cmd/kpublish

# bench: the Go benchmarks and the comparisons with gazu, against the dev
# server (bench/README.md).
bench:
	bench/run

kitsu-up:
	scripts/kitsu-dev up

kitsu-down:
	scripts/kitsu-dev down
