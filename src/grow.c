/* grow: see grow.h. Capacity grows by half again (at least 16 items), so n
 * appends cost O(n) copies in all. */
#include "grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int grow_array(void **arr, size_t *cap, size_t need, size_t item_size)
{
	size_t want;
	void *p;

	if (need <= *cap)
		return 0;
	if (item_size == 0 || need > SIZE_MAX / item_size)
		return -ENOMEM;
	want = *cap + *cap / 2 + 16;
	if (want < need || want > SIZE_MAX / item_size)
		want = need;
	p = realloc(*arr, want * item_size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = want;
	return 0;
}
