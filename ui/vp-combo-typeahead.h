/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void vp_combo_typeahead_attach (AdwComboRow *row);

G_END_DECLS
