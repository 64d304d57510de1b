/* SPDX-License-Identifier: MIT */
/* camera/expr: the SwissKnife formula evaluator (expr.h) and the identifier
 * lister the XML generator uses for pVariable elements. */
#include <math.h>
#include <string.h>

#include "../camera/expr.h"
#include "../common/errors.h"
#include "tests.h"

static const struct {
	const char *name;
	double value;
} vars[] = {
	{ "Width", 4096 }, { "Height", 2160 }, { "OffsetX", 16 }, { "WidthMax", 2048 }, { "_a1", 2 }, { "Gain", 2.5 },
};

static unsigned lookups;

static int lookup(void *ctx, const char *name, size_t len, double *out)
{
	(void)ctx;
	lookups++;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (strlen(vars[i].name) == len && strncmp(vars[i].name, name, len) == 0) {
			*out = vars[i].value;
			return DFK_OK;
		}
	}
	return DFK_ERR_NOTFOUND;
}

/* Evaluates `text`; asserts success and the value. */
static void check(const char *text, bool integer, double want, unsigned line)
{
	double v = -12345.678;
	int rc = expr_eval(text, integer, lookup, NULL, &v);
	char what[200];

	snprintf(what, sizeof(what), "expr_eval(\"%s\", %s) rc", text, integer ? "int" : "float");
	test_assert_int(rc, DFK_OK, line, __FILE__, what);
	snprintf(what, sizeof(what), "expr_eval(\"%s\", %s) = %.17g, expected %.17g", text,
		 integer ? "int" : "float", v, want);
	CU_assertImplementation(rc == DFK_OK && fabs(v - want) <= 1e-9 * (fabs(want) + 1), line, what, __FILE__, "",
				CU_FALSE);
}
#define CHECK_F(text, want) check((text), false, (want), __LINE__)
#define CHECK_I(text, want) check((text), true, (want), __LINE__)

static void collect_nothing(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	(void)name;
	(void)len;
}

static void check_err(const char *text, int want_rc, unsigned line)
{
	double v = 0;
	char what[200];

	snprintf(what, sizeof(what), "expr_eval(\"%s\") rc", text);
	test_assert_int(expr_eval(text, false, lookup, NULL, &v), want_rc, line, __FILE__, what);
	test_assert_int(expr_eval(text, true, lookup, NULL, &v), want_rc, line, __FILE__, what);
}
#define CHECK_ERR(text, rc) check_err((text), (rc), __LINE__)

static void test_expr_arithmetic(void)
{
	CHECK_F("1 + 2", 3);
	CHECK_F("10 - 4 - 3", 3);        /* left associative */
	CHECK_F("2 * 3 * 4", 24);
	CHECK_F("20 / 4 / 5", 1);
	CHECK_F("7 / 2", 3.5);
	CHECK_F("7 % 3", 1);
	CHECK_F("-3 + 5", 2);
	CHECK_F("-(3 + 5)", -8);
	CHECK_F("- -4", 4);
	CHECK_F("+4", 4);
	CHECK_F("2 ** 10", 1024);
	CHECK_F("2 ** 3 ** 2", 512);     /* right associative */
	CHECK_F("1 << 4", 16);
	CHECK_F("256 >> 3", 32);
	CHECK_F("1.5 * 4", 6);
	CHECK_F(".5 + .25", 0.75);
	CHECK_F("  42  ", 42);
	CHECK_F("6 & 3", 2);
	CHECK_F("6 | 3", 7);
	CHECK_F("6 ^ 3", 5);
	CHECK_F("~0", -1);
}

static void test_expr_precedence(void)
{
	CHECK_F("1 + 2 * 3", 7);
	CHECK_F("(1 + 2) * 3", 9);
	CHECK_F("2 * 3 + 4 * 5", 26);
	CHECK_F("10 - 2 * 3", 4);
	CHECK_F("2 * 3 ** 2", 18);
	CHECK_F("1 + 2 < 4", 1);          /* arithmetic before comparison */
	CHECK_F("1 + 1 = 2", 1);
	CHECK_F("1 << 2 + 1", 8);         /* + before << */
	CHECK_F("2 < 3 && 3 < 4", 1);     /* comparison before && */
	CHECK_F("1 || 0 && 0", 1);        /* && before || */
	CHECK_F("(1 || 0) && 0", 0);
	CHECK_F("0 || 1 ? 5 : 6", 5);     /* ?: lowest */
	CHECK_F("1 | 2 = 2", 1);          /* = before | (C order): 1 | (2 = 2) */
	CHECK_F("((((1))))", 1);
}

