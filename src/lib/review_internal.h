/* review_internal.h — what the records engine asks of the review module. (internal) */
#ifndef MAMORI_REVIEW_INTERNAL_H
#define MAMORI_REVIEW_INTERNAL_H

#include "mamori/record.h"

/*
 * The checks of the kinds whose ids docs/review.md fixes, on fields already
 * checked one by one (out, as stored): a risk's ratings are steps of the
 * scales of review.risk; an audit's auditors do not belong to a 課 it covers
 * (監査人の独立性).  Each problem goes to problems with the field as its file.
 */
void review_check_record_fields(struct mamori_store *s, const struct mamori_record_kind *kind, const cJSON *out,
    struct mamori_diags *problems);

#endif
