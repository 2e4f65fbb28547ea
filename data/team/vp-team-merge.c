/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-team"

#include "config.h"

#include <string.h>

#include "vp-team-merge.h"

/* The merge of team sync (docs/team-sync.md, "Merging"). The state of the
 * records is a pure function of the set of changes; the order in which they
 * arrived plays no part. All changes are in one total order: by HLC, then
 * by content id ("a < b" below). The rules, per client:
 *
 * 1. A field takes the value of its latest eligible set change (last
 *    writer wins); a set of nothing (NULL) is a value too.
 * 2. An erase_client change is a tombstone on the client: nothing of the
 *    client or of any record that names it is shown, whatever its HLC,
 *    and only the client's uid and the erasure's HLC are kept.
 * 3. A delete_record change is a tombstone on that record, whatever the
 *    HLC of its other changes. Deleting a referral hides its feedback.
 * 4. Consent. Let W be the latest withdrawal of the client's category and
 *    G the earliest give after W. A bound value set by change h is shown
 *    only if G < h: that is, some give g < h has no withdrawal after it.
 *    (The earliest such give, not the latest: two laptops that each record
 *    consent while apart must not hide what was set between the two.)
 *    Language needs and a contact's interpreter, Dutch proficiency and
 *    language are bound field by field, to the latest value: a winner that
 *    is not shown leaves the field empty, never an older value. Referrals
 *    and their feedback are bound as a whole, through the record's first
 *    change: a withdrawal removes every referral begun before it, as the
 *    store's trigger deletes them, and feedback goes with its referral.
 * 5. Roles. leader_note, reviewed_at and reviewed_by of a referral count
 *    only from a change whose author was a team leader, made on a device
 *    the roster lists as a team leader's; other changes to them are
 *    ignored as if they did not exist.
 *
 * A consent record's view adds its category and given_at (from its first
 * give) and withdrawn_at (from the first withdrawal of that category after
 * it: a withdrawal withdraws the category, whichever consent record it
 * was made on).
 *
 * Two forms compute this. vp_merge_changes() is the rules as they read,
 * quantifiers and all, over the whole set. VpMerge keeps only what can
 * still win and answers the same; the property test (tests/test-team-
 * merge.c) checks that they agree. */

/* ---- Roster --------------------------------------------------------- */

struct _VpTeamRoster
{
  GHashTable *roles; /* VpUid * -> role + 1 */
};

VpTeamRoster *
vp_team_roster_new (void)
{
  VpTeamRoster *roster = g_new0 (VpTeamRoster, 1);

  roster->roles = g_hash_table_new_full (vp_uid_hash, vp_uid_equal, g_free, NULL);
  return roster;
}

void
vp_team_roster_free (VpTeamRoster *roster)
{
  if (roster == NULL)
    return;
  g_hash_table_unref (roster->roles);
  g_free (roster);
}

void
vp_team_roster_set (VpTeamRoster *roster,
                    const VpUid  *device,
                    VpTeamRole    role)
{
  g_return_if_fail (roster != NULL && device != NULL && role < VP_N_TEAM_ROLES);
  g_hash_table_insert (roster->roles, vp_uid_dup (device), GUINT_TO_POINTER (role + 1));
}

gboolean
vp_team_roster_lookup (const VpTeamRoster *roster,
                       const VpUid        *device,
                       VpTeamRole         *role)
{
  gpointer value = roster != NULL ? g_hash_table_lookup (roster->roles, device) : NULL;

  if (value != NULL && role != NULL)
    *role = (VpTeamRole) (GPOINTER_TO_UINT (value) - 1);
  return value != NULL;
}

/* Rule 5, for one change to a leader-only field. */
static gboolean
leader_may (const VpChange     *c,
            const VpTeamRoster *roster)
{
  VpTeamRole role;

  return c->role == VP_TEAM_ROLE_TEAM_LEADER
         && vp_team_roster_lookup (roster, &c->hlc.device, &role)
         && role == VP_TEAM_ROLE_TEAM_LEADER;
}

static VpConsentCategory
op_category (const VpChange *c)
{
  return vp_consent_category_from_string (c->field);
}

/* ---- Views ---------------------------------------------------------- */

