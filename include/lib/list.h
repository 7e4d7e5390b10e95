/*
 * list.h - circular doubly linked lists (the Linux list_head).
 * An empty list is a head pointing at itself.
 */
#ifndef RVMM_LIST_H
#define RVMM_LIST_H

#ifdef __cplusplus
extern "C" {
#endif

#include <lib/kernel.h>

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }

static inline void INIT_LIST_HEAD(struct list_head *l)
{
	l->next = l;
	l->prev = l;
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

static inline void list_insert_(struct list_head *n, struct list_head *prev,
				struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

/* Add after head (stack order). */
static inline void list_add(struct list_head *n, struct list_head *head)
{
	list_insert_(n, head, head->next);
}

/* Add before head (queue order). */
static inline void list_add_tail(struct list_head *n, struct list_head *head)
{
	list_insert_(n, head->prev, head);
}

/* Unlink without poisoning the entry (for hot paths that reuse it at once). */
static inline void __list_del_entry(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
}

static inline void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e->prev = NULL;
}

static inline void list_move(struct list_head *e, struct list_head *head)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	list_add(e, head);
}

static inline void list_move_tail(struct list_head *e, struct list_head *head)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
	list_add_tail(e, head);
}

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)

#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_safe(pos, n, head) \
	for (pos = (head)->next, n = pos->next; pos != (head); pos = n, n = pos->next)

#ifdef __cplusplus
}
#endif

#endif
