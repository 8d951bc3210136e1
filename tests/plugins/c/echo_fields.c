/*
 * echo-fields: a C plugin that returns the record's text as its fields JSON,
 * byte for byte, so the end-to-end tests decide exactly what a plugin's output
 * is, valid JSON or not. The Rust export macro only ever writes valid JSON;
 * a plugin in another language may not, and the daemon must catch it.
 */
#include <stdlib.h>
#include <string.h>

#include "enrichd_plugin.h"

static int32_t create(EnrichdStrRef config, EnrichdStrRef context, void **instance,
                      EnrichdOwnedBuf *error) {
    (void)config;
    (void)context;
    (void)error;
    *instance = malloc(1);
    return *instance ? ENRICHD_STATUS_OK : ENRICHD_STATUS_ERROR;
}

static int32_t process(const void *instance, const EnrichdInput *in, EnrichdOutput *out) {
    (void)instance;
    EnrichdOwnedBuf b = {malloc(in->text.len ? in->text.len : 1), in->text.len, 0};
    if (!b.ptr) return ENRICHD_STATUS_ERROR;
    memcpy(b.ptr, in->text.ptr, in->text.len);
    out->fields_json = b;
    return ENRICHD_STATUS_OK;
}

static void free_buf(EnrichdOwnedBuf b) { free(b.ptr); }
static void destroy(void *instance) { free(instance); }

static const EnrichdPluginVTable VTABLE = {
    ENRICHD_ABI_VERSION,
    sizeof(EnrichdPluginVTable),
    {(const uint8_t *)"echo-fields", 11},
    {(const uint8_t *)"1.0.0", 5},
    create,
    process,
    free_buf,
    destroy,
};

const EnrichdPluginVTable *enrichd_plugin_entry(void) { return &VTABLE; }