struct _VpMergeView
{
  GHashTable *records; /* VpRecordRef * (in the record) -> VpMergedRecord * */
  GHashTable *erased;  /* VpUid * -> VpHlc * */
  GHashTable *deleted; /* VpRecordRef * -> VpHlc * */
};

static void
merged_record_free (gpointer data)
{
  VpMergedRecord *r = data;

  g_hash_table_unref (r->fields);
  g_free (r);
}

static VpMergeView *
view_new (void)
{
  VpMergeView *view = g_new0 (VpMergeView, 1);

  view->records = g_hash_table_new_full (vp_record_ref_hash, vp_record_ref_equal, NULL,
                                         merged_record_free);
  view->erased = g_hash_table_new_full (vp_uid_hash, vp_uid_equal, g_free, g_free);
  view->deleted = g_hash_table_new_full (vp_record_ref_hash, vp_record_ref_equal, g_free, g_free);
  return view;
}

void
vp_merge_view_free (VpMergeView *view)
{
  if (view == NULL)
    return;
  g_hash_table_unref (view->records);
  g_hash_table_unref (view->erased);
  g_hash_table_unref (view->deleted);
  g_free (view);
}

static GHashTable *
fields_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
fields_set (GHashTable *fields,
            const char *field,
            const char *value)
{
  g_hash_table_insert (fields, g_strdup (field), g_strdup (value));
}

/* Takes fields; a record with none is not shown. */
static void
view_add_record (VpMergeView       *view,
                 const VpRecordRef *ref,
                 GHashTable        *fields)
{
  VpMergedRecord *r;

  if (g_hash_table_size (fields) == 0)
    {
      g_hash_table_unref (fields);
      return;
    }
  r = g_new0 (VpMergedRecord, 1);
  r->ref = *ref;
  r->fields = fields;
  g_hash_table_insert (view->records, &r->ref, r);
}

static void
view_add_erased (VpMergeView *view,
                 const VpUid *client,
                 const VpHlc *when)
{
  g_hash_table_insert (view->erased, vp_uid_dup (client), g_memdup2 (when, sizeof *when));
}

static void
view_add_deleted (VpMergeView       *view,
                  const VpRecordRef *ref,
                  const VpHlc       *when)
{
  g_hash_table_insert (view->deleted, g_memdup2 (ref, sizeof *ref), g_memdup2 (when, sizeof *when));
}

guint
vp_merge_view_n_records (const VpMergeView *view)
{
  return g_hash_table_size (view->records);
}

const VpMergedRecord *
vp_merge_view_lookup (const VpMergeView *view,
                      const VpRecordRef *ref)
{
  return g_hash_table_lookup (view->records, ref);
}

static int
compare_records (gconstpointer a,
                 gconstpointer b)
{
  const VpMergedRecord *ra = *(VpMergedRecord * const *) a;
  const VpMergedRecord *rb = *(VpMergedRecord * const *) b;

  return vp_record_ref_compare (&ra->ref, &rb->ref);
}

GPtrArray *
vp_merge_view_list_records (const VpMergeView *view)
{
  GPtrArray *list = g_ptr_array_sized_new (g_hash_table_size (view->records));
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, view->records);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, value);
  g_ptr_array_sort (list, compare_records);
  return list;
}

gboolean
vp_merge_view_is_erased (const VpMergeView *view,
                         const VpUid       *client,
                         VpHlc             *when)
{
  const VpHlc *hlc = g_hash_table_lookup (view->erased, client);

  if (hlc != NULL && when != NULL)
    *when = *hlc;
  return hlc != NULL;
}

gboolean
vp_merge_view_is_deleted (const VpMergeView *view,
                          const VpRecordRef *ref,
                          VpHlc             *when)
{
  const VpHlc *hlc = g_hash_table_lookup (view->deleted, ref);

  if (hlc != NULL && when != NULL)
    *when = *hlc;
  return hlc != NULL;
}

