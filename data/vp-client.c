/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "vp-client.h"
#include "vp-store-private.h"

struct _VpClient
{
  GObject  parent_instance;

  gint64   id;
  char    *label;
  int      birth_year;
  char    *phone;
};

G_DEFINE_FINAL_TYPE (VpClient, vp_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_LABEL,
  PROP_BIRTH_YEAR,
  PROP_PHONE,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vp_client_finalize (GObject *object)
{
  VpClient *self = VP_CLIENT (object);

  g_free (self->label);
  g_free (self->phone);
  G_OBJECT_CLASS (vp_client_parent_class)->finalize (object);
}

static void
vp_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  VpClient *self = VP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    case PROP_BIRTH_YEAR:
      g_value_set_int (value, self->birth_year);
      break;
    case PROP_PHONE:
      g_value_set_string (value, self->phone);
      break;
    case PROP_SUMMARY:
      /* Birth year and phone, for a list row. */
      if (self->birth_year > 0 && self->phone != NULL)
        g_value_take_string (value, g_strdup_printf ("%d · %s", self->birth_year, self->phone));
      else if (self->birth_year > 0)
        g_value_take_string (value, g_strdup_printf ("%d", self->birth_year));
      else
        g_value_set_string (value, self->phone != NULL ? self->phone : "—");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vp_client_class_init (VpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vp_client_finalize;
  object_class->get_property = vp_client_get_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BIRTH_YEAR] = g_param_spec_int ("birth-year", NULL, NULL, 0, 9999, 0,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PHONE] = g_param_spec_string ("phone", NULL, NULL, NULL,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vp_client_init (VpClient *self)
{
}

gint64
vp_client_get_id (VpClient *self)
{
  g_return_val_if_fail (VP_IS_CLIENT (self), 0);
  return self->id;
}

const char *
vp_client_get_label (VpClient *self)
{
  g_return_val_if_fail (VP_IS_CLIENT (self), NULL);
  return self->label;
}

int
vp_client_get_birth_year (VpClient *self)
{
  g_return_val_if_fail (VP_IS_CLIENT (self), 0);
  return self->birth_year;
}

const char *
vp_client_get_phone (VpClient *self)
{
  g_return_val_if_fail (VP_IS_CLIENT (self), NULL);
  return self->phone;
}

#define CLIENT_COLUMNS "id, label, birth_year, phone"

static VpClient *
client_from_row (sqlite3_stmt *stmt)
{
  VpClient *client = g_object_new (VP_TYPE_CLIENT, NULL);
  const unsigned char *phone = sqlite3_column_text (stmt, 3);

  client->id = sqlite3_column_int64 (stmt, 0);
  client->label = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  client->birth_year = sqlite3_column_int (stmt, 2);
  client->phone = phone != NULL ? g_strdup ((const char *) phone) : NULL;
  return client;
}

VpClient *
vp_store_get_client (VpStore  *store,
                     gint64    id,
                     GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  VpClient *client = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  rc = sqlite3_prepare_v2 (vp_store_get_db (store), "SELECT " CLIENT_COLUMNS " FROM client WHERE id = ?",
                           -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        client = client_from_row (stmt);
    }
  sqlite3_finalize (stmt);
  if (client == NULL && (rc == SQLITE_DONE || rc == SQLITE_ROW))
    g_set_error_literal (error, VP_STORE_ERROR, VP_STORE_ERROR_NOT_FOUND, _("There is no such client"));
  else if (client == NULL)
    vp_store_set_sqlite_error (store, rc, error);
  return client;
}

/* Each word of the query must begin a word of the label or phone number,
 * in any script; quotes keep FTS5 syntax out of what people type. */
static char *
fts_query (const char *query)
{
  g_auto(GStrv) words = g_strsplit_set (query, " \t-.,;:/()", -1);
  GString *match = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autoptr(GString) word = NULL;

      if (*words[i] == '\0')
        continue;
      word = g_string_new (words[i]);
      g_string_replace (word, "\"", "\"\"", 0);
      if (match->len > 0)
        g_string_append (match, " AND ");
      g_string_append_printf (match, "\"%s\"*", word->str);
    }
  return g_string_free (match, match->len == 0);
}

/* "06 12-34 56 78" and "+31 6..." are looked up by their digits alone. */
static char *
phone_digits (const char *text)
{
  GString *digits = g_string_new (NULL);
  guint others = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (strchr (" -()+.", *p) == NULL)
        others++;
    }
  if (others > 0 || digits->len < 5)
    return g_string_free (digits, TRUE);
  return g_string_free (digits, FALSE);
}

