package kitsu

import (
	"context"
	"fmt"
	"iter"
	"net/url"
)

// This file holds gazu's entity module: entities of any kind (assets,
// shots, sequences, episodes...) and entity types.

// AllEntities returns every entity the user may see, of every kind and in
// every project, in Zou's order. Zou sets each entity's Type to its kind
// ("Asset", "Shot", "Sequence", "Episode"...). The list is decoded once,
// as it is read; to walk a large database page by page, use EachEntity.
//
// It calls GET /data/entities and mirrors gazu.entity.all_entities.
func (s *EntityService) AllEntities(ctx context.Context) ([]Entity, error) {
	return list[Entity](ctx, (*service)(s), "data/entities", nil)
}

// EachEntityOptions are the optional parts of EachEntity. The zero value
// walks every entity, Zou's default page size (100) at a time, four pages
// asked at once.
type EachEntityOptions struct {
	// ProjectID keeps only the entities of that project.
	ProjectID string
	// PageSize is the number of entities asked at a time; 0 means Zou's
	// default.
	PageSize int
	// Prefetch is how many pages are asked at once; 0 means 4 (see
	// FetchOptions.Prefetch).
	Prefetch int
}

// EachEntity walks the entities the user may see page by page, holding a
// few pages in memory at a time (the one being yielded and up to
// opts.Prefetch on their way), and yields each one (or the first error,
// then stops). Zou orders pages by last update, newest first, then by
// creation and id: a walk of entities nobody changes yields each once;
// entities changed during the walk may be seen twice or missed.
//
// It calls GET /data/entities?page=&limit= and is the paged form of
// AllEntities (gazu.entity.all_entities has none).
func (s *EntityService) EachEntity(ctx context.Context, opts *EachEntityOptions) iter.Seq2[Entity, error] {
	fetch := &FetchOptions{Paginated: true, Params: url.Values{}}
	if opts != nil {
		if opts.ProjectID != "" {
			if err := checkID("project id", opts.ProjectID); err != nil {
				return func(yield func(Entity, error) bool) { yield(Entity{}, err) }
			}
			fetch.Params.Set("project_id", opts.ProjectID)
		}
		if opts.PageSize < 0 {
			err := invalidArg("page size", opts.PageSize, "0 (the server's default) or more")
			return func(yield func(Entity, error) bool) { yield(Entity{}, err) }
		}
		fetch.Limit = opts.PageSize
		fetch.Prefetch = opts.Prefetch
	}
	return FetchEach[Entity](ctx, s.c, "entities", fetch)
}

// AllEntityTypes returns every entity type, asset types (Character,
// Prop...) and Zou's own kinds (Shot, Sequence, Episode...) alike, sorted
// by name.
//
// It calls GET /data/entity-types and mirrors gazu.entity.all_entity_types.
func (s *EntityService) AllEntityTypes(ctx context.Context) ([]EntityType, error) {
	types, err := list[EntityType](ctx, (*service)(s), "data/entity-types", nil)
	if err != nil {
		return nil, err
	}
	sortByName(types, func(t *EntityType) string { return t.Name })
	return types, nil
}

// GetEntity returns the entity with the given id, whatever its kind (its
// Type says which). An unknown id matches ErrNotFound.
//
// It calls GET /data/entities/{entity_id} and mirrors gazu.entity.get_entity.
func (s *EntityService) GetEntity(ctx context.Context, entityID string) (*Entity, error) {
	if err := checkID("entity id", entityID); err != nil {
		return nil, err
	}
	return one[Entity](ctx, (*service)(s), pathOf("data/entities", entityID), nil)
}

// GetEntityByNameOptions are the optional parts of GetEntityByName. The
// zero value looks in every project, as gazu's project=None.
type GetEntityByNameOptions struct {
	// ProjectID limits the search to one project.
	ProjectID string
}

// GetEntityByName returns an entity of any kind with the given name, or
// an error matching ErrNotFound. Names are unique only within a parent,
// so without a project (or within one) the first match is returned.
//
// It calls GET /data/entities?name=[&project_id=] and mirrors
// gazu.entity.get_entity_by_name. Unlike gazu, which sends the name as an
// ILIKE pattern (where "_" and "%" are wildcards) and takes the first row,
// it matches the name literally, preferring an entity whose name is
// exactly the one given over one whose name differs only by case.
func (s *EntityService) GetEntityByName(ctx context.Context, entityName string, opts *GetEntityByNameOptions) (*Entity, error) {
	if err := checkName("entity name", entityName); err != nil {
		return nil, err
	}
	query := url.Values{}
	what := fmt.Sprintf("no entity named %q", entityName)
	if opts != nil && opts.ProjectID != "" {
		if err := checkID("project id", opts.ProjectID); err != nil {
			return nil, err
		}
		query.Set("project_id", opts.ProjectID)
		what += " in project " + opts.ProjectID
	}
	return firstWithName(ctx, (*service)(s), "data/entities", query, entityName,
		func(e *Entity) string { return e.Name }, what)
}

// GetEntityType returns the entity type with the given id. An unknown id
// matches ErrNotFound.
//
// It calls GET /data/entity-types/{entity_type_id} and mirrors
// gazu.entity.get_entity_type.
func (s *EntityService) GetEntityType(ctx context.Context, entityTypeID string) (*EntityType, error) {
	if err := checkID("entity type id", entityTypeID); err != nil {
		return nil, err
	}
	return one[EntityType](ctx, (*service)(s), pathOf("data/entity-types", entityTypeID), nil)
}

// GetEntityTypeByName returns the entity type with the given name
// ("Character", "Shot"...), or an error matching ErrNotFound.
//
// It calls GET /data/entity-types?name= and mirrors
// gazu.entity.get_entity_type_by_name. As GetEntityByName, it matches the
// name literally, not as an ILIKE pattern, preferring the exact case.
func (s *EntityService) GetEntityTypeByName(ctx context.Context, entityTypeName string) (*EntityType, error) {
	if err := checkName("entity type name", entityTypeName); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/entity-types", nil, entityTypeName,
		func(t *EntityType) string { return t.Name }, fmt.Sprintf("no entity type named %q", entityTypeName))
}
