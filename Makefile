# make test: every test against a real Kitsu (started and stopped by
# scripts/kitsu-dev when none is running). make unit: no server needed.
.PHONY: test unit build bench kitsu-up kitsu-down

test:
	scripts/test

unit:
	go test ./...

build:
	go build -o bin/kpublish ./cmd/kpublish

bench:
	go test -run '^$$' -bench . -benchmem ./...

kitsu-up:
	scripts/kitsu-dev up

kitsu-down:
	scripts/kitsu-dev down
