/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "vp-team-change.h"
#include "vp-team-error.h"

/* The canonical JSON of a change is written and read here, not by a JSON
 * library, so its bytes (and with them its content id) cannot change with
 * a library's version: keys in byte order, no white space, strings with
 * exactly the escapes below, ids and clock stamps in their canonical text.
 * A batch must read back to the very same bytes. */

G_DEFINE_BOXED_TYPE (VpChange, vp_change, vp_change_ref, vp_change_unref)

/* ---- Kinds and fields ----------------------------------------------- */

static const char * const kind_names[] = {
  "client", "contact", "consent", "language_need", "referral", "feedback",
};
static const char * const op_names[] = {
  "set", "erase_client", "delete_record", "consent_given", "consent_withdrawn",
};
static const char * const role_names[] = { "coach", "team_leader" };
static const char * const consent_names[] = { "none", "language", "interpreter", "referral" };

/* The columns of data/vp-schema.c that travel, by record kind. Links to
 * other records (a contact's account and location, a referral's contact)
 * travel as uids. A consent's category and dates are not fields: they come
 * with the consent_given and consent_withdrawn operations. */
static const char * const client_fields[] = {
  "birth_year", "created_at", "label", "neighbourhood", "phone", NULL,
};
static const char * const contact_fields[] = {
  "account", "dutch_proficiency", "entered_at", "initiated_by", "interpreter", "kind",
  "language", "location", "location_type", "notes", "occurred_at", "stage", NULL,
};
static const char * const consent_fields[] = {
  "explanation_language", "method", "text_version", NULL,
};
static const char * const language_need_fields[] = {
  "dutch_proficiency", "preferred_languages", NULL,
};
static const char * const referral_fields[] = {
  "account", "category", "contact", "entered_at", "feedback_expected_by", "leader_note",
  "organisation", "referred_on", "reviewed_at", "reviewed_by", "warm_handover", NULL,
};
static const char * const feedback_fields[] = {
  "note", "outcome", "received_on", NULL,
};
static const char * const * const kind_fields[] = {
  client_fields, contact_fields, consent_fields, language_need_fields, referral_fields,
  feedback_fields,
};

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == VP_N_RECORD_KINDS);
G_STATIC_ASSERT (G_N_ELEMENTS (kind_fields) == VP_N_RECORD_KINDS);
G_STATIC_ASSERT (G_N_ELEMENTS (op_names) == VP_N_CHANGE_OPS);
G_STATIC_ASSERT (G_N_ELEMENTS (role_names) == VP_N_TEAM_ROLES);
G_STATIC_ASSERT (G_N_ELEMENTS (consent_names) == VP_N_CONSENT_CATEGORIES);

const char *
vp_record_kind_to_string (VpRecordKind kind)
{
  g_return_val_if_fail (kind < VP_N_RECORD_KINDS, NULL);
  return kind_names[kind];
}

static int
index_of (const char * const *names,
          guint               n,
          const char         *text)
{
  for (guint i = 0; text != NULL && i < n; i++)
    if (strcmp (names[i], text) == 0)
      return (int) i;
  return -1;
}

gboolean
vp_record_kind_from_string (const char   *text,
                            VpRecordKind *kind)
{
  int i = index_of (kind_names, G_N_ELEMENTS (kind_names), text);

  if (i >= 0)
    *kind = (VpRecordKind) i;
  return i >= 0;
}

const char *
vp_change_op_to_string (VpChangeOp op)
{
  g_return_val_if_fail (op < VP_N_CHANGE_OPS, NULL);
  return op_names[op];
}

const char *
vp_team_role_to_string (VpTeamRole role)
{
  g_return_val_if_fail (role < VP_N_TEAM_ROLES, NULL);
  return role_names[role];
}

const char *
vp_consent_category_to_string (VpConsentCategory category)
{
  g_return_val_if_fail (category < VP_N_CONSENT_CATEGORIES, NULL);
  return consent_names[category];
}

/* VP_CONSENT_NONE for anything that is not a category ("none" included). */
VpConsentCategory
vp_consent_category_from_string (const char *text)
{
  int i = index_of (consent_names, G_N_ELEMENTS (consent_names), text);

  return i > 0 ? (VpConsentCategory) i : VP_CONSENT_NONE;
}

const char * const *
vp_record_fields (VpRecordKind kind)
{
  g_return_val_if_fail (kind < VP_N_RECORD_KINDS, NULL);
  return kind_fields[kind];
}

