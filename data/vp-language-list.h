/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Languages by ISO 639-3 code, the ones most spoken by residents with a
 * migration background in the Netherlands first. */
typedef struct {
  const char *code;
  const char *name; /* untranslated; vp_language_name() translates */
} VpLanguage;

const VpLanguage *vp_languages          (guint        *n_languages);
const char       *vp_language_name      (const char   *code);
gboolean          vp_is_language_code   (const char   *code);

G_END_DECLS
