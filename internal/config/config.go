// Package config holds kpublish's per-user settings: the config file
// (config.json) and the token cache (tokens.json), both in one folder,
// os.UserConfigDir()/kpublish unless KPUBLISH_CONFIG_DIR names another.
//
// config.json is optional and holds no secret. Its keys:
//
//	host       the default Kitsu host ("https://kitsu.example.com/api")
//	roots      a roots file mapping tree mountpoints to per-OS roots;
//	           relative to the config folder unless absolute
//	software   the software per DCC, over the defaults
//	           {"blender": "Blender", "maya": "Maya", "houdini": "Houdini", "nuke": "Nuke"}
//	cache_ttl  how long the path cache is trusted with no request ("10m", "1h")
//
// An unknown key or a value of the wrong kind is an error naming the key
// and the file. Flags and environment variables sit above the file.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DirEnv names the environment variable that moves the config folder.
const DirEnv = "KPUBLISH_CONFIG_DIR"

// FileName is the config file's name in Dir.
const FileName = "config.json"

// maxFile caps what is read of config.json and tokens.json.
const maxFile = 1 << 20

// Dir returns the config folder: $KPUBLISH_CONFIG_DIR, or
// os.UserConfigDir()/kpublish. It does not create it.
func Dir() (string, error) {
	if d := os.Getenv(DirEnv); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return "", fmt.Errorf("%s %q: %w", DirEnv, d, err)
		}
		return abs, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no config folder for kpublish (set %s): %w", DirEnv, err)
	}
	return filepath.Join(base, "kpublish"), nil
}

// DefaultSoftware is the software of each DCC when config.json names none.
var DefaultSoftware = map[string]string{"blender": "Blender", "maya": "Maya", "houdini": "Houdini", "nuke": "Nuke"}

// Config is what config.json says. The zero value is a config file with
// no key.
type Config struct {
	// File is the file read, or would have been read when it is missing.
	File string
	// Host is the default Kitsu host; empty when unset.
	Host string
	// Roots is the roots file, an absolute path; empty when unset.
	Roots string
	// Software maps a DCC (lower case) to the Kitsu software name, the
	// defaults included.
	Software map[string]string
	// CacheTTL is how long the path cache is trusted with no request;
	// zero when unset.
	CacheTTL time.Duration
	// Watch is the "watch" object: kpublish watch's defaults.
	Watch Watch
}

// Watch is config.json's "watch" object: include and exclude globs
// (doublestar, added to the command line's), and the settle window and
// poll interval when the command line gives none.
type Watch struct {
	Include []string `json:"include"`
	Exclude []string `json:"exclude"`
	// Settle and Poll are durations ("2s", "30s"); Poll may be "-1s"
	// (never poll). Zero when unset.
	Settle time.Duration `json:"-"`
	Poll   time.Duration `json:"-"`
	// PollSet says Poll was given (0 is a value: poll network mounts
	// only).
	PollSet bool `json:"-"`
}

// Load reads config.json from Dir. A missing file is a Config with no key
// (and the defaults of Software).
func Load() (*Config, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	return LoadFile(filepath.Join(dir, FileName))
}

