/* grow: the one helper for growing arrays. Owns the capacity policy and the
 * overflow check; on failure it changes nothing, so the caller's array and
 * capacity stay as they were and stay usable. It never frees. */
#ifndef FORKTOP_GROW_H
#define FORKTOP_GROW_H

#include <stddef.h>

/* Makes room for at least need items of item_size bytes in *arr, whose
 * capacity is *cap items. Returns 0, or -ENOMEM (the size overflows or the
 * allocation failed) with *arr and *cap unchanged. */
int grow_array(void **arr, size_t *cap, size_t need, size_t item_size);

/* GROW(array, cap, need): the same for a typed pointer and a size_t
 * capacity. Evaluates to 0 or -ENOMEM. */
#define GROW(array, cap, need)                                                       \
	__extension__({                                                              \
		void *grow_at_ = (array);                                            \
		int grow_rc_ = grow_array(&grow_at_, &(cap), (need), sizeof *(array)); \
		(array) = grow_at_;                                                  \
		grow_rc_;                                                            \
	})

#endif
