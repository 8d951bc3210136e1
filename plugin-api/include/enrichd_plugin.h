/*
 * enrichd plugin ABI, version 1 — the C view of plugin-api/src/abi.rs.
 *
 * A plugin library exports one function:
 *
 *     const EnrichdPluginVTable *enrichd_plugin_entry(void);
 *
 * returning a pointer to a static vtable whose first field is
 * ENRICHD_ABI_VERSION. The daemon refuses any other version.
 *
 * Memory: buffers the daemon passes (EnrichdStrRef) are borrowed for one call.
 * Buffers the plugin returns (EnrichdOwnedBuf) are the plugin's; the daemon
 * copies them and hands each back to free_buf. A null ptr means "no buffer".
 *
 * Threads: process() is called on one instance from several threads at once.
 * Errors: return ENRICHD_STATUS_ERROR with a UTF-8 message in the error buffer.
 * Nothing may unwind (no C++ exception, no longjmp) out of these functions.
 */
#ifndef ENRICHD_PLUGIN_H
#define ENRICHD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define ENRICHD_ABI_VERSION 1u

#define ENRICHD_STATUS_OK 0
#define ENRICHD_STATUS_ERROR 1
#define ENRICHD_STATUS_PANIC 2

typedef struct {
    const uint8_t *ptr;
    size_t len;
} EnrichdStrRef;

typedef struct {
    uint8_t *ptr; /* NULL = no buffer */
    size_t len;
    size_t cap;   /* for the plugin's allocator; C plugins may leave it 0 */
} EnrichdOwnedBuf;

typedef struct {
    EnrichdStrRef text;        /* the record's current text, UTF-8 */
    EnrichdStrRef source_json; /* {"path","name","bytes","sha256","modified"} */
    EnrichdStrRef fields_json; /* a JSON object: fields earlier plugins added */
} EnrichdInput;

typedef struct {
    EnrichdOwnedBuf text;        /* replacement text, or NULL to keep it */
    EnrichdOwnedBuf fields_json; /* a JSON object of fields to add, or NULL */
    EnrichdOwnedBuf error;       /* the message when the status is not OK */
} EnrichdOutput;

typedef struct {
    uint32_t abi_version; /* ENRICHD_ABI_VERSION */
    uint32_t vtable_size; /* sizeof(EnrichdPluginVTable) */
    EnrichdStrRef name;
    EnrichdStrRef version;
    int32_t (*create)(EnrichdStrRef config_json, EnrichdStrRef context_json,
                      void **instance, EnrichdOwnedBuf *error);
    int32_t (*process)(const void *instance, const EnrichdInput *input,
                       EnrichdOutput *output);
    void (*free_buf)(EnrichdOwnedBuf buf);
    void (*destroy)(void *instance);
} EnrichdPluginVTable;

const EnrichdPluginVTable *enrichd_plugin_entry(void);

#endif