// LoadFile reads a config file. A missing file is a Config with no key;
// an unreadable one, bad JSON, an unknown key or a bad value is an error
// naming the file (and the key).
func LoadFile(file string) (*Config, error) {
	cfg := &Config{File: file, Software: maps(DefaultSoftware)}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", file, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("config %s: not a regular file", file)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", file, err)
	}
	if len(data) > maxFile {
		return nil, fmt.Errorf("config %s: larger than %d bytes", file, maxFile)
	}
	var keys map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&keys); err != nil {
		return nil, fmt.Errorf("config %s: want a JSON object of settings: %w", file, err)
	}
	if keys == nil {
		return nil, fmt.Errorf("config %s: want a JSON object of settings, not null", file)
	}
	if dec.More() {
		return nil, fmt.Errorf("config %s: want one JSON object, found more after it", file)
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		raw := keys[k]
		bad := func(want string) error {
			return fmt.Errorf("config %s: key %q: want %s, got %s", file, k, want, clip(raw))
		}
		switch k {
		case "host":
			if json.Unmarshal(raw, &cfg.Host) != nil || strings.TrimSpace(cfg.Host) == "" {
				return nil, bad(`a Kitsu host as a string ("https://kitsu.example.com/api")`)
			}
		case "roots":
			var roots string
			if json.Unmarshal(raw, &roots) != nil || strings.TrimSpace(roots) == "" {
				return nil, bad("the path of a roots file as a string")
			}
			if !filepath.IsAbs(roots) {
				roots = filepath.Join(filepath.Dir(file), roots)
			}
			cfg.Roots = roots
		case "software":
			var sw map[string]string
			if json.Unmarshal(raw, &sw) != nil || sw == nil {
				return nil, bad(`an object of DCC to software name ({"maya": "Maya"})`)
			}
			for dcc, name := range sw {
				if strings.TrimSpace(dcc) == "" || strings.TrimSpace(name) == "" {
					return nil, fmt.Errorf("config %s: key %q: DCC %q: want a non-empty DCC and software name, got %q", file, k, dcc, name)
				}
				cfg.Software[strings.ToLower(dcc)] = name
			}
		case "cache_ttl":
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return nil, bad(`a duration as a string ("10m", "1h")`)
			}
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				return nil, bad(`a duration of 0 or more as a string ("10m", "1h")`)
			}
			cfg.CacheTTL = d
		case "watch":
			w, err := parseWatch(raw)
			if err != nil {
				return nil, fmt.Errorf("config %s: key %q: %w", file, k, err)
			}
			cfg.Watch = w
		default:
			return nil, fmt.Errorf("config %s: unknown key %q (known: host, roots, software, cache_ttl, watch)", file, k)
		}
	}
	return cfg, nil
}

// SoftwareFor returns the Kitsu software name of a DCC ("maya", any
// case): config.json's, else the default. An unknown DCC is an error
// naming it and the known ones.
func (c *Config) SoftwareFor(dcc string) (string, error) {
	sw := c.Software
	if sw == nil {
		sw = DefaultSoftware
	}
	if name, ok := sw[strings.ToLower(strings.TrimSpace(dcc))]; ok {
		return name, nil
	}
	known := make([]string, 0, len(sw))
	for k := range sw {
		known = append(known, k)
	}
	sort.Strings(known)
	where := "the defaults"
	if c.File != "" {
		where = "the defaults and " + c.File
	}
	return "", fmt.Errorf("DCC %q: no software for it in %s (known: %s); add it under \"software\"", dcc, where, strings.Join(known, ", "))
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// clip shows at most 60 bytes of a raw value in an error.
func clip(raw json.RawMessage) string {
	s := string(raw)
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}

// parseWatch reads the "watch" object.
func parseWatch(raw json.RawMessage) (Watch, error) {
	var w Watch
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &keys) != nil || keys == nil {
		return w, fmt.Errorf(`want an object ({"exclude": ["renders/tmp/"], "settle": "2s"}), got %s`, clip(raw))
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := keys[k]
		switch k {
		case "include", "exclude":
			var globs []string
			if json.Unmarshal(v, &globs) != nil {
				return w, fmt.Errorf("%q: want a list of globs as strings, got %s", k, clip(v))
			}
			for _, g := range globs {
				if strings.TrimSpace(g) == "" {
					return w, fmt.Errorf("%q: an empty glob: want globs such as \"*.tmp\" or \"cache/\"", k)
				}
			}
			if k == "include" {
				w.Include = globs
			} else {
				w.Exclude = globs
			}
		case "settle", "poll":
			var s string
			if json.Unmarshal(v, &s) != nil {
				return w, fmt.Errorf("%q: want a duration as a string (\"2s\"), got %s", k, clip(v))
			}
			d, err := time.ParseDuration(s)
			if err != nil || k == "settle" && d <= 0 {
				return w, fmt.Errorf("%q: want a duration as a string (\"2s\"%s), got %s", k, map[bool]string{true: ", above 0", false: `, "-1s" for never`}[k == "settle"], clip(v))
			}
			if k == "settle" {
				w.Settle = d
			} else {
				w.Poll, w.PollSet = d, true
			}
		default:
			return w, fmt.Errorf("unknown key %q (known: include, exclude, settle, poll)", k)
		}
	}
	return w, nil
}
