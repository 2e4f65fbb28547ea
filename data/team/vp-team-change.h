/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "vp-hlc.h"
#include "vp-uid.h"

G_BEGIN_DECLS

/* One change to one synced record, as devices exchange them (sealed, in
 * batches). Its content id is the SHA-256 of its canonical JSON, so a
 * change delivered twice is recognised. A change holds personal data (a
 * label, a phone number) and so does its id (a hash of little entropy):
 * neither may reach a log or the relay unsealed. */

typedef enum {
  VP_RECORD_CLIENT,
  VP_RECORD_CONTACT,
  VP_RECORD_CONSENT,
  VP_RECORD_LANGUAGE_NEED,
  VP_RECORD_REFERRAL,
  VP_RECORD_FEEDBACK,
  VP_N_RECORD_KINDS
} VpRecordKind;

typedef enum {
  VP_CHANGE_SET,               /* field := value */
  VP_CHANGE_ERASE_CLIENT,      /* the client and everything about it, for good */
  VP_CHANGE_DELETE_RECORD,     /* a contact, language need, referral or feedback */
  VP_CHANGE_CONSENT_GIVEN,     /* field: the category; value: when */
  VP_CHANGE_CONSENT_WITHDRAWN, /* field: the category; value: when */
  VP_N_CHANGE_OPS
} VpChangeOp;

typedef enum {
  VP_TEAM_ROLE_COACH,
  VP_TEAM_ROLE_TEAM_LEADER,
  VP_N_TEAM_ROLES
} VpTeamRole;

typedef enum {
  VP_CONSENT_NONE,
  VP_CONSENT_LANGUAGE,
  VP_CONSENT_INTERPRETER,
  VP_CONSENT_REFERRAL,
  VP_N_CONSENT_CATEGORIES
} VpConsentCategory;

#define VP_CHANGE_ID_LEN 32
#define VP_CHANGE_MAX_VALUE (64 * 1024)
#define VP_CHANGE_BATCH_FORMAT "vindplaats.changes/1"

/* What a change is about. Every record belongs to a client (a client to
 * itself); feedback also names its referral as parent. */
typedef struct {
  VpRecordKind kind;
  VpUid        uid;
  VpUid        client;
  VpUid        parent;  /* feedback: its referral; nil otherwise */
} VpRecordRef;

typedef struct {
  VpRecordRef  record;
  VpChangeOp   op;
  const char  *field;   /* NULL for erase-client and delete-record */
  const char  *value;   /* NULL: no value */
  VpHlc        hlc;     /* its device is the change's device */
  VpTeamRole   role;    /* the author's role */
} VpChangeInput;

/* Immutable and reference-counted; read the fields, never write them. */
typedef struct {
  VpRecordRef  record;
  VpChangeOp   op;
  char        *field;
  char        *value;
  VpHlc        hlc;
  VpTeamRole   role;
  guint8       id[VP_CHANGE_ID_LEN];
} VpChange;

#define VP_TYPE_CHANGE (vp_change_get_type ())
GType      vp_change_get_type     (void) G_GNUC_CONST;

VpChange  *vp_change_new          (const VpChangeInput *input,
                                   GError             **error);
VpChange  *vp_change_ref          (VpChange            *change);
void       vp_change_unref        (VpChange            *change);
/* The total order of changes: by HLC, then by content id. */
int        vp_change_compare      (const VpChange      *a,
                                   const VpChange      *b);
char      *vp_change_to_json      (const VpChange      *change);
char      *vp_change_id_to_string (const VpChange      *change);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VpChange, vp_change_unref)

/* A batch: {"changes":[...],"format":"vindplaats.changes/1"}, canonical
 * (the bytes that vp_change_batch_to_json() makes, and no others). */
char      *vp_change_batch_to_json   (VpChange * const *changes,
                                      guint             n_changes,
                                      gsize            *length);
GPtrArray *vp_change_batch_from_json (const char       *data,
                                      gsize             length,
                                      GError          **error);

/* ---- The record kinds and their fields --------------------------------
 * Which fields exist, which consent category binds a value (field by field
 * for contacts and language needs; referrals and their feedback are bound
 * as a whole), and which only a team leader may set. */
const char       *vp_record_kind_to_string     (VpRecordKind      kind);
gboolean          vp_record_kind_from_string   (const char       *text,
                                                VpRecordKind     *kind);
const char       *vp_change_op_to_string       (VpChangeOp        op);
const char       *vp_team_role_to_string       (VpTeamRole        role);
const char       *vp_consent_category_to_string (VpConsentCategory category);
VpConsentCategory vp_consent_category_from_string (const char    *text);

gboolean          vp_record_field_exists       (VpRecordKind      kind,
                                                const char       *field);
VpConsentCategory vp_record_field_consent      (VpRecordKind      kind,
                                                const char       *field);
VpConsentCategory vp_record_kind_consent       (VpRecordKind      kind);
gboolean          vp_record_field_is_leader_only (VpRecordKind    kind,
                                                const char       *field);
/* The field names of a kind that a set change may name, NULL-terminated. */
const char * const *vp_record_fields           (VpRecordKind      kind);

/* Record refs as GHashTable keys (pointers to VpRecordRef). */
guint             vp_record_ref_hash           (gconstpointer     ref);
gboolean          vp_record_ref_equal          (gconstpointer     a,
                                                gconstpointer     b);
int               vp_record_ref_compare        (const VpRecordRef *a,
                                                const VpRecordRef *b);

G_END_DECLS