gboolean
vp_record_field_exists (VpRecordKind  kind,
                        const char   *field)
{
  return kind < VP_N_RECORD_KINDS && field != NULL
         && g_strv_contains ((const char * const *) kind_fields[kind], field);
}

/* Field by field, as the store's triggers bind them: the language needs and
 * what a contact keeps of them to language consent, a contact's
 * interpreter to interpreter consent. */
VpConsentCategory
vp_record_field_consent (VpRecordKind  kind,
                         const char   *field)
{
  if (kind == VP_RECORD_LANGUAGE_NEED && vp_record_field_exists (kind, field))
    return VP_CONSENT_LANGUAGE;
  if (kind == VP_RECORD_CONTACT && g_strcmp0 (field, "interpreter") == 0)
    return VP_CONSENT_INTERPRETER;
  if (kind == VP_RECORD_CONTACT
      && (g_strcmp0 (field, "dutch_proficiency") == 0 || g_strcmp0 (field, "language") == 0))
    return VP_CONSENT_LANGUAGE;
  return VP_CONSENT_NONE;
}

/* A referral is consent-bound as a whole (withdrawal deletes it), and its
 * feedback with it. */
VpConsentCategory
vp_record_kind_consent (VpRecordKind kind)
{
  return kind == VP_RECORD_REFERRAL || kind == VP_RECORD_FEEDBACK
         ? VP_CONSENT_REFERRAL : VP_CONSENT_NONE;
}

/* The review of a referral (vp_store_review_referral()). */
gboolean
vp_record_field_is_leader_only (VpRecordKind  kind,
                                const char   *field)
{
  return kind == VP_RECORD_REFERRAL
         && (g_strcmp0 (field, "leader_note") == 0 || g_strcmp0 (field, "reviewed_at") == 0
             || g_strcmp0 (field, "reviewed_by") == 0);
}

guint
vp_record_ref_hash (gconstpointer ref)
{
  const VpRecordRef *r = ref;

  return vp_uid_hash (&r->uid) ^ (vp_uid_hash (&r->client) * 31) ^ (vp_uid_hash (&r->parent) * 17)
         ^ r->kind;
}

int
vp_record_ref_compare (const VpRecordRef *a,
                       const VpRecordRef *b)
{
  int c;

  if ((c = vp_uid_compare (&a->client, &b->client)) != 0)
    return c;
  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1;
  if ((c = vp_uid_compare (&a->uid, &b->uid)) != 0)
    return c;
  return vp_uid_compare (&a->parent, &b->parent);
}

gboolean
vp_record_ref_equal (gconstpointer a,
                     gconstpointer b)
{
  return vp_record_ref_compare (a, b) == 0;
}

/* ---- Validation ----------------------------------------------------- */

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
valid_text (const char *text)
{
  return text == NULL || (strlen (text) <= VP_CHANGE_MAX_VALUE && g_utf8_validate (text, -1, NULL));
}

static gboolean
check_shape (const VpChangeInput  *in,
             GError              **error)
{
  const VpRecordRef *r = &in->record;
  gboolean has_field = in->field != NULL, has_value = in->value != NULL;
  gboolean ok;

  switch (in->op)
    {
    case VP_CHANGE_SET:
      if (has_field && !vp_record_field_exists (r->kind, in->field))
        return invalid (error, _("A change names a field that its kind of record does not have"));
      ok = has_field;
      break;
    case VP_CHANGE_ERASE_CLIENT:
      ok = r->kind == VP_RECORD_CLIENT && !has_field && !has_value;
      break;
    case VP_CHANGE_DELETE_RECORD:
      ok = r->kind != VP_RECORD_CLIENT && r->kind != VP_RECORD_CONSENT && !has_field && !has_value;
      break;
    case VP_CHANGE_CONSENT_GIVEN:
    case VP_CHANGE_CONSENT_WITHDRAWN:
      ok = r->kind == VP_RECORD_CONSENT && has_value
           && vp_consent_category_from_string (in->field) != VP_CONSENT_NONE;
      break;
    default:
      ok = FALSE;
    }
  if (!ok)
    return invalid (error, _("A change does not fit its operation: it has a field, a value or a kind of record that the operation does not take"));
  return TRUE;
}

