/*
 * A plugin written in C, used by the end-to-end tests: adds
 * {"c_bytes": <length of text in bytes>} to each record, and fails a record
 * whose text contains "FAIL-ME". A text starting with "FIELDS-ME" makes it
 * return the rest of the text as its fields JSON, byte for byte, so the tests
 * decide what a plugin's output is, valid JSON or not. Build with
 * -DPLUGIN_ABI=N to impersonate another ABI version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrichd_plugin.h"

#ifndef PLUGIN_ABI
#define PLUGIN_ABI ENRICHD_ABI_VERSION
#endif

static EnrichdOwnedBuf owned_bytes(const uint8_t *s, size_t n) {
    EnrichdOwnedBuf b = {NULL, 0, 0};
    b.ptr = malloc(n ? n : 1);
    if (b.ptr) {
        memcpy(b.ptr, s, n);
        b.len = n;
    }
    return b;
}

static EnrichdOwnedBuf owned(const char *s) {
    return owned_bytes((const uint8_t *)s, strlen(s));
}

static int32_t create(EnrichdStrRef config, EnrichdStrRef context, void **instance,
                      EnrichdOwnedBuf *error) {
    (void)config;
    (void)context;
    (void)error;
    *instance = malloc(1);
    return *instance ? ENRICHD_STATUS_OK : ENRICHD_STATUS_ERROR;
}

static int contains(EnrichdStrRef s, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= s.len; i++)
        if (memcmp(s.ptr + i, needle, n) == 0) return 1;
    return 0;
}

static int32_t process(const void *instance, const EnrichdInput *in, EnrichdOutput *out) {
    (void)instance;
    if (contains(in->text, "FAIL-ME")) {
        out->error = owned("the text asked to fail");
        return ENRICHD_STATUS_ERROR;
    }
    const char *echo = "FIELDS-ME";
    size_t n = strlen(echo);
    if (in->text.len >= n && memcmp(in->text.ptr, echo, n) == 0) {
        out->fields_json = owned_bytes(in->text.ptr + n, in->text.len - n);
        return ENRICHD_STATUS_OK;
    }
    char json[64];
    snprintf(json, sizeof json, "{\"c_bytes\":%zu}", in->text.len);
    out->fields_json = owned(json);
    return ENRICHD_STATUS_OK;
}

static void free_buf(EnrichdOwnedBuf b) { free(b.ptr); }
static void destroy(void *instance) { free(instance); }

static const EnrichdPluginVTable VTABLE = {
    PLUGIN_ABI,
    sizeof(EnrichdPluginVTable),
    {(const uint8_t *)"count-c", 7},
    {(const uint8_t *)"1.0.0", 5},
    create,
    process,
    free_buf,
    destroy,
};

const EnrichdPluginVTable *enrichd_plugin_entry(void) { return &VTABLE; }
