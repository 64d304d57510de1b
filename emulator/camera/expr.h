/* SPDX-License-Identifier: MIT */
/* Evaluator for the GenICam SwissKnife formulas of the model.
 *
 * The same formula text goes into the XML (as an (Int)SwissKnife) and is
 * evaluated here for the device's own checks, so the two cannot disagree.
 * Supported: numbers (decimal, 0x hex, fractions), identifiers (resolved by a
 * callback), ( ), unary - ! ~, ** * / % + - << >> < > <= >= = <> & ^ | && || ?:
 * In integer mode `/` truncates toward zero, as IntSwissKnife does.
 */
#ifndef DFK_EXPR_H
#define DFK_EXPR_H

#include <stdbool.h>
#include <stddef.h>

/* Returns 0 and sets *out, or a negative dfk_err for an unknown name. */
typedef int (*expr_lookup_fn)(void *ctx, const char *name, size_t len, double *out);
typedef void (*expr_name_fn)(void *ctx, const char *name, size_t len);

/* Returns 0, or DFK_ERR_INVAL for a syntax error, or the lookup's error. */
int expr_eval(const char *text, bool integer, expr_lookup_fn lookup, void *ctx, double *out);
/* Calls `fn` once per distinct identifier, in order of first appearance. Returns 0 or DFK_ERR_INVAL. */
int expr_names(const char *text, expr_name_fn fn, void *ctx);

#endif