static gboolean
check_input (const VpChangeInput  *in,
             GError              **error)
{
  const VpRecordRef *r = &in->record;

  if (r->kind >= VP_N_RECORD_KINDS || in->op >= VP_N_CHANGE_OPS || in->role >= VP_N_TEAM_ROLES)
    return invalid (error, _("A change names a kind of record, an operation or a role that this version of Vindplaats does not know"));
  if (vp_uid_is_nil (&r->uid) || vp_uid_is_nil (&r->client) || vp_uid_is_nil (&in->hlc.device)
      || in->hlc.ms < 0 || in->hlc.ms > VP_HLC_MAX_MS
      || (r->kind == VP_RECORD_CLIENT && vp_uid_compare (&r->uid, &r->client) != 0)
      || (r->kind == VP_RECORD_FEEDBACK) == vp_uid_is_nil (&r->parent))
    return invalid (error, _("A change does not name its record, client, referral or device as it must"));
  if (!valid_text (in->field) || !valid_text (in->value))
    return invalid (error, _("A change's value is not valid text, or it is longer than 64 KiB"));
  return check_shape (in, error);
}

/* ---- Canonical JSON ------------------------------------------------- */

static void
append_string (GString    *s,
               const char *v)
{
  if (v == NULL)
    {
      g_string_append (s, "null");
      return;
    }
  g_string_append_c (s, '"');
  for (const guchar *p = (const guchar *) v; *p != '\0'; p++)
    switch (*p)
      {
      case '"': g_string_append (s, "\\\""); break;
      case '\\': g_string_append (s, "\\\\"); break;
      case '\b': g_string_append (s, "\\b"); break;
      case '\f': g_string_append (s, "\\f"); break;
      case '\n': g_string_append (s, "\\n"); break;
      case '\r': g_string_append (s, "\\r"); break;
      case '\t': g_string_append (s, "\\t"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (s, "\\u%04x", *p);
        else
          g_string_append_c (s, (char) *p);
      }
  g_string_append_c (s, '"');
}

static void
append_uid (GString     *s,
            const VpUid *uid)
{
  char text[VP_UID_STRING_LEN + 1];

  vp_uid_to_string (uid, text);
  append_string (s, text);
}

static void
append_change (GString        *s,
               const VpChange *c)
{
  char hlc[VP_HLC_STRING_LEN + 1];

  vp_hlc_to_string (&c->hlc, hlc);
  g_string_append (s, "{\"client\":");
  append_uid (s, &c->record.client);
  g_string_append (s, ",\"field\":");
  append_string (s, c->field);
  g_string_append (s, ",\"hlc\":");
  append_string (s, hlc);
  g_string_append (s, ",\"kind\":");
  append_string (s, kind_names[c->record.kind]);
  g_string_append (s, ",\"op\":");
  append_string (s, op_names[c->op]);
  g_string_append (s, ",\"parent\":");
  if (vp_uid_is_nil (&c->record.parent))
    append_string (s, NULL);
  else
    append_uid (s, &c->record.parent);
  g_string_append (s, ",\"role\":");
  append_string (s, role_names[c->role]);
  g_string_append (s, ",\"uid\":");
  append_uid (s, &c->record.uid);
  g_string_append (s, ",\"value\":");
  append_string (s, c->value);
  g_string_append_c (s, '}');
}

/* Room for the worst case of escaping up front: a string grown by realloc
 * would leave copies of the values in freed memory. */
static gsize
json_room (const VpChange *c)
{
  return 6 * ((c->field != NULL ? strlen (c->field) : 0) + (c->value != NULL ? strlen (c->value) : 0))
         + 256;
}

static void
wipe_string (char *s)
{
  if (s != NULL)
    {
      OPENSSL_cleanse (s, strlen (s));
      g_free (s);
    }
}

char *
vp_change_to_json (const VpChange *change)
{
  GString *s;

  g_return_val_if_fail (change != NULL, NULL);

  s = g_string_sized_new (json_room (change));
  append_change (s, change);
  return g_string_free (s, FALSE);
}

/* ---- Changes -------------------------------------------------------- */

VpChange *
vp_change_new (const VpChangeInput  *input,
               GError              **error)
{
  VpChange *c;
  char *json;

  g_return_val_if_fail (input != NULL, NULL);

  if (!check_input (input, error))
    return NULL;
  c = g_atomic_rc_box_new0 (VpChange);
  c->record = input->record;
  c->op = input->op;
  c->field = g_strdup (input->field);
  c->value = g_strdup (input->value);
  c->hlc = input->hlc;
  c->role = input->role;

  json = vp_change_to_json (c);
  if (EVP_Digest (json, strlen (json), c->id, NULL, EVP_sha256 (), NULL) != 1)
    {
      wipe_string (json);
      vp_change_unref (c);
      g_set_error_literal (error, VP_TEAM_ERROR, VP_TEAM_ERROR_FAILED,
                           _("The encryption library failed"));
      return NULL;
    }
  wipe_string (json);
  return c;
}

VpChange *
vp_change_ref (VpChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);
  return g_atomic_rc_box_acquire (change);
}

