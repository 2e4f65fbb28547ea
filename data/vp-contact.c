/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <string.h>

#include "vp-categories.h"
#include "vp-contact.h"
#include "vp-store-private.h"

/* A read-only view of one contact, for lists. */
struct _VpContact
{
  GObject  parent_instance;

  gint64   id;
  gint64   client_id;
  char    *client_label;
  char    *kind;
  char    *location_type;
  char    *initiated_by;
  char    *occurred_at;
};

G_DEFINE_FINAL_TYPE (VpContact, vp_contact, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CLIENT_LABEL,
  PROP_KIND_LABEL,
  PROP_LOCATION_LABEL,
  PROP_INITIATED_BY_LABEL,
  PROP_TIME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vp_contact_finalize (GObject *object)
{
  VpContact *self = VP_CONTACT (object);

  g_free (self->client_label);
  g_free (self->kind);
  g_free (self->location_type);
  g_free (self->initiated_by);
  g_free (self->occurred_at);

  G_OBJECT_CLASS (vp_contact_parent_class)->finalize (object);
}

static void
vp_contact_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  VpContact *self = VP_CONTACT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_CLIENT_LABEL:
      g_value_set_string (value, self->client_label);
      break;
    case PROP_KIND_LABEL:
      g_value_set_string (value, vp_category_label (VP_CATEGORY_CONTACT_KIND, self->kind));
      break;
    case PROP_LOCATION_LABEL:
      g_value_set_string (value, vp_category_label (VP_CATEGORY_LOCATION_TYPE, self->location_type));
      break;
    case PROP_INITIATED_BY_LABEL:
      g_value_set_string (value, vp_category_label (VP_CATEGORY_INITIATED_BY, self->initiated_by));
      break;
    case PROP_TIME:
      /* occurred_at is YYYY-MM-DDTHH:MM:SS; the list shows HH:MM. */
      g_value_take_string (value, g_strndup (self->occurred_at + MIN (strlen (self->occurred_at), 11), 5));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vp_contact_class_init (VpContactClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vp_contact_finalize;
  object_class->get_property = vp_contact_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLIENT_LABEL] =
    g_param_spec_string ("client-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND_LABEL] =
    g_param_spec_string ("kind-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCATION_LABEL] =
    g_param_spec_string ("location-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INITIATED_BY_LABEL] =
    g_param_spec_string ("initiated-by-label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME] =
    g_param_spec_string ("time", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vp_contact_init (VpContact *self)
{
}

gint64
vp_contact_get_id (VpContact *self)
{
  g_return_val_if_fail (VP_IS_CONTACT (self), 0);
  return self->id;
}

gint64
vp_contact_get_client_id (VpContact *self)
{
  g_return_val_if_fail (VP_IS_CONTACT (self), 0);
  return self->client_id;
}

const char *
vp_contact_get_client_label (VpContact *self)
{
  g_return_val_if_fail (VP_IS_CONTACT (self), NULL);
  return self->client_label;
}

const char *
vp_contact_get_kind (VpContact *self)
{
  g_return_val_if_fail (VP_IS_CONTACT (self), NULL);
  return self->kind;
}

const char *
vp_contact_get_location_type (VpContact *self)
{
  g_return_val_if_fail (VP_IS_CONTACT (self), NULL);
  return self->location_type;
}

const char *
vp_contact_get_initiated_by (VpContact *self)
{
  g_return_val_if_fail (VP_IS_CONTACT (self), NULL);
  return self->initiated_by;
}

const char *
vp_contact_get_occurred_at (VpContact *self)
{
  g_return_val_if_fail (VP_IS_CONTACT (self), NULL);
  return self->occurred_at;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);
  return g_strdup (text != NULL ? (const char *) text : "");
}

static GListModel *
list_contacts (VpStore     *store,
               const char  *where,
               void       (*bind) (sqlite3_stmt *, gconstpointer),
               gconstpointer data,
               GError     **error)
{
  g_autoptr(GListStore) list = g_list_store_new (VP_TYPE_CONTACT);
  g_autofree char *sql = g_strdup_printf ("SELECT c.id, c.client_id, cl.label, c.kind, c.location_type,"
                                          "       c.initiated_by, c.occurred_at"
                                          " FROM contact c JOIN client cl ON cl.id = c.client_id"
                                          " WHERE %s ORDER BY c.occurred_at DESC, c.id DESC", where);
  sqlite3 *db = vp_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (db == NULL)
    {
      g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_LOCKED,
                           g_dgettext (GETTEXT_PACKAGE, "The store is locked"));
      return NULL;
    }

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      bind (stmt, data);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          g_autoptr(VpContact) contact = g_object_new (VP_TYPE_CONTACT, NULL);

          contact->id = sqlite3_column_int64 (stmt, 0);
          contact->client_id = sqlite3_column_int64 (stmt, 1);
          contact->client_label = column_dup (stmt, 2);
          contact->kind = column_dup (stmt, 3);
          contact->location_type = column_dup (stmt, 4);
          contact->initiated_by = column_dup (stmt, 5);
          contact->occurred_at = column_dup (stmt, 6);
          g_list_store_append (list, contact);
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  return G_LIST_MODEL (g_steal_pointer (&list));
}

static void
bind_day (sqlite3_stmt  *stmt,
          gconstpointer  data)
{
  sqlite3_bind_text (stmt, 1, data, -1, SQLITE_TRANSIENT);
}

static void
bind_client (sqlite3_stmt  *stmt,
             gconstpointer  data)
{
  sqlite3_bind_int64 (stmt, 1, *(const gint64 *) data);
}

/* Newest first, as a coach scanning today's work expects. */
GListModel *
vp_store_list_contacts_on (VpStore  *store,
                           GDate    *day,
                           GError  **error)
{
  char prefix[16];

  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  g_return_val_if_fail (day != NULL && g_date_valid (day), NULL);

  g_snprintf (prefix, sizeof prefix, "%04u-%02u-%02uT",
              g_date_get_year (day), g_date_get_month (day), g_date_get_day (day));
  return list_contacts (store, "c.occurred_at >= ?1 AND c.occurred_at < ?1 || 'Z'", bind_day, prefix, error);
}

/* One client's history, newest first. */
GListModel *
vp_store_list_client_contacts (VpStore  *store,
                               gint64    client_id,
                               GError  **error)
{
  g_return_val_if_fail (VP_IS_STORE (store), NULL);
  return list_contacts (store, "c.client_id = ?1", bind_client, &client_id, error);
}
