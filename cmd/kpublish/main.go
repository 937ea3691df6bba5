// Command kpublish is the command line of the kpublish toolkit: called from
// DCC save hooks, run as a folder watcher, used in farm publish scripts.
//
// This first version knows `kpublish version`; the path, parse, publish and
// watch commands arrive with their issues.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kpublish/kpublish/kitsu"
)

// Exit codes, as documented in the README.
const (
	exitOK     = 0
	exitUsage  = 2
	exitServer = 4
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	switch args[0] {
	case "version":
		fmt.Fprintf(stdout, "kpublish %s\n", kitsu.Version)
		host := os.Getenv("KITSU_HOST")
		if host == "" {
			return exitOK
		}
		c, err := kitsu.NewClient(host)
		if err != nil {
			fmt.Fprintf(stderr, "kpublish: KITSU_HOST: %v\n", err)
			return exitUsage
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		v, err := c.GetAPIVersion(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "kpublish: %v\n", err)
			return exitServer
		}
		fmt.Fprintf(stdout, "zou %s at %s\n", v, c.GetHost())
		return exitOK
	default:
		fmt.Fprintf(stderr, "kpublish: unknown command %q (want one of: version, help)\n", args[0])
		return exitUsage
	}
}

const usage = `kpublish: put every file where the production's Kitsu file tree says.

Usage:
  kpublish version    print the version, and the Zou version at KITSU_HOST if set
  kpublish help       this text

Exit codes: 0 ok, 2 usage, 3 bad tree or input, 4 server or auth error.
`