static char *
ref_to_string (const VpRecordRef *ref)
{
  char uid[VP_UID_STRING_LEN + 1], client[VP_UID_STRING_LEN + 1], parent[VP_UID_STRING_LEN + 1];

  vp_uid_to_string (&ref->uid, uid);
  vp_uid_to_string (&ref->client, client);
  vp_uid_to_string (&ref->parent, parent);
  return g_strdup_printf ("%s %s %s %s", client, vp_record_kind_to_string (ref->kind), uid, parent);
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

char *
vp_merge_view_to_string (const VpMergeView *view)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key, value;
  GString *out = g_string_new (NULL);

  g_hash_table_iter_init (&iter, view->erased);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      char uid[VP_UID_STRING_LEN + 1], hlc[VP_HLC_STRING_LEN + 1];

      vp_uid_to_string (key, uid);
      vp_hlc_to_string (value, hlc);
      g_ptr_array_add (lines, g_strdup_printf ("erased %s at %s", uid, hlc));
    }
  g_hash_table_iter_init (&iter, view->deleted);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *ref = ref_to_string (key);
      char hlc[VP_HLC_STRING_LEN + 1];

      vp_hlc_to_string (value, hlc);
      g_ptr_array_add (lines, g_strdup_printf ("deleted %s at %s", ref, hlc));
    }
  g_hash_table_iter_init (&iter, view->records);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const VpMergedRecord *r = value;
      g_autofree char *ref = ref_to_string (&r->ref);
      GHashTableIter fi;
      gpointer field, v;

      g_hash_table_iter_init (&fi, r->fields);
      while (g_hash_table_iter_next (&fi, &field, &v))
        {
          g_autofree char *escaped = v != NULL ? g_strescape (v, NULL) : NULL;

          g_ptr_array_add (lines, g_strdup_printf ("record %s %s=%s%s%s", ref, (char *) field,
                                                   v != NULL ? "\"" : "",
                                                   v != NULL ? escaped : "NULL",
                                                   v != NULL ? "\"" : ""));
        }
    }
  g_ptr_array_sort (lines, compare_lines);
  for (guint i = 0; i < lines->len; i++)
    {
      g_string_append (out, g_ptr_array_index (lines, i));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

gboolean
vp_merge_view_equal (const VpMergeView *a,
                     const VpMergeView *b)
{
  g_autofree char *sa = vp_merge_view_to_string (a);
  g_autofree char *sb = vp_merge_view_to_string (b);

  return strcmp (sa, sb) == 0;
}

/* ---- The whole-set form ---------------------------------------------- */

/* Rule 4 as it reads: some give g < h with no withdrawal after g. */
static gboolean
whole_consent_ok (GPtrArray         *client_changes,
                  VpConsentCategory  category,
                  const VpChange    *h)
{
  for (guint i = 0; i < client_changes->len; i++)
    {
      const VpChange *g = g_ptr_array_index (client_changes, i);
      gboolean withdrawn_after = FALSE;

      if (g->op != VP_CHANGE_CONSENT_GIVEN || op_category (g) != category
          || vp_change_compare (g, h) >= 0)
        continue;
      for (guint j = 0; j < client_changes->len && !withdrawn_after; j++)
        {
          const VpChange *w = g_ptr_array_index (client_changes, j);

          withdrawn_after = w->op == VP_CHANGE_CONSENT_WITHDRAWN && op_category (w) == category
                            && vp_change_compare (w, g) > 0;
        }
      if (!withdrawn_after)
        return TRUE;
    }
  return FALSE;
}

static const VpChange *
first_with_op (GPtrArray  *changes,
               VpChangeOp  op)
{
  for (guint i = 0; i < changes->len; i++)
    if (((VpChange *) g_ptr_array_index (changes, i))->op == op)
      return g_ptr_array_index (changes, i);
  return NULL;
}

/* Rules 3 and 4 for a record as a whole (referrals and feedback). */
static gboolean
whole_record_shown (const VpRecordRef *ref,
                    GPtrArray         *record_changes,
                    GPtrArray         *client_changes,
                    GHashTable        *records)
{
  VpConsentCategory category = vp_record_kind_consent (ref->kind);

  if (category != VP_CONSENT_NONE
      && !whole_consent_ok (client_changes, category, g_ptr_array_index (record_changes, 0)))
    return FALSE;
  if (ref->kind == VP_RECORD_FEEDBACK)
    {
      VpRecordRef referral = { VP_RECORD_REFERRAL, ref->parent, ref->client, { { 0 } } };
      GPtrArray *parent = g_hash_table_lookup (records, &referral);

      if (parent != NULL
          && (first_with_op (parent, VP_CHANGE_DELETE_RECORD) != NULL
              || !whole_record_shown (&referral, parent, client_changes, records)))
        return FALSE;
    }
  return TRUE;
}

/* Rules 1, 4 (field by field) and 5, latest first. */
static GHashTable *
whole_fields (const VpRecordRef  *ref,
              GPtrArray          *record_changes,
              GPtrArray          *client_changes,
              const VpTeamRoster *roster)
{
  GHashTable *fields = fields_new ();
  g_autoptr(GHashTable) decided = g_hash_table_new (g_str_hash, g_str_equal);
  const VpChange *give;

  for (guint i = record_changes->len; i-- > 0;)
    {
      const VpChange *c = g_ptr_array_index (record_changes, i);
      VpConsentCategory category;

      if (c->op != VP_CHANGE_SET || g_hash_table_contains (decided, c->field))
        continue;
      if (vp_record_field_is_leader_only (ref->kind, c->field) && !leader_may (c, roster))
        continue;
      g_hash_table_add (decided, c->field);
      category = vp_record_field_consent (ref->kind, c->field);
      if (category == VP_CONSENT_NONE || whole_consent_ok (client_changes, category, c))
        fields_set (fields, c->field, c->value);
    }

  give = first_with_op (record_changes, VP_CHANGE_CONSENT_GIVEN);
  if (give != NULL)
    {
      fields_set (fields, "category", give->field);
      fields_set (fields, "given_at", give->value);
      for (guint i = 0; i < client_changes->len; i++)
        {
          const VpChange *w = g_ptr_array_index (client_changes, i);

          if (w->op == VP_CHANGE_CONSENT_WITHDRAWN && op_category (w) == op_category (give)
              && vp_change_compare (w, give) > 0)
            {
              fields_set (fields, "withdrawn_at", w->value);
              break;
            }
        }
    }
  return fields;
}

static void
whole_client (VpMergeView        *view,
              const VpUid        *client,
              GPtrArray          *changes,
              const VpTeamRoster *roster)
{
  g_autoptr(GHashTable) records = g_hash_table_new_full (vp_record_ref_hash, vp_record_ref_equal,
                                                         NULL, (GDestroyNotify) g_ptr_array_unref);
  const VpChange *erase = first_with_op (changes, VP_CHANGE_ERASE_CLIENT);
  GHashTableIter iter;
  gpointer key, value;

  if (erase != NULL)
    {
      view_add_erased (view, client, &erase->hlc);
      return;
    }

  for (guint i = 0; i < changes->len; i++)
    {
      VpChange *c = g_ptr_array_index (changes, i);
      GPtrArray *list = g_hash_table_lookup (records, &c->record);

      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (records, &c->record, list);
        }
      g_ptr_array_add (list, c);
    }

  g_hash_table_iter_init (&iter, records);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const VpRecordRef *ref = key;
      const VpChange *deleted = first_with_op (value, VP_CHANGE_DELETE_RECORD);

      if (deleted != NULL)
        view_add_deleted (view, ref, &deleted->hlc);
      else if (whole_record_shown (ref, value, changes, records))
        view_add_record (view, ref, whole_fields (ref, value, changes, roster));
    }
}

