/* policy_schema.h — the tables that describe the policy file format. (internal) */
#ifndef MAMORI_POLICY_SCHEMA_H
#define MAMORI_POLICY_SCHEMA_H

#include "yamlmap.h"

/* The top level of a policy file; every other schema hangs off it. */
extern const struct ym_schema mamori_policy_schema;

#endif