static void
change_clear (gpointer data)
{
  VpChange *c = data;

  g_free (c->field);
  wipe_string (c->value);
}

void
vp_change_unref (VpChange *change)
{
  if (change != NULL)
    g_atomic_rc_box_release_full (change, change_clear);
}

int
vp_change_compare (const VpChange *a,
                   const VpChange *b)
{
  int c = vp_hlc_compare (&a->hlc, &b->hlc);

  return c != 0 ? c : memcmp (a->id, b->id, VP_CHANGE_ID_LEN);
}

char *
vp_change_id_to_string (const VpChange *change)
{
  GString *s = g_string_sized_new (2 * VP_CHANGE_ID_LEN + 1);

  for (guint i = 0; i < VP_CHANGE_ID_LEN; i++)
    g_string_append_printf (s, "%02x", change->id[i]);
  return g_string_free (s, FALSE);
}

/* ---- Batches -------------------------------------------------------- */

char *
vp_change_batch_to_json (VpChange * const *changes,
                         guint             n_changes,
                         gsize            *length)
{
  gsize room = 64;
  GString *s;

  for (guint i = 0; i < n_changes; i++)
    room += json_room (changes[i]) + 1;
  s = g_string_sized_new (room);
  g_string_append (s, "{\"changes\":[");
  for (guint i = 0; i < n_changes; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      append_change (s, changes[i]);
    }
  g_string_append (s, "],\"format\":");
  append_string (s, VP_CHANGE_BATCH_FORMAT);
  g_string_append_c (s, '}');
  if (length != NULL)
    *length = s->len;
  return g_string_free (s, FALSE);
}

static gboolean
canonical (GPtrArray   *changes,
           const char  *data,
           gsize        length)
{
  gsize len = 0;
  char *again = vp_change_batch_to_json ((VpChange **) changes->pdata, changes->len, &len);
  gboolean same = len == length && memcmp (again, data, len) == 0;

  OPENSSL_cleanse (again, len);
  g_free (again);
  return same;
}

/* A reader of exactly the canonical form, and nothing else: the members
 * in their order, no white space, and in strings only the escapes that
 * append_string() writes (so a string has one spelling). It builds no
 * tree, so a blob of 64 MiB does not become gigabytes of nodes. */
typedef struct {
  const char *p;
  const char *end;
} Reader;

static gboolean
read_literal (Reader     *r,
              const char *literal)
{
  gsize len = strlen (literal);

  if ((gsize) (r->end - r->p) < len || memcmp (r->p, literal, len) != 0)
    return FALSE;
  r->p += len;
  return TRUE;
}

static int
lower_hex (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* A string into out; FALSE on anything append_string() would not write,
 * including a \u0000 that would cut the string short. */
static gboolean
read_string (Reader  *r,
             GString *out)
{
  OPENSSL_cleanse (out->str, out->len);
  g_string_truncate (out, 0);
  if (!read_literal (r, "\""))
    return FALSE;
  while (r->p < r->end)
    {
      guchar b = (guchar) *r->p++;

      if (b == '"')
        return TRUE;
      if (b < 0x20)
        return FALSE;
      if (b != '\\')
        {
          g_string_append_c (out, (char) b);
          continue;
        }
      if (r->p >= r->end)
        return FALSE;
      switch (*r->p++)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            int hi, lo;

            if (r->end - r->p < 4 || r->p[0] != '0' || r->p[1] != '0'
                || (hi = lower_hex (r->p[2])) < 0 || hi > 1 || (lo = lower_hex (r->p[3])) < 0)
              return FALSE;
            b = (guchar) (hi << 4 | lo);
            if (b == 0 || b == '\b' || b == '\f' || b == '\n' || b == '\r' || b == '\t')
              return FALSE;
            g_string_append_c (out, (char) b);
            r->p += 4;
            break;
          }
        default:
          return FALSE;
        }
    }
  return FALSE;
}

static gboolean
read_nullable (Reader   *r,
               GString  *out,
               gboolean *is_null)
{
  *is_null = read_literal (r, "null");
  return *is_null || read_string (r, out);
}

/* The text of each member, reused from change to change and wiped before
 * each reuse; the value's buffer is big enough for any valid value, so it
 * does not grow and leave copies behind. */
