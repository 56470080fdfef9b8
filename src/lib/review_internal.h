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

/*
 * Whether the account by may add evidence files to rec without seeing it as
 * a record: a running self-check campaign that covers by's 課 (its
 * 情報セキュリティ管理者 answers it, docs/review.md).
 */
bool review_may_attach(struct mamori_store *s, const char *by, const cJSON *rec);

#endif
