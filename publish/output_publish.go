package publish

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"
)

var errOutputsUnbuilt = errors.New("publish: output publishes are not built yet on this commit")

// Publish publishes an output.
func (o *Output) Publish(ctx context.Context, req *OutputRequest) (*OutputResult, error) {
	return nil, errOutputsUnbuilt
}

// Resume finishes the publish of a manifest.
func (o *Output) Resume(ctx context.Context, manifest string) (*OutputResult, error) {
	return nil, errOutputsUnbuilt
}

// Abort rolls back the publish of a manifest.
func (o *Output) Abort(ctx context.Context, manifest string) error {
	return errOutputsUnbuilt
}

// Unfinished lists the unfinished publishes under root.
func (o *Output) Unfinished(root string) ([]ManifestInfo, error) {
	return nil, errOutputsUnbuilt
}

// checkRepresentation refuses a representation Zou cannot hold or that
// is no plain name.
func checkRepresentation(r string) error {
	if n := utf8.RuneCountInString(r); n > MaxRepresentation {
		return fmt.Errorf("representation %q is %d characters: Zou's output_file.representation holds %d at most", r, n, MaxRepresentation)
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' && i > 0) {
			return fmt.Errorf("representation %q: want letters, digits, '_', '-' and '.' (not first), as in abc or usd", r)
		}
	}
	return nil
}
