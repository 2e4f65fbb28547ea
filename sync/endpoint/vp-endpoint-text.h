/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "vp-categories.h"

G_BEGIN_DECLS

/* The overview speaks Dutch or English per request. English is the source
 * text; Dutch comes from the gettext catalogue, which the server reads with
 * LANGUAGE=nl (vp_text_init()). */
typedef enum {
  VP_LANG_NL,
  VP_LANG_EN,
} VpLang;

void        vp_text_init          (void);
VpLang      vp_lang_from_code     (const char *code);
const char *vp_lang_code          (VpLang      lang);
const char *vp_text               (VpLang      lang,
                                   const char *msgid) G_GNUC_FORMAT (2);
const char *vp_ntext              (VpLang      lang,
                                   const char *singular,
                                   const char *plural,
                                   gulong      n) G_GNUC_FORMAT (3);
const char *vp_text_category      (VpLang      lang,
                                   int         category,
                                   const char *code);
char       *vp_text_month         (VpLang      lang,
                                   const char *period);
const char *vp_text_month_short   (VpLang      lang,
                                   const char *period);
const char *vp_text_dimension     (VpLang      lang,
                                   const char *dimension);
const char *vp_text_table         (VpLang      lang,
                                   const char *table);
char       *vp_text_number        (VpLang      lang,
                                   gint64      n);
char       *vp_text_percent       (VpLang      lang,
                                   double      fraction);

G_END_DECLS
