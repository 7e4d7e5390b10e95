/*
 * scatterlist.h - a buffer in pieces, for DMA (Linux's struct scatterlist
 * and its helpers, the part drivers use). Each entry names a piece: a page
 * and an offset into it (sg_set_page), or a CPU address (sg_set_buf: any
 * buffer dma_map_single takes, KFENCE objects included), and its length;
 * dma_map_sg (include/mm/dma.h) fills in each entry's device address and
 * length. The last entry carries the end mark (sg_init_table sets it,
 * sg_mark_end moves it); rvmm has no chained tables.
 *
 *   struct scatterlist sg[n];
 *   sg_init_table(sg, n);
 *   for (i = 0; i < n; i++)
 *           sg_set_page(&sg[i], vmalloc_to_page(buf + i * PAGE_SIZE), PAGE_SIZE, 0);
 *   count = dma_map_sg(dev, sg, n, DMA_TO_DEVICE);   (0: failed, nothing mapped)
 *   for_each_sg(sg, s, count, i)
 *           program_descriptor(sg_dma_address(s), sg_dma_len(s));
 *   ...
 *   dma_unmap_sg(dev, sg, n, DMA_TO_DEVICE);
 */
#ifndef RVMM_SCATTERLIST_H
#define RVMM_SCATTERLIST_H

#include <lib/kernel.h>
#include <mm/mm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scatterlist {
	struct page *page;        /* the piece's page (sg_set_page), or NULL */
	void *buf;                /* or its CPU address (sg_set_buf) */
	unsigned int offset;      /* into page */
	unsigned int length;
	u64 dma_address;          /* set by dma_map_sg */
	unsigned int dma_length;
	bool end;                 /* the table's last entry */
};

static inline void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	for (unsigned int i = 0; i < nents; i++) {
		sgl[i].page = NULL;
		sgl[i].buf = NULL;
		sgl[i].offset = sgl[i].length = sgl[i].dma_length = 0;
		sgl[i].dma_address = 0;
		sgl[i].end = i + 1 == nents;
	}
}

static inline void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len,
			       unsigned int offset)
{
	sg->page = page;
	sg->buf = NULL;
	sg->offset = offset;
	sg->length = len;
}

static inline void sg_set_buf(struct scatterlist *sg, const void *buf, unsigned int len)
{
	sg->page = NULL;
	sg->buf = (void *)(uintptr_t)buf;
	sg->offset = 0;
	sg->length = len;
}

static inline void sg_init_one(struct scatterlist *sg, const void *buf, unsigned int len)
{
	sg_init_table(sg, 1);
	sg_set_buf(sg, buf, len);
}

static inline void sg_mark_end(struct scatterlist *sg)
{
	sg->end = true;
}

static inline bool sg_is_last(const struct scatterlist *sg)
{
	return sg->end;
}

/* The next entry, or NULL after the last. */
static inline struct scatterlist *sg_next(struct scatterlist *sg)
{
	return sg->end ? NULL : sg + 1;
}

static inline struct page *sg_page(const struct scatterlist *sg)
{
	return sg->page ? sg->page : virt_to_page(sg->buf);
}

/* The piece's CPU address. */
static inline void *sg_virt(const struct scatterlist *sg)
{
	return sg->buf ? sg->buf : (char *)page_address(sg->page) + sg->offset;
}

#define sg_dma_address(sg) ((sg)->dma_address)
#define sg_dma_len(sg) ((sg)->dma_length)

#define for_each_sg(sglist, sg, nr, i) \
	for ((i) = 0, (sg) = (sglist); (i) < (nr) && (sg); (i)++, (sg) = sg_next(sg))

#ifdef __cplusplus
}
#endif

#endif
