/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "vp-ui"

#include "config.h"

#include <glib/gi18n.h>

#include "vp-audit.h"
#include "vp-client.h"
#include "vp-client-page.h"
#include "vp-clients-page.h"

/* Finding a returning client: results as you type, over a paged model so
 * that a large caseload scrolls smoothly; a row opens the client's page. */
struct _VpClientsPage
{
  GtkWidget       parent_instance;

  GtkStack       *stack;
  GtkSearchEntry *search_entry;
  GtkListView    *list_view;
  VpClientPage   *client_page;

  VpStore        *store;
  VpClientList   *clients;
};

G_DEFINE_FINAL_TYPE (VpClientsPage, vp_clients_page, GTK_TYPE_WIDGET)

enum {
  FOLLOW_UP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
run_query (VpClientsPage *self)
{
  g_autoptr(GError) error = NULL;
  const char *query = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (self->clients == NULL)
    return;
  if (!vp_client_list_set_query (self->clients, query, &error))
    g_warning ("Client search failed: %s", error->message);
  else if (*query != '\0')
    vp_audit_append_detail (self->store, "search", "client", 0, vp_client_query_kind (query), "ok", NULL);
}

static void
on_search_changed (VpClientsPage *self)
{
  run_query (self);
}

void
vp_clients_page_show_client (VpClientsPage *self,
                             gint64         client_id)
{
  g_return_if_fail (VP_IS_CLIENTS_PAGE (self));

  vp_client_page_show (self->client_page, self->store, client_id);
  gtk_stack_set_visible_child_name (self->stack, "client");
  gtk_widget_grab_focus (GTK_WIDGET (self->client_page));
}

static void
on_row_activated (VpClientsPage *self,
                  guint          position)
{
  g_autoptr(VpClient) client = g_list_model_get_item (G_LIST_MODEL (self->clients), position);

  if (client != NULL)
    vp_clients_page_show_client (self, vp_client_get_id (client));
}

/* Enter in the search field opens the first match. */
static void
on_search_activate (VpClientsPage *self)
{
  if (self->clients != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->clients)) > 0)
    on_row_activated (self, 0);
}

static void
close_client (VpClientsPage *self)
{
  vp_client_page_clear (self->client_page);
  gtk_stack_set_visible_child_name (self->stack, "list");
  run_query (self);
}

static void
on_client_closed (VpClientsPage *self)
{
  close_client (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* The client view closes first, without taking focus: the follow-up form
 * that opens next takes it, and the next keystroke belongs there. */
static void
on_follow_up (VpClientsPage *self,
              gint64         client_id,
              const char    *label)
{
  g_autofree char *copy = g_strdup (label);

  close_client (self);
  g_signal_emit (self, signals[FOLLOW_UP], 0, client_id, copy);
}

/* Focus goes where a coach types next: the search field, or the open
 * client's page. */
static gboolean
vp_clients_page_grab_focus (GtkWidget *widget)
{
  VpClientsPage *self = VP_CLIENTS_PAGE (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "client") == 0)
    return gtk_widget_child_focus (GTK_WIDGET (self->client_page), GTK_DIR_TAB_FORWARD);
  return gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* Ctrl+F: the search field, with what it holds selected so that typing
 * replaces it. */
void
vp_clients_page_focus_search (VpClientsPage *self)
{
  g_return_if_fail (VP_IS_CLIENTS_PAGE (self));

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "client") == 0)
    on_client_closed (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
vp_clients_page_dispose (GObject *object)
{
  VpClientsPage *self = VP_CLIENTS_PAGE (object);

  g_clear_object (&self->store);
  g_clear_object (&self->clients);
  gtk_widget_dispose_template (GTK_WIDGET (object), VP_TYPE_CLIENTS_PAGE);
  G_OBJECT_CLASS (vp_clients_page_parent_class)->dispose (object);
}

static void
vp_clients_page_class_init (VpClientsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = vp_clients_page_dispose;
  widget_class->grab_focus = vp_clients_page_grab_focus;

  signals[FOLLOW_UP] = g_signal_new ("follow-up", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);

  g_type_ensure (VP_TYPE_CLIENT);
  g_type_ensure (VP_TYPE_CLIENT_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vindplaats/Vindplaats/vp-clients-page.ui");
  gtk_widget_class_bind_template_child (widget_class, VpClientsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, VpClientsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, VpClientsPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, VpClientsPage, client_page);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_client_closed);
  gtk_widget_class_bind_template_callback (widget_class, on_follow_up);
}

static void
vp_clients_page_init (VpClientsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

void
vp_clients_page_set_store (VpClientsPage *self,
                           VpStore       *store)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (VP_IS_CLIENTS_PAGE (self));

  g_set_object (&self->store, store);
  g_clear_object (&self->clients);
  vp_client_page_clear (self->client_page);
  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");

  if (store != NULL)
    {
      self->clients = vp_client_list_new (store);
      run_query (self);
      selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->clients)));
    }
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
}

void
vp_clients_page_set_query (VpClientsPage *self,
                           const char    *query)
{
  g_return_if_fail (VP_IS_CLIENTS_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), query);
  run_query (self);
}
