package filetree

import (
	"fmt"
	"strings"
	"sync"
)

// Token is a template variable, written <Token> or <Token.field>.
type Token string

// The tokens Zou's renderer knows.
const (
	TokProject            Token = "Project"
	TokTask               Token = "Task"
	TokTaskType           Token = "TaskType"
	TokDepartment         Token = "Department"
	TokShot               Token = "Shot"
	TokTemporalEntity     Token = "TemporalEntity"
	TokTemporalEntityType Token = "TemporalEntityType"
	TokAssetType          Token = "AssetType"
	TokSequence           Token = "Sequence"
	TokEpisode            Token = "Episode"
	TokAsset              Token = "Asset"
	TokSoftware           Token = "Software"
	TokOutputType         Token = "OutputType"
	TokScene              Token = "Scene"
	TokInstance           Token = "Instance"
	TokRepresentation     Token = "Representation"
	TokName               Token = "Name"
	TokOutputFile         Token = "OutputFile"
	TokWorkingFile        Token = "WorkingFile"
	TokVersion            Token = "Version"
	TokRevision           Token = "Revision"
)

// Tokens lists every token.
var Tokens = []Token{
	TokProject, TokTask, TokTaskType, TokDepartment, TokShot, TokTemporalEntity,
	TokTemporalEntityType, TokAssetType, TokSequence, TokEpisode, TokAsset, TokSoftware,
	TokOutputType, TokScene, TokInstance, TokRepresentation, TokName, TokOutputFile,
	TokWorkingFile, TokVersion, TokRevision,
}

var tokenSet = func() map[Token]bool {
	m := map[Token]bool{}
	for _, t := range Tokens {
		m[t] = true
	}
	return m
}()

// Field selectors. Any other field reads the name, as in Zou.
const (
	FieldName      = "name"
	FieldShortName = "short_name"
	FieldNumber    = "number"
	FieldID        = "id"
)

// tokenIDs gives each distinct token text a small number, so a render can
// remember per token without comparing strings.
var (
	tokenIDsMu sync.Mutex
	tokenIDs   = map[string]int{}
)

// maxTokenIDs bounds tokenIDs, so that loading tree after tree of made
// up tokens cannot grow it without end.
const maxTokenIDs = 4096

func tokenID(raw string) int {
	tokenIDsMu.Lock()
	defer tokenIDsMu.Unlock()
	id, ok := tokenIDs[raw]
	if !ok {
		if len(tokenIDs) >= maxTokenIDs {
			return maxTokenIDs // past every memo: such tokens are not remembered
		}
		id = len(tokenIDs)
		tokenIDs[raw] = id
	}
	return id
}

// parseToken reads the text between < and >. A field other than name,
// short_name, number and id reads the name, as in Zou, but is reported
// as errUnknownField (strict loads refuse it); so is a third part
// (<Shot.id.x>), of which Zou reads the second only.
func parseToken(raw string) (*tokenRef, error) {
	typ, field, hasField := strings.Cut(raw, ".")
	var fieldErr error
	if hasField {
		var extra bool
		field, _, extra = strings.Cut(field, ".") // Zou reads the second part only
		switch field {
		case FieldName, FieldShortName, FieldNumber, FieldID:
			if extra {
				fieldErr = fmt.Errorf("%w in <%s>: want <Token> or <Token.field>, one dot at most", errUnknownField, raw)
			}
		default:
			fieldErr = fmt.Errorf("%w %q in <%s>: want name, short_name, number or id", errUnknownField, field, raw)
			field = FieldName
		}
	} else {
		field = FieldName
	}
	ref := &tokenRef{raw: raw, typ: Token(typ), field: field, id: tokenID(raw)}
	if !tokenSet[ref.typ] {
		return ref, fmt.Errorf("%w <%s>: want one of %s", errUnknownToken, raw, tokenList())
	}
	return ref, fieldErr
}

func tokenList() string {
	names := make([]string, len(Tokens))
	for i, t := range Tokens {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}
