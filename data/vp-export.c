/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-data"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "vp-audit.h"
#include "vp-categories.h"
#include "vp-client.h"
#include "vp-consent.h"
#include "vp-export.h"
#include "vp-store-private.h"

/* The client's right of access: everything stored about one client, as
 * readable text and as JSON. The caller writes it where the client asked,
 * after warning that the file is not encrypted; the export is audited. */

static void
add_string (JsonBuilder *b,
            const char  *key,
            const char  *value)
{
  json_builder_set_member_name (b, key);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
export_consents (VpStore     *store,
                 gint64       client_id,
                 JsonBuilder *b,
                 GString     *text)
{
  g_autoptr(GPtrArray) consents = vp_store_list_consents (store, client_id, NULL);

  g_string_append_printf (text, "\n%s\n", _("Consent"));
  json_builder_set_member_name (b, "consents");
  json_builder_begin_array (b);
  for (guint i = 0; consents != NULL && i < consents->len; i++)
    {
      VpConsent *c = g_ptr_array_index (consents, i);

      json_builder_begin_object (b);
      add_string (b, "category", c->category);
      add_string (b, "given_at", c->given_at);
      add_string (b, "method", c->method);
      add_string (b, "explanation_language", c->explanation_language);
      add_string (b, "text_version", c->text_version);
      add_string (b, "withdrawn_at", c->withdrawn_at);
      json_builder_end_object (b);

      g_string_append_printf (text, _("- %s: given %s (%s, explained in %s, text %s)"),
                              c->category, c->given_at, c->method, c->explanation_language, c->text_version);
      if (c->withdrawn_at != NULL)
        g_string_append_printf (text, _(", withdrawn %s"), c->withdrawn_at);
      g_string_append_c (text, '\n');
    }
  json_builder_end_array (b);
}

static void
export_language (VpStore     *store,
                 gint64       client_id,
                 JsonBuilder *b,
                 GString     *text)
{
  sqlite3_stmt *stmt = NULL;

  json_builder_set_member_name (b, "language_needs");
  if (sqlite3_prepare_v2 (vp_store_get_db (store),
                          "SELECT dutch_proficiency, preferred_languages FROM language_need WHERE client_id = ?",
                          -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *level = (const char *) sqlite3_column_text (stmt, 0);
          const char *languages = (const char *) sqlite3_column_text (stmt, 1);

          json_builder_begin_object (b);
          add_string (b, "dutch_proficiency", level);
          add_string (b, "preferred_languages", languages);
          json_builder_end_object (b);
          g_string_append_printf (text, "\n%s\n- %s: %s\n", _("Language needs"), _("Dutch proficiency"),
                                  vp_category_label (VP_CATEGORY_DUTCH_PROFICIENCY, level));
          if (languages != NULL)
            g_string_append_printf (text, "- %s: %s\n", _("Preferred languages"), languages);
          sqlite3_finalize (stmt);
          return;
        }
    }
  sqlite3_finalize (stmt);
  json_builder_add_null_value (b);
}

static void
export_contacts (VpStore     *store,
                 gint64       client_id,
                 JsonBuilder *b,
                 GString     *text)
{
  sqlite3_stmt *stmt = NULL;

  g_string_append_printf (text, "\n%s\n", _("Contacts"));
  json_builder_set_member_name (b, "contacts");
  json_builder_begin_array (b);
  if (sqlite3_prepare_v2 (vp_store_get_db (store),
                          "SELECT c.occurred_at, c.kind, c.location_type, l.name, c.initiated_by, c.stage,"
                          "       c.interpreter, c.notes, c.dutch_proficiency, c.language, c.entered_at"
                          " FROM contact c LEFT JOIN location l ON l.id = c.location_id"
                          " WHERE c.client_id = ? ORDER BY c.occurred_at", -1, &stmt, NULL) == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, client_id);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          /* Everything kept with the contact, the language values recorded
           * with it (consent-bound) and when it was entered included. */
          static const char *keys[] = { "occurred_at", "kind", "location_type", "location",
                                        "initiated_by", "stage", "interpreter", "notes",
                                        "dutch_proficiency", "language", "entered_at" };

          json_builder_begin_object (b);
          for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
            add_string (b, keys[k], (const char *) sqlite3_column_text (stmt, (int) k));
          json_builder_end_object (b);

          g_string_append_printf (text, "- %s, %s, %s",
                                  (const char *) sqlite3_column_text (stmt, 0),
                                  vp_category_label (VP_CATEGORY_CONTACT_KIND, (const char *) sqlite3_column_text (stmt, 1)),
                                  vp_category_label (VP_CATEGORY_LOCATION_TYPE, (const char *) sqlite3_column_text (stmt, 2)));
          if (sqlite3_column_text (stmt, 7) != NULL)
            g_string_append_printf (text, ": %s", (const char *) sqlite3_column_text (stmt, 7));
          g_string_append_c (text, '\n');
        }
    }
  sqlite3_finalize (stmt);
  json_builder_end_array (b);
}

gboolean
vp_store_export_client (VpStore  *store,
                        gint64    client_id,
                        char    **text,
                        char    **json,
                        GError  **error)
{
  g_autoptr(VpClient) client = vp_store_get_client (store, client_id, error);
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GString) out = NULL;
  g_autofree char *year = NULL;

  g_return_val_if_fail (VP_IS_STORE (store), FALSE);

  if (client == NULL)
    return FALSE;

  b = json_builder_new ();
  out = g_string_new (NULL);
  year = vp_client_get_birth_year (client) > 0 ? g_strdup_printf ("%d", vp_client_get_birth_year (client)) : NULL;

  g_string_append_printf (out, _("Data held about client “%s”\n"), vp_client_get_label (client));
  g_string_append_printf (out, "- %s: %s\n", _("Birth year"), year != NULL ? year : "—");
  g_string_append_printf (out, "- %s: %s\n", _("Phone"),
                          vp_client_get_phone (client) != NULL ? vp_client_get_phone (client) : "—");

  json_builder_begin_object (b);
  add_string (b, "label", vp_client_get_label (client));
  json_builder_set_member_name (b, "birth_year");
  if (year != NULL)
    json_builder_add_int_value (b, vp_client_get_birth_year (client));
  else
    json_builder_add_null_value (b);
  add_string (b, "phone", vp_client_get_phone (client));
  export_consents (store, client_id, b, out);
  export_language (store, client_id, b, out);
  export_contacts (store, client_id, b, out);
  json_builder_end_object (b);

  if (!vp_audit_append (store, "export", "client", client_id, "ok", error))
    return FALSE;

  root = json_builder_get_root (b);
  gen = json_generator_new ();
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_root (gen, root);
  if (json != NULL)
    *json = json_generator_to_data (gen, NULL);
  if (text != NULL)
    *text = g_string_free (g_steal_pointer (&out), FALSE);
  return TRUE;
}
