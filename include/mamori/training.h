/*
 * mamori/training.h — 教育・研修 (基本方針 6(5) 「十分な教育及び啓発を行う」):
 * who has taken each course in force, per 課 and per person, and who is
 * overdue, read from the records of kinds `course` (研修: name, audience_roles,
 * audience_departments, recurrence once | yearly, due) and `attendance`
 * (受講記録: course, account, date) that the policy declares
 * (mic-standard).  docs/records.md, "教育・研修".
 */
#ifndef MAMORI_TRAINING_H
#define MAMORI_TRAINING_H

#include <time.h>

#include <cjson/cJSON.h>

#include "mamori/error.h"
#include "mamori/store.h"

/*
 * The courses in force (a `course` record neither in its initial nor in a
 * final state), or only course (an id) when not NULL, as of now, as JSON
 * (caller deletes): {"today", "courses": [{id, name, recurrence, from (the
 * first day that counts: the 年度's 1 April for a yearly course, none for
 * once), deadline (null without a due date), audience, completed, overdue,
 * departments: [{department, title, audience, completed, overdue}], people:
 * [{user, department, role, last (the last attendance that counts, or null),
 * status: completed | pending | overdue}]}]}.  The audience is every enabled
 * account whose role and 課 the course names (none named: every one);
 * attendance counts unless cancelled (a final state).  A yearly course's
 * deadline is its due date's month and day in the current 年度 (April to
 * March).  department (id or title) or user, when not NULL, keep only those
 * people (and their 課).  asker, when not NULL, sees what it may see of
 * the kind course's records (docs/records.md, "Who sees and who acts"):
 * everyone, its own 課 (a role of scope department that a step names), or
 * only itself.  MAMORI_E_NOTFOUND for an unknown course; MAMORI_E_INVALID
 * when the policy declares no kind `course`.
 */
int mamori_training_status(struct mamori_store *s, const char *course, const char *department, const char *user,
    const char *asker, time_t now, cJSON **out, struct mamori_error *err);

/*
 * Puts a notice (reason training.overdue, record: the course) into the
 * outbox for every person overdue on a course in force as of now, unless
 * one was put there for the same course and person in the last 7 days; one
 * training.remind event per course names them.  *count: the notices put.
 * The mail goes out with the other notices (mamori/mail.h).
 */
int mamori_training_remind(struct mamori_store *s, const char *actor, time_t now, size_t *count,
    struct mamori_error *err);

#endif
