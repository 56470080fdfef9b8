/*
 * mamori/vocab.h — the fixed vocabularies that policy files draw on: 取扱制限
 * (restriction ids), segment requirements, flow channels and sanitizations.
 * The ids are mamori's contract with policy authors and integrations; the
 * decision point, the register and the sanitizer enforce them.
 */
#ifndef MAMORI_VOCAB_H
#define MAMORI_VOCAB_H

#include <stddef.h>

/* One word of a vocabulary: its id, the standard Japanese wording, an English gloss. */
struct mamori_vocab_entry {
	const char *id;
	const char *title;
	const char *english;
};

struct mamori_vocab {
	const char *name;	/* "restriction", "requirement", "channel", "sanitization" */
	const struct mamori_vocab_entry *entries;
	size_t count;
};

extern const struct mamori_vocab mamori_restrictions;
extern const struct mamori_vocab mamori_requirements;
extern const struct mamori_vocab mamori_channels;
extern const struct mamori_vocab mamori_sanitizations;
/* Actions on assets, in the order of enum mamori_action (mamori/decide.h). */
extern const struct mamori_vocab mamori_actions;
/* What the decision point writes to the audit trail: all, denials, none. */
extern const struct mamori_vocab mamori_decision_logs;
/* Scopes of a role's access: all, department, none. */
extern const struct mamori_vocab mamori_access_scopes;
/* What a role may administer through mamori (access.manage): users, policy. */
extern const struct mamori_vocab mamori_manage_targets;
/* The types of a record's fields (records[].fields[].type). */
extern const struct mamori_vocab mamori_record_types;
/* The people of a record who may take a step besides roles (transitions[].by). */
extern const struct mamori_vocab mamori_record_relations;
/* Where a missed deadline goes besides a role (states[].escalate). */
extern const struct mamori_vocab mamori_escalations;
extern const struct mamori_vocab mamori_record_effects;

/* The entry with this id, or NULL. */
const struct mamori_vocab_entry *mamori_vocab_find(const struct mamori_vocab *v, const char *id);

/* The closest id to a misspelt one ("did you mean"), or NULL. */
const char *mamori_vocab_suggest(const struct mamori_vocab *v, const char *id);

#endif
