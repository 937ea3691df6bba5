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

func tokenID(raw string) int {
	tokenIDsMu.Lock()
	defer tokenIDsMu.Unlock()
	id, ok := tokenIDs[raw]
	if !ok {
		id = len(tokenIDs)
		tokenIDs[raw] = id
	}
	return id
}

func parseToken(raw string) (*tokenRef, error) {
	typ, field, hasField := strings.Cut(raw, ".")
	if hasField {
		field, _, _ = strings.Cut(field, ".") // Zou reads the second part only
		switch field {
		case FieldName, FieldShortName, FieldNumber, FieldID:
		default:
			field = FieldName
		}
	} else {
		field = FieldName
	}
	ref := &tokenRef{raw: raw, typ: Token(typ), field: field, id: tokenID(raw)}
	if !tokenSet[ref.typ] {
		return ref, fmt.Errorf("%w <%s>: want one of %s", errUnknownToken, raw, tokenList())
	}
	return ref, nil
}

func tokenList() string {
	names := make([]string, len(Tokens))
	for i, t := range Tokens {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}