static void test_expr_integer_division_truncates(void)
{
	CHECK_I("7 / 2", 3);
	CHECK_I("(0 - 7) / 2", -3);       /* toward zero, not -4 */
	CHECK_I("-7 / 2", -3);
	CHECK_I("7 / 2 * 2", 6);          /* each division truncates, not just the result */
	CHECK_F("7 / 2 * 2", 7);
	CHECK_I("4096 / (1 * 2)", 2048);
	CHECK_I("2160 / 4 * 4", 2160);
	CHECK_I("1 / 3 + 1 / 3 + 1 / 3", 0);
	CHECK_I("10 / 4 + 0.5", 2);
}

static void test_expr_comparisons(void)
{
	CHECK_F("3 = 3", 1);
	CHECK_F("3 = 4", 0);
	CHECK_F("3 <> 3", 0);
	CHECK_F("3 <> 4", 1);
	CHECK_F("2 < 3", 1);
	CHECK_F("3 < 3", 0);
	CHECK_F("3 <= 3", 1);
	CHECK_F("4 <= 3", 0);
	CHECK_F("4 > 3", 1);
	CHECK_F("3 > 3", 0);
	CHECK_F("3 >= 3", 1);
	CHECK_F("3 >= 4", 0);
	CHECK_F("2<3", 1);                /* no spaces */
	CHECK_F("3>=-1", 1);
	CHECK_F("1<-1", 0);
}

static void test_expr_logic(void)
{
	CHECK_F("1 && 1", 1);
	CHECK_F("1 && 0", 0);
	CHECK_F("0 && 1", 0);
	CHECK_F("1 || 0", 1);
	CHECK_F("0 || 0", 0);
	CHECK_F("5 && 7", 1);             /* any non-zero is true, result is 0 or 1 */
	CHECK_F("!0", 1);
	CHECK_F("!5", 0);
	CHECK_F("!!5", 1);
	CHECK_F("!(1 && 0)", 1);
	CHECK_F("1&&!0", 1);
}

static void test_expr_ternary(void)
{
	CHECK_F("1 ? 10 : 20", 10);
	CHECK_F("0 ? 10 : 20", 20);
	CHECK_F("0 ? 1 : 1 ? 2 : 3", 2);  /* right associative */
	CHECK_F("1 ? 0 ? 4 : 5 : 6", 5);
	CHECK_F("2 > 1 ? 3 + 4 : 0", 7);
	CHECK_F("Width > 2048 ? Width - 2048 : 0", 2048);
}

static void test_expr_hex(void)
{
	CHECK_F("0x10", 16);
	CHECK_F("0XfF", 255);
	CHECK_F("0x10 + 0x0a", 26);
	CHECK_F("0x01080009", 17301513);
	CHECK_I("0x7FFFFFFF", 2147483647);
}

static void test_expr_identifiers(void)
{
	lookups = 0;
	CHECK_F("Width", 4096);
	ASSERT_INT(lookups, 1);   /* one evaluation, one lookup */
	CHECK_F("Width - OffsetX", 4080);
	CHECK_F("Width * Height", 8847360);
	CHECK_F("WidthMax / _a1", 1024);
	CHECK_F("Gain * 2", 5);
	CHECK_I("Gain * 3", 7);   /* integer mode truncates the result */
	CHECK_F("(Width-WidthMax)/2", 1024);
}

static void test_expr_unknown_identifier(void)
{
	/* the lookup's own error comes back */
	CHECK_ERR("Unknown + 1", DFK_ERR_NOTFOUND);
	CHECK_ERR("1 + Widthx", DFK_ERR_NOTFOUND);
	/* no lookup at all */
	{
		double v;
		CU_ASSERT(expr_eval("Width", false, NULL, NULL, &v) < 0);
	}
}