static int
compare_changes (gconstpointer a,
                 gconstpointer b)
{
  return vp_change_compare (*(VpChange * const *) a, *(VpChange * const *) b);
}

VpMergeView *
vp_merge_changes (VpChange * const   *changes,
                  guint               n_changes,
                  const VpTeamRoster *roster)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_sized_new (n_changes);
  g_autoptr(GHashTable) clients = g_hash_table_new_full (vp_uid_hash, vp_uid_equal, NULL,
                                                         (GDestroyNotify) g_ptr_array_unref);
  VpMergeView *view = view_new ();
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < n_changes; i++)
    g_ptr_array_add (sorted, changes[i]);
  g_ptr_array_sort (sorted, compare_changes);

  /* Grouped by client, each group in the total order, duplicates once. */
  for (guint i = 0; i < sorted->len; i++)
    {
      VpChange *c = g_ptr_array_index (sorted, i);
      GPtrArray *list;

      if (i > 0 && vp_change_compare (g_ptr_array_index (sorted, i - 1), c) == 0)
        continue;
      list = g_hash_table_lookup (clients, &c->record.client);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (clients, &c->record.client, list);
        }
      g_ptr_array_add (list, c);
    }

  g_hash_table_iter_init (&iter, clients);
  while (g_hash_table_iter_next (&iter, &key, &value))
    whole_client (view, key, value, roster);
  return view;
}

