/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "vp-store.h"

G_BEGIN_DECLS

#define VP_TYPE_CONTACT_FORM (vp_contact_form_get_type ())
G_DECLARE_FINAL_TYPE (VpContactForm, vp_contact_form, VP, CONTACT_FORM, AdwBin)

void     vp_contact_form_set_store (VpContactForm *self,
                                    VpStore       *store);
gboolean vp_contact_form_has_input (VpContactForm *self);
void     vp_contact_form_refresh_locations (VpContactForm *self);
void     vp_contact_form_set_client (VpContactForm *self,
                                     gint64         client_id,
                                     const char    *label);

G_END_DECLS
