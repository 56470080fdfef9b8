/* arena.h — a region allocator: many small allocations, one free. (internal) */
#ifndef MAMORI_ARENA_H
#define MAMORI_ARENA_H

#include <stddef.h>

/*
 * Everything allocated from an arena lives until mamori_arena_free().  Used for
 * immutable models (the loaded policy) whose parts all share one lifetime.
 * A zeroed struct is a valid empty arena.
 */
struct mamori_arena {
	struct arena_block *head;
	size_t total;
};

/* Zeroed memory of size bytes, aligned for any type; NULL when out of memory. */
void *mamori_arena_alloc(struct mamori_arena *a, size_t size);

/* A copy of the n bytes at s plus a terminating NUL; NULL when out of memory. */
char *mamori_arena_strndup(struct mamori_arena *a, const char *s, size_t n);

/* A copy of the string s; NULL when s is NULL or memory runs out. */
char *mamori_arena_strdup(struct mamori_arena *a, const char *s);

/* Frees every block and leaves the arena empty. */
void mamori_arena_free(struct mamori_arena *a);

#endif