/* ---- The incremental form -------------------------------------------- */

typedef struct {
  VpRecordRef  ref;
  VpChange    *first;    /* bound as a whole: the earliest change of any op (rule 4) */
  VpChange    *deleted;  /* the earliest delete_record (rule 3) */
  VpChange    *give;     /* consent records: the earliest give */
  GHashTable  *fields;   /* field -> latest set (VpChange *) */
  GHashTable  *leader;   /* leader-only field -> (device -> latest set by a team leader) */
} RecordState;

typedef struct {
  VpUid       client;
  VpChange   *erased;    /* the earliest erasure (rule 2) */
  GHashTable *records;   /* VpRecordRef * (in the state) -> RecordState * */
  GPtrArray  *gives[VP_N_CONSENT_CATEGORIES];       /* in the total order */
  GPtrArray  *withdrawals[VP_N_CONSENT_CATEGORIES]; /* in the total order */
} ClientState;

struct _VpMerge
{
  GHashTable *clients;   /* VpUid * (in the state) -> ClientState * */
};

static void
record_state_free (gpointer data)
{
  RecordState *rs = data;

  g_clear_pointer (&rs->first, vp_change_unref);
  g_clear_pointer (&rs->deleted, vp_change_unref);
  g_clear_pointer (&rs->give, vp_change_unref);
  g_clear_pointer (&rs->fields, g_hash_table_unref);
  g_clear_pointer (&rs->leader, g_hash_table_unref);
  g_free (rs);
}

static GHashTable *
winners_new (GHashFunc  hash,
             GEqualFunc equal)
{
  return g_hash_table_new_full (hash, equal, NULL, (GDestroyNotify) vp_change_unref);
}

static void
client_state_clear (ClientState *cs)
{
  g_clear_pointer (&cs->records, g_hash_table_unref);
  for (guint i = 0; i < VP_N_CONSENT_CATEGORIES; i++)
    {
      g_clear_pointer (&cs->gives[i], g_ptr_array_unref);
      g_clear_pointer (&cs->withdrawals[i], g_ptr_array_unref);
    }
}

static void
client_state_free (gpointer data)
{
  ClientState *cs = data;

  client_state_clear (cs);
  g_clear_pointer (&cs->erased, vp_change_unref);
  g_free (cs);
}

VpMerge *
vp_merge_new (void)
{
  VpMerge *merge = g_new0 (VpMerge, 1);

  merge->clients = g_hash_table_new_full (vp_uid_hash, vp_uid_equal, NULL, client_state_free);
  return merge;
}

void
vp_merge_free (VpMerge *merge)
{
  if (merge == NULL)
    return;
  g_hash_table_unref (merge->clients);
  g_free (merge);
}

static ClientState *
client_state (VpMerge     *merge,
              const VpUid *client)
{
  ClientState *cs = g_hash_table_lookup (merge->clients, client);

  if (cs == NULL)
    {
      cs = g_new0 (ClientState, 1);
      cs->client = *client;
      cs->records = g_hash_table_new_full (vp_record_ref_hash, vp_record_ref_equal, NULL,
                                           record_state_free);
      for (guint i = 0; i < VP_N_CONSENT_CATEGORIES; i++)
        {
          cs->gives[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_change_unref);
          cs->withdrawals[i] = g_ptr_array_new_with_free_func ((GDestroyNotify) vp_change_unref);
        }
      g_hash_table_insert (merge->clients, &cs->client, cs);
    }
  return cs;
}

static RecordState *
record_state (ClientState       *cs,
              const VpRecordRef *ref)
{
  RecordState *rs = g_hash_table_lookup (cs->records, ref);

  if (rs == NULL)
    {
      rs = g_new0 (RecordState, 1);
      rs->ref = *ref;
      rs->fields = winners_new (g_str_hash, g_str_equal);
      rs->leader = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_hash_table_unref);
      g_hash_table_insert (cs->records, &rs->ref, rs);
    }
  return rs;
}

/* *slot becomes c if c comes before it (or it is empty). */
static gboolean
keep_earliest (VpChange **slot,
               VpChange  *c)
{
  if (*slot != NULL && vp_change_compare (c, *slot) >= 0)
    return FALSE;
  g_clear_pointer (slot, vp_change_unref);
  *slot = vp_change_ref (c);
  return TRUE;
}