typedef struct {
  GString *client, *field, *hlc, *kind, *op, *parent, *role, *uid, *value;
} Members;

static VpChange *
read_change (Reader   *r,
             Members  *m,
             GError  **error)
{
  gboolean no_field, no_parent, no_value;
  VpChangeInput in = { 0 };
  int i;

  if (!(read_literal (r, "{\"client\":") && read_string (r, m->client)
        && read_literal (r, ",\"field\":") && read_nullable (r, m->field, &no_field)
        && read_literal (r, ",\"hlc\":") && read_string (r, m->hlc)
        && read_literal (r, ",\"kind\":") && read_string (r, m->kind)
        && read_literal (r, ",\"op\":") && read_string (r, m->op)
        && read_literal (r, ",\"parent\":") && read_nullable (r, m->parent, &no_parent)
        && read_literal (r, ",\"role\":") && read_string (r, m->role)
        && read_literal (r, ",\"uid\":") && read_string (r, m->uid)
        && read_literal (r, ",\"value\":") && read_nullable (r, m->value, &no_value)
        && read_literal (r, "}")))
    {
      invalid (error, _("A batch of changes is not in its canonical form"));
      return NULL;
    }
  if (!vp_record_kind_from_string (m->kind->str, &in.record.kind)
      || (i = index_of (op_names, G_N_ELEMENTS (op_names), m->op->str)) < 0
      || (in.op = (VpChangeOp) i, (i = index_of (role_names, G_N_ELEMENTS (role_names), m->role->str)) < 0))
    {
      invalid (error, _("A change names a kind of record, an operation or a role that this version of Vindplaats does not know"));
      return NULL;
    }
  in.role = (VpTeamRole) i;
  if (!vp_uid_parse (m->client->str, &in.record.client, error)
      || !vp_uid_parse (m->uid->str, &in.record.uid, error)
      || (!no_parent && !vp_uid_parse (m->parent->str, &in.record.parent, error))
      || !vp_hlc_parse (m->hlc->str, &in.hlc, error))
    return NULL;
  in.field = no_field ? NULL : m->field->str;
  in.value = no_value ? NULL : m->value->str;
  return vp_change_new (&in, error);
}

static void
members_clear (Members *m)
{
  GString **all[] = { &m->client, &m->field, &m->hlc, &m->kind, &m->op, &m->parent, &m->role,
                      &m->uid, &m->value };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (*all[i] != NULL)
      {
        OPENSSL_cleanse ((*all[i])->str, (*all[i])->len);
        g_string_free (*all[i], TRUE);
        *all[i] = NULL;
      }
}

/* Each change is validated as vp_change_new() validates it; anything that
 * is not the canonical form is refused as a whole, and as a last check the
 * batch must write back to the very bytes it came in. */
GPtrArray *
vp_change_batch_from_json (const char  *data,
                           gsize        length,
                           GError     **error)
{
  g_autoptr(GPtrArray) changes = NULL;
  Reader r = { data, data + length };
  Members m;
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_change_unref);
  m = (Members) {
    g_string_sized_new (64), g_string_sized_new (64), g_string_sized_new (64),
    g_string_sized_new (64), g_string_sized_new (64), g_string_sized_new (64),
    g_string_sized_new (64), g_string_sized_new (64), g_string_sized_new (VP_CHANGE_MAX_VALUE + 1),
  };
  ok = read_literal (&r, "{\"changes\":[");
  if (!ok)
    invalid (error, _("This is not a batch of changes of team sync"));
  if (ok && !read_literal (&r, "]"))
    for (;;)
      {
        VpChange *c = read_change (&r, &m, error);

        if (c == NULL)
          {
            ok = FALSE;
            break;
          }
        g_ptr_array_add (changes, c);
        if (read_literal (&r, "]"))
          break;
        if (!read_literal (&r, ","))
          {
            ok = invalid (error, _("A batch of changes is not in its canonical form"));
            break;
          }
      }
  if (ok && !read_literal (&r, ",\"format\":\"" VP_CHANGE_BATCH_FORMAT "\"}"))
    ok = invalid (error, read_literal (&r, ",\"format\":")
                         ? _("This batch of changes has a format that this version of Vindplaats cannot read")
                         : _("A batch of changes is not in its canonical form"));
  if (ok && (r.p != r.end || !canonical (changes, data, length)))
    ok = invalid (error, _("A batch of changes is not in its canonical form"));
  members_clear (&m);
  return ok ? g_steal_pointer (&changes) : NULL;
}
