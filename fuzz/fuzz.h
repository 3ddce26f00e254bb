/* fuzz: what the libFuzzer targets share: the entry point libFuzzer calls,
 * a NUL-terminated copy of the input, and the check that turns a broken
 * promise of a parser into a crash libFuzzer reports. No parsing here. */
#ifndef FORKTOP_FUZZ_H
#define FORKTOP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A promise of the parser that this input broke: report it as a crash. */
#define FUZZ_EXPECT(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, \
				#cond);                                                    \
			abort();                                                           \
		}                                                                          \
	} while (0)

/* size bytes of data as a heap C string (it ends at the first NUL byte). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* True when s holds a NUL within its size bytes. */
static inline int fuzz_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

#endif