/* The latest per key; the key points into the change, which stays. */
static gboolean
keep_latest (GHashTable    *winners,
             gconstpointer  key,
             VpChange      *c)
{
  VpChange *old = g_hash_table_lookup (winners, key);

  if (old != NULL && vp_change_compare (c, old) <= 0)
    return FALSE;
  g_hash_table_replace (winners, (gpointer) key, vp_change_ref (c));
  return TRUE;
}

/* Into its place in the total order, once. */
static gboolean
insert_sorted (GPtrArray *list,
               VpChange  *c)
{
  guint lo = 0, hi = list->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      int cmp = vp_change_compare (g_ptr_array_index (list, mid), c);

      if (cmp == 0)
        return FALSE;
      if (cmp < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_ptr_array_insert (list, (gint) lo, vp_change_ref (c));
  return TRUE;
}

static gboolean
add_set (RecordState *rs,
         VpChange    *c)
{
  GHashTable *by_device;

  if (rs->deleted != NULL)
    return FALSE;
  if (!vp_record_field_is_leader_only (rs->ref.kind, c->field))
    return keep_latest (rs->fields, c->field, c);
  /* Rule 5, first half: a coach's change to these fields never counts.
   * The second half (the device's role) is the roster's, at view time. */
  if (c->role != VP_TEAM_ROLE_TEAM_LEADER)
    return FALSE;
  by_device = g_hash_table_lookup (rs->leader, c->field);
  if (by_device == NULL)
    {
      by_device = winners_new (vp_uid_hash, vp_uid_equal);
      g_hash_table_insert (rs->leader, g_strdup (c->field), by_device);
    }
  return keep_latest (by_device, &c->hlc.device, c);
}

static gboolean
add_one (VpMerge  *merge,
         VpChange *c)
{
  ClientState *cs = client_state (merge, &c->record.client);
  RecordState *rs;
  gboolean changed;

  if (cs->erased != NULL || c->op == VP_CHANGE_ERASE_CLIENT)
    {
      /* Rule 2: from the first erasure on, only the earliest one counts. */
      if (c->op != VP_CHANGE_ERASE_CLIENT || !keep_earliest (&cs->erased, c))
        return FALSE;
      client_state_clear (cs);
      return TRUE;
    }

  rs = record_state (cs, &c->record);
  /* Only records bound as a whole need their first change. */
  changed = vp_record_kind_consent (rs->ref.kind) != VP_CONSENT_NONE && keep_earliest (&rs->first, c);
  switch (c->op)
    {
    case VP_CHANGE_SET:
      changed |= add_set (rs, c);
      break;
    case VP_CHANGE_DELETE_RECORD:
      if (keep_earliest (&rs->deleted, c))
        {
          /* Rule 3: nothing of it will be shown again. */
          g_hash_table_remove_all (rs->fields);
          g_hash_table_remove_all (rs->leader);
          changed = TRUE;
        }
      break;
    case VP_CHANGE_CONSENT_GIVEN:
      changed |= keep_earliest (&rs->give, c);
      changed |= insert_sorted (cs->gives[op_category (c)], c);
      break;
    case VP_CHANGE_CONSENT_WITHDRAWN:
      changed |= insert_sorted (cs->withdrawals[op_category (c)], c);
      break;
    default:
      g_assert_not_reached ();
    }
  return changed;
}

guint
vp_merge_add (VpMerge          *merge,
              VpChange * const *changes,
              guint             n_changes,
              GHashTable       *touched)
{
  guint n = 0;

  g_return_val_if_fail (merge != NULL, 0);

  for (guint i = 0; i < n_changes; i++)
    if (add_one (merge, changes[i]))
      {
        n++;
        if (touched != NULL && !g_hash_table_contains (touched, &changes[i]->record.client))
          g_hash_table_add (touched, vp_uid_dup (&changes[i]->record.client));
      }
  return n;
}

/* Rule 4 kept small: per category, the earliest give after the latest
 * withdrawal; a bound value is shown if it came after that give. */
typedef struct {
  const VpChange *standing[VP_N_CONSENT_CATEGORIES];
} ConsentSummary;

static void
summarise_consent (const ClientState *cs,
                   ConsentSummary    *summary)
{
  for (guint cat = 0; cat < VP_N_CONSENT_CATEGORIES; cat++)
    {
      GPtrArray *gives = cs->gives[cat], *withdrawals = cs->withdrawals[cat];
      const VpChange *last = withdrawals->len > 0 ? g_ptr_array_index (withdrawals, withdrawals->len - 1) : NULL;

      summary->standing[cat] = NULL;
      for (guint i = 0; i < gives->len && summary->standing[cat] == NULL; i++)
        if (last == NULL || vp_change_compare (g_ptr_array_index (gives, i), last) > 0)
          summary->standing[cat] = g_ptr_array_index (gives, i);
    }
}

static gboolean
consent_ok (const ConsentSummary *summary,
            VpConsentCategory     category,
            const VpChange       *h)
{
  return summary->standing[category] != NULL && vp_change_compare (summary->standing[category], h) < 0;
}

static gboolean
record_shown (const ClientState    *cs,
              const RecordState    *rs,
              const ConsentSummary *summary)
{
  VpConsentCategory category = vp_record_kind_consent (rs->ref.kind);

  if (category != VP_CONSENT_NONE && !consent_ok (summary, category, rs->first))
    return FALSE;
  if (rs->ref.kind == VP_RECORD_FEEDBACK)
    {
      VpRecordRef referral = { VP_RECORD_REFERRAL, rs->ref.parent, rs->ref.client, { { 0 } } };
      const RecordState *parent = g_hash_table_lookup (cs->records, &referral);

      if (parent != NULL && (parent->deleted != NULL || !record_shown (cs, parent, summary)))
        return FALSE;
    }
  return TRUE;
}

static GHashTable *
record_fields (const ClientState    *cs,
               const RecordState    *rs,
               const ConsentSummary *summary,
               const VpTeamRoster   *roster)
{
  GHashTable *fields = fields_new ();
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, rs->fields);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      VpConsentCategory category = vp_record_field_consent (rs->ref.kind, key);
      const VpChange *c = value;

      if (category == VP_CONSENT_NONE || consent_ok (summary, category, c))
        fields_set (fields, key, c->value);
    }

  g_hash_table_iter_init (&iter, rs->leader);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const VpChange *best = NULL;
      GHashTableIter di;
      gpointer device, c;

      g_hash_table_iter_init (&di, value);
      while (g_hash_table_iter_next (&di, &device, &c))
        if (leader_may (c, roster) && (best == NULL || vp_change_compare (c, best) > 0))
          best = c;
      if (best != NULL)
        fields_set (fields, key, best->value);
    }

  if (rs->give != NULL)
    {
      GPtrArray *withdrawals = cs->withdrawals[op_category (rs->give)];

      fields_set (fields, "category", rs->give->field);
      fields_set (fields, "given_at", rs->give->value);
      for (guint i = 0; i < withdrawals->len; i++)
        if (vp_change_compare (g_ptr_array_index (withdrawals, i), rs->give) > 0)
          {
            fields_set (fields, "withdrawn_at", ((VpChange *) g_ptr_array_index (withdrawals, i))->value);
            break;
          }
    }
  return fields;
}

static void
client_view (VpMergeView        *view,
             const ClientState  *cs,
             const VpTeamRoster *roster)
{
  ConsentSummary summary;
  GHashTableIter iter;
  gpointer value;

  if (cs->erased != NULL)
    {
      view_add_erased (view, &cs->client, &cs->erased->hlc);
      return;
    }
  summarise_consent (cs, &summary);
  g_hash_table_iter_init (&iter, cs->records);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const RecordState *rs = value;

      if (rs->deleted != NULL)
        view_add_deleted (view, &rs->ref, &rs->deleted->hlc);
      else if (record_shown (cs, rs, &summary))
        view_add_record (view, &rs->ref, record_fields (cs, rs, &summary, roster));
    }
}

VpMergeView *
vp_merge_build_view (VpMerge            *merge,
                     const VpTeamRoster *roster,
                     const VpUid        *client)
{
  VpMergeView *view = view_new ();

  g_return_val_if_fail (merge != NULL, NULL);

  if (client != NULL)
    {
      const ClientState *cs = g_hash_table_lookup (merge->clients, client);

      if (cs != NULL)
        client_view (view, cs, roster);
    }
  else
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, merge->clients);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        client_view (view, value, roster);
    }
  return view;
}