static gboolean
is_year (const char *text)
{
  if (strlen (text) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* What a query looks up, as the search below reads it: "phone" (digits
 * only), "birth_year" (four digits, which may also begin a label or a
 * phone number) or "label"; NULL for an empty query. The audit log
 * records this, never the text (#15). */
const char *
vp_client_query_kind (const char *query)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (query != NULL ? query : ""));
  g_autofree char *phone = phone_digits (trimmed);

  if (*trimmed == '\0')
    return NULL;
  if (phone != NULL)
    return "phone";
  return is_year (trimmed) ? "birth_year" : "label";
}

/* The ids of the clients matching a label, phone number or birth year,
 * newest client first. An empty query matches everyone. */
GArray *
vp_store_search_clients (VpStore     *store,
                         const char  *query,
                         GError     **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *trimmed = g_strstrip (g_strdup (query != NULL ? query : ""));
  g_autofree char *phone = phone_digits (trimmed);
  g_autofree char *match = fts_query (phone != NULL ? phone : trimmed);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  if (match == NULL)
    rc = sqlite3_prepare_v2 (vp_store_get_db (store), "SELECT id FROM client ORDER BY id DESC",
                             -1, &stmt, NULL);
  else
    rc = sqlite3_prepare_v2 (vp_store_get_db (store),
                             "SELECT rowid FROM client_fts WHERE client_fts MATCH ?1"
                             " UNION SELECT id FROM client WHERE ?2 > 0 AND birth_year = ?2"
                             " ORDER BY 1 DESC", -1, &stmt, NULL);
  if (rc == SQLITE_OK && match != NULL)
    {
      sqlite3_bind_text (stmt, 1, match, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 2, is_year (trimmed) ? atoi (trimmed) : 0);
    }
  if (rc == SQLITE_OK)
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0);
        g_array_append_val (ids, id);
      }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      vp_store_set_sqlite_error (store, rc, error);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

struct _VpClientList
{
  GObject     parent_instance;

  VpStore    *store;
  GArray     *ids;
  GHashTable *pages; /* page number -> GPtrArray of VpClient */
};

#define PAGE_SIZE 100
#define MAX_CACHED_PAGES 50

static void vp_client_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VpClientList, vp_client_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, vp_client_list_model_init))

static GType
vp_client_list_get_item_type (GListModel *model)
{
  return VP_TYPE_CLIENT;
}

static guint
vp_client_list_get_n_items (GListModel *model)
{
  return VP_CLIENT_LIST (model)->ids->len;
}

/* One query for a page of rows; rows come back in id order and are put in
 * the list's order here. */
static GPtrArray *
load_page (VpClientList *self,
           guint         page)
{
  GPtrArray *clients = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, g_object_unref);
  guint start = page * PAGE_SIZE;
  guint end = MIN (start + PAGE_SIZE, self->ids->len);
  GString *sql = g_string_new ("SELECT " CLIENT_COLUMNS " FROM client WHERE id IN (");
  sqlite3_stmt *stmt = NULL;

  for (guint i = start; i < end; i++)
    g_string_append_printf (sql, "%s%" G_GINT64_FORMAT, i > start ? "," : "", g_array_index (self->ids, gint64, i));
  g_string_append (sql, ")");

  if (vp_store_is_open (self->store) &&
      sqlite3_prepare_v2 (vp_store_get_db (self->store), sql->str, -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        VpClient *client = client_from_row (stmt);
        g_hash_table_insert (by_id, &client->id, client);
      }
  sqlite3_finalize (stmt);
  g_string_free (sql, TRUE);

  for (guint i = start; i < end; i++)
    {
      VpClient *client = g_hash_table_lookup (by_id, &g_array_index (self->ids, gint64, i));

      /* A client erased since the search still takes its place. */
      if (client == NULL)
        {
          client = g_object_new (VP_TYPE_CLIENT, NULL);
          client->id = g_array_index (self->ids, gint64, i);
          client->label = g_strdup ("");
          g_hash_table_insert (by_id, &client->id, client);
        }
      g_ptr_array_add (clients, g_object_ref (client));
    }
  return clients;
}

static gpointer
vp_client_list_get_item (GListModel *model,
                         guint       position)
{
  VpClientList *self = VP_CLIENT_LIST (model);
  guint page = position / PAGE_SIZE;
  GPtrArray *clients;

  if (position >= self->ids->len)
    return NULL;
  clients = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (clients == NULL)
    {
      if (g_hash_table_size (self->pages) >= MAX_CACHED_PAGES)
        g_hash_table_remove_all (self->pages);
      clients = load_page (self, page);
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), clients);
    }
  return g_object_ref (g_ptr_array_index (clients, position % PAGE_SIZE));
}

static void
vp_client_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = vp_client_list_get_item_type;
  iface->get_n_items = vp_client_list_get_n_items;
  iface->get_item = vp_client_list_get_item;
}

static void
vp_client_list_finalize (GObject *object)
{
  VpClientList *self = VP_CLIENT_LIST (object);

  g_clear_object (&self->store);
  g_array_unref (self->ids);
  g_hash_table_unref (self->pages);
  G_OBJECT_CLASS (vp_client_list_parent_class)->finalize (object);
}

static void
vp_client_list_class_init (VpClientListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vp_client_list_finalize;
}

static void
vp_client_list_init (VpClientList *self)
{
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->pages = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) g_ptr_array_unref);
}

VpClientList *
vp_client_list_new (VpStore *store)
{
  VpClientList *self;

  g_return_val_if_fail (VP_IS_STORE (store), NULL);

  self = g_object_new (VP_TYPE_CLIENT_LIST, NULL);
  self->store = g_object_ref (store);
  return self;
}

gboolean
vp_client_list_set_query (VpClientList  *self,
                          const char    *query,
                          GError       **error)
{
  GArray *ids;
  guint removed;

  g_return_val_if_fail (VP_IS_CLIENT_LIST (self), FALSE);

  ids = vp_store_search_clients (self->store, query, error);
  if (ids == NULL)
    return FALSE;
  removed = self->ids->len;
  g_array_unref (self->ids);
  self->ids = ids;
  g_hash_table_remove_all (self->pages);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, ids->len);
  return TRUE;
}