static void test_expr_syntax_errors(void)
{
	static const char *const bad[] = {
		"", "   ", "1 +", "(1 + 2", "1 + 2)", "1 2", "* 3", "1 ? 2", "1 ? 2 :", "()", "1 +* 2",
		"3 $ 4", "Width Height", "1 = = 1", "0x", "1 ! 2", ",",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_err(bad[i], DFK_ERR_INVAL, __LINE__);
	/* division by zero is not a value */
	CHECK_ERR("1 / 0", DFK_ERR_INVAL);
	CHECK_ERR("5 % 0", DFK_ERR_INVAL);
}

/* Regressions (attack run): integer operators on values with no int64 meaning
 * were undefined behaviour, and INT64_MIN % -1 raised SIGFPE. */
static void test_expr_integer_edges_defined(void)
{
	CHECK_I("(-9223372036854775807 - 1) % -1", 0);
	CHECK_I("-7 % -1", 0);
	CHECK_I("-7 % 3", -1);
	CHECK_I("-1 << 4", -16);
	CHECK_I("-16 >> 2", -4);
	CHECK_I("1 << 70", 64);       /* shift counts are taken mod 64 */
	CHECK_ERR("1e19 & 1", DFK_ERR_RANGE);
	CHECK_ERR("-1e19 | 1", DFK_ERR_RANGE);
	CHECK_ERR("~1e300", DFK_ERR_RANGE);
	CHECK_ERR("9223372036854775808 % 2", DFK_ERR_RANGE);
	CHECK_ERR("(1e308 * 10) ^ 1", DFK_ERR_RANGE);
	CHECK_ERR("1 << 1e30", DFK_ERR_RANGE);
}

/* Nesting and length are bounded, so a formula cannot exhaust the stack. */
static void test_expr_depth_and_length_bounded(void)
{
	char text[8192];
	double v;

	memset(text, '(', 200);
	strcpy(text + 200, "1");
	memset(text + 201, ')', 200);
	text[401] = '\0';
	CHECK_ERR(text, DFK_ERR_RANGE);
	memset(text, '-', 5000);
	strcpy(text + 5000, "1");
	CHECK_ERR(text, DFK_ERR_RANGE);
	memset(text, '-', 60);
	strcpy(text + 60, "1");
	CHECK_F(text, 1);
	text[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(text, "0?0:");
	strcat(text, "7");
	CHECK_ERR(text, DFK_ERR_RANGE);
	memset(text, ' ', 5000);
	strcpy(text + 5000, "1");
	test_assert_int(expr_eval(text, false, lookup, NULL, &v), DFK_ERR_RANGE, __LINE__, __FILE__, "long text");
	test_assert_int(expr_names(text, collect_nothing, NULL), DFK_ERR_RANGE, __LINE__, __FILE__, "long names");
}

/* ---- expr_names ---- */

static struct {
	char names[16][64];
	unsigned n;
} got;

static void collect(void *ctx, const char *name, size_t len)
{
	(void)ctx;
	CU_ASSERT_FATAL(got.n < 16 && len < 64);
	memcpy(got.names[got.n], name, len);
	got.names[got.n][len] = '\0';
	got.n++;
}

static void names(const char *text, const char *const *want, unsigned n_want, unsigned line)
{
	char what[256];

	memset(&got, 0, sizeof(got));
	test_assert_int(expr_names(text, collect, NULL), DFK_OK, line, __FILE__, "expr_names rc");
	snprintf(what, sizeof(what), "expr_names(\"%s\") count", text);
	test_assert_int(got.n, n_want, line, __FILE__, what);
	for (unsigned i = 0; i < n_want && i < got.n; i++) {
		snprintf(what, sizeof(what), "expr_names(\"%s\")[%u] = %s, expected %s", text, i, got.names[i],
			 want[i]);
		CU_assertImplementation(strcmp(got.names[i], want[i]) == 0, line, what, __FILE__, "", CU_FALSE);
	}
}

static void test_expr_names_once_each(void)
{
	static const char *const w1[] = { "Width", "OffsetX" };
	static const char *const w2[] = { "SensorWidth", "DecimationHorizontal", "BinningHorizontal" };
	static const char *const w3[] = { "WidthMax", "Width" };
	static const char *const w4[] = { "Width", "WidthMax" };
	static const char *const w5[] = { "A1", "A", "_x" };
	static const char *const w6[] = { "BalanceWhiteAuto", "BalanceWhiteMode" };

	names("Width + Width * OffsetX - Width", w1, 2, __LINE__);
	names("SensorWidth / (DecimationHorizontal * BinningHorizontal)", w2, 3, __LINE__);
	/* a name that is a prefix of another is still its own name, in order of first appearance */
	names("WidthMax - Width", w3, 2, __LINE__);
	names("Width + WidthMax + Width", w4, 2, __LINE__);
	/* hex digits and exponents are not identifiers */
	names("0x1F + A1 + 0xA + A + 1e3 + _x", w5, 3, __LINE__);
	names("BalanceWhiteAuto <> 0 || BalanceWhiteMode = 1", w6, 2, __LINE__);
	names("1 + 2 * 3", NULL, 0, __LINE__);
	names("", NULL, 0, __LINE__);
}

static const struct test_case cases[] = {
	{ "test_expr_arithmetic", test_expr_arithmetic },
	{ "test_expr_precedence", test_expr_precedence },
	{ "test_expr_integer_division_truncates", test_expr_integer_division_truncates },
	{ "test_expr_comparisons", test_expr_comparisons },
	{ "test_expr_logic", test_expr_logic },
	{ "test_expr_ternary", test_expr_ternary },
	{ "test_expr_hex", test_expr_hex },
	{ "test_expr_identifiers", test_expr_identifiers },
	{ "test_expr_unknown_identifier", test_expr_unknown_identifier },
	{ "test_expr_syntax_errors", test_expr_syntax_errors },
	{ "test_expr_names_once_each", test_expr_names_once_each },
	{ "test_expr_integer_edges_defined", test_expr_integer_edges_defined },
	{ "test_expr_depth_and_length_bounded", test_expr_depth_and_length_bounded },
	{ NULL, NULL },
};

int test_expr_add_suite(void) { return test_add_suite("expr", NULL, NULL, cases); }
